/**
 * The meter against independent implementations on random signals: libebur128 (C reference, through
 * test/helpers/ebur128-oracle.ts) for integrated, momentary/short-term maxima (read every 10 ms, our hop)
 * and loudness range; ebur128-wasm (Rust port) for integrated loudness of mono and stereo.
 */
import { describe, expect, it } from 'vitest';
import { powerToLufs } from '../../../src/core/audio/db.js';
import { loudnessRangeLu } from '../../../src/core/analysis/loudness-gating.js';
import { LoudnessMeter } from '../../../src/core/analysis/loudness-meter.js';
import { colourNoise, whiteNoise, mulberry32, onePole, randomEnvelope } from '../../helpers/ebu-signals.js';
import { libebur128Unavailable, loadEbur128Wasm, measureWithLibebur128 } from '../../helpers/ebur128-oracle.js';

const CASES = 51;
const RATES = [44100, 48000, 96000];
const LAYOUTS = [1, 2, 6];

interface Case { sampleRate: number; channels: Float32Array[] }

/** Random noise: per channel a random colouring filter, a shared random envelope shape, a random level. */
function randomCase(seed: number): Case {
  const rand = mulberry32(seed);
  const sampleRate = RATES[seed % RATES.length];
  const nch = LAYOUTS[Math.floor(seed / RATES.length) % LAYOUTS.length];
  const frames = Math.round((3 + 9 * rand()) * sampleRate);
  const levelDb = -45 + 40 * rand();
  const envSeed = Math.floor(rand() * 2 ** 31);
  const channels: Float32Array[] = [];
  for (let c = 0; c < nch; c++) {
    const x = whiteNoise(frames, rand);
    const kind = rand();
    if (kind < 0.3) colourNoise(x, sampleRate, 'lowpass', 50 * Math.pow(400, rand()), 0.5 + 2 * rand());
    else if (kind < 0.6) colourNoise(x, sampleRate, 'highpass', 20 * Math.pow(500, rand()), 0.5 + 2 * rand());
    else if (kind < 0.85) colourNoise(x, sampleRate, 'peaking', 30 * Math.pow(600, rand()), 0.3 + 4 * rand(), -18 + 36 * rand());
    else onePole(x, sampleRate, 20 * Math.pow(1000, rand()));
    // Normalise the coloured noise to unit RMS, then apply the level and a common envelope.
    let ms = 0;
    for (let i = 0; i < frames; i++) ms += x[i] * x[i];
    const g = Math.pow(10, (levelDb + 6 * rand()) / 20) / Math.sqrt(ms / frames + 1e-30);
    for (let i = 0; i < frames; i++) x[i] *= g;
    randomEnvelope(x, sampleRate, mulberry32(envSeed), 30);
    channels.push(x);
  }
  return { sampleRate, channels };
}

const unavailable = libebur128Unavailable();

describe('loudness meter vs libebur128 and ebur128-wasm', () => {
  it.skipIf(unavailable !== null)(`${CASES} random signals agree with libebur128 ${unavailable ?? ''}`, async () => {
    const wasmIntegrated = await loadEbur128Wasm();
    let maxI = 0, maxS = 0, maxM = 0, maxLra1Hz = 0, maxLra10Hz = 0, maxWasm = 0, wasmCompared = 0, fineCases = 0;
    for (let seed = 0; seed < CASES; seed++) {
      const { sampleRate, channels } = randomCase(seed);
      const frames = channels[0].length;
      const meter = new LoudnessMeter({ sampleRate, channels: channels.length });
      const block = 1000 + seed * 37; // odd block sizes: the result must not depend on them
      for (let o = 0; o < frames; o += block) meter.push(channels.map((c) => c.subarray(o)), Math.min(block, frames - o));
      const ours = meter.result();
      // libebur128 re-sums its whole window on every read (O(window) per call), so reading it every 10 ms
      // is costly: mono/stereo signals up to 48 kHz and 7 s are read every 10 ms and compared with our
      // 10 ms maxima; the rest every 100 ms, compared with the maxima of our 100 ms gating blocks and
      // short-term values (the same windows libebur128 reads).
      const fine = channels.length <= 2 && sampleRate <= 48000 && frames <= 7 * sampleRate;
      if (fine) fineCases++;
      const ref = measureWithLibebur128(channels, sampleRate, sampleRate / (fine ? 100 : 10));
      const lufs = (p: Float64Array) => powerToLufs(p.reduce((a, b) => Math.max(a, b), 0));
      const mMax = fine ? ours.momentaryMaxLufs : lufs(meter.gatingBlockPowers());
      const sMax = fine ? ours.shortTermMaxLufs : lufs(meter.shortTermPowers());
      const where = `seed ${seed}, ${sampleRate} Hz, ${channels.length} ch, ${(frames / sampleRate).toFixed(2)} s`;

      expect(ours.integratedLufs === null, where).toBe(ref.integratedLufs === null);
      if (ref.integratedLufs !== null) maxI = Math.max(maxI, Math.abs(ours.integratedLufs! - ref.integratedLufs));
      maxM = Math.max(maxM, Math.abs(mMax! - ref.momentaryMaxLufs!));
      maxS = Math.max(maxS, Math.abs(sMax! - ref.shortTermMaxLufs!));

      // libebur128 samples short-term loudness for LRA once per second (Tech 3342 v1: ≥ 2 s overlap), we
      // every 100 ms (v3: ≥ 10 Hz). Like for like: our own values every 10th (3 s, 4 s, ...) through the
      // same gating maths must match. The 10 Hz value is only reported: on 3-12 s signals with gaps the
      // two samplings give legitimately different percentiles (a handful of 1 Hz values vs 10× more).
      if (channels.length <= 2) {
        const wasmI = wasmIntegrated(sampleRate, channels);
        expect(Number.isFinite(wasmI), where).toBe(ours.integratedLufs !== null);
        if (Number.isFinite(wasmI)) {
          maxWasm = Math.max(maxWasm, Math.abs(ours.integratedLufs! - wasmI));
          wasmCompared++;
        }
      }

      const shorts = meter.shortTermPowers();
      const everySecond = shorts.filter((_, j) => j % 10 === 0);
      if (ref.loudnessRangeLu !== null && everySecond.length >= 2) {
        const lra1Hz = loudnessRangeLu(everySecond);
        if (lra1Hz !== null) maxLra1Hz = Math.max(maxLra1Hz, Math.abs(lra1Hz - ref.loudnessRangeLu));
        if (ours.loudnessRangeLu !== null) maxLra10Hz = Math.max(maxLra10Hz, Math.abs(ours.loudnessRangeLu - ref.loudnessRangeLu));
      }
    }
    console.log(`libebur128 (${fineCases} signals read every 10 ms) max |Δ|: I ${maxI.toExponential(2)}, Mmax ${maxM.toExponential(2)}, Smax ${maxS.toExponential(2)} LU; ` +
      `LRA (1 Hz) ${maxLra1Hz.toExponential(2)}, LRA (10 Hz vs 1 Hz, not asserted) ${maxLra10Hz.toFixed(3)} LU; ` +
      `ebur128-wasm I (${wasmCompared} mono/stereo) ${maxWasm.toExponential(2)} LU`);
    expect(maxI).toBeLessThan(0.05);
    expect(maxM).toBeLessThan(0.05);
    expect(maxS).toBeLessThan(0.05);
    expect(maxLra1Hz).toBeLessThan(0.1);
    expect(wasmCompared).toBeGreaterThan(30);
    expect(maxWasm).toBeLessThan(0.05);
  });
});
