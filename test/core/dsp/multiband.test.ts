import { describe, expect, it } from 'vitest';
import { magnitudeDb } from '../../helpers/fft-magnitude.js';
import { Compressor } from '../../../src/core/dsp/compressor.js';
import { LinkwitzRileyCrossover } from '../../../src/core/dsp/crossover.js';
import { Multiband, type MultibandParams } from '../../../src/core/dsp/multiband.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

const SIZE = 1 << 15;
const idle = { ratio: 1, makeupDb: 0 };

function sine(frames: number, db: number, freq: number, fs: number): Float32Array {
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = 10 ** (db / 20) * Math.sin((2 * Math.PI * freq * i) / fs);
  return out;
}

describe('multiband', () => {
  for (const [fs, xo] of [[44100, [200, 2000]], [48000, [120, 1000, 6000]], [96000, [300]]] as [number, number[]][]) {
    it(`is flat within 0.1 dB when idle (ratio 1): ${xo.length + 1} bands at ${fs} Hz`, () => {
      const p = new Multiband({ crossoversHz: xo, bands: xo.map(() => idle).concat([idle]) });
      p.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 512 });
      const imp = new Float32Array(SIZE);
      imp[0] = 0.5;
      const y = new Float32Array(SIZE);
      p.process([imp], [y], SIZE);
      for (let i = 0; i < SIZE; i++) y[i] *= 2;
      const m = magnitudeDb(y, SIZE);
      let worst = 0;
      for (let k = 1; k < SIZE / 2; k++) worst = Math.max(worst, Math.abs(m[k]));
      console.log(`multiband idle ${xo.join('/')} Hz at ${fs} Hz: worst deviation ${worst.toExponential(2)} dB`);
      expect(worst).toBeLessThan(0.1);
    });
  }

  it('compresses only the band a tone falls in, and meters per band', () => {
    const fs = 48000;
    const p = new Multiband({
      crossoversHz: [200, 2000],
      bands: [idle, { thresholdDb: -30, ratio: 4, kneeDb: 0, attackMs: 0, releaseMs: 1000 }, idle],
    });
    p.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 1024 });
    // All LR4 bands (with allpass compensation) share one phase, so magnitudes add. At the tone the
    // analogue (bilinear-warped) band magnitudes are lo = |LP4(200)|, mid = |HP4(200)|·|LP4(2000)|,
    // hi = |HP4(2000)|; the mid band reads −10 dB + 20·log10(mid) peak, 20 dB over the threshold.
    const f = 632.5;
    const w4 = (fc: number) => (Math.tan((Math.PI * f) / fs) / Math.tan((Math.PI * fc) / fs)) ** 4;
    const lo = 1 / (1 + w4(200)), hi = w4(2000) / (1 + w4(2000));
    const mid = (w4(200) / (1 + w4(200))) * (1 / (1 + w4(2000)));
    const grDb = 0.75 * (-10 + 20 * Math.log10(mid) + 30);
    const expected = 20 * Math.log10(lo + mid * 10 ** (-grDb / 20) + hi);
    const x = sine(fs, -10, f, fs);
    const y = new Float32Array(fs);
    p.process([x], [y], fs / 2);
    p.readMeters(); // drop the start-up transient from the peak-hold meters
    p.process([x.subarray(fs / 2)], [y.subarray(fs / 2)], fs / 2);
    let a = 0, b = 0;
    for (let i = fs / 2; i < fs; i++) { a += y[i] * y[i]; b += x[i] * x[i]; }
    const g = 10 * Math.log10(a / b);
    const m = p.readMeters().gainReductionDb;
    console.log(`multiband mid-band tone: gain ${g.toFixed(3)} dB (theory ${expected.toFixed(3)}), meters ${m.map((v) => v.toFixed(3)).join(', ')} (theory GR ${grDb.toFixed(3)})`);
    expect(Math.abs(g - expected)).toBeLessThan(0.2);
    expect(m[0]).toBe(0);
    expect(m[2]).toBe(0);
    expect(Math.abs(m[1] - grDb)).toBeLessThan(0.2);
  });

  it('three stereo bands (fused gain stage) give exactly the crossover plus three compressors', () => {
    // Loud music-like noise with pauses and a NaN: the bands compress, release to 0 and idle; band 2's
    // settings change mid-stream (a ramp: that block leaves the fused path and comes back).
    const fs = 48000, frames = 60000, block = 1000;
    const bands = [
      { thresholdDb: -30, ratio: 3, attackMs: 5, releaseMs: 80, makeupDb: 2 },
      { thresholdDb: -26, ratio: 1.8, attackMs: 2, releaseMs: 40, kneeDb: 6 },
      { thresholdDb: -34, ratio: 5, attackMs: 1, releaseMs: 30, detector: 'rms' as const },
    ];
    const xo = [180, 2500];
    let seed = 3, lp = 0;
    const x = [new Float32Array(frames), new Float32Array(frames)];
    for (let i = 0; i < frames; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      const w = seed / 2 ** 31 - 1;
      lp += 0.1 * (w - lp);
      const env = (i % 20000) < 14000 ? 0.7 : 0;
      x[0][i] = env * (2 * lp + 0.2 * w);
      x[1][i] = env * (1.5 * lp - 0.3 * w);
    }
    x[1][777] = NaN;
    const mb = new Multiband({ crossoversHz: xo, bands });
    mb.prepare({ sampleRate: fs, channels: 2, maxBlockFrames: block });
    const xover = new LinkwitzRileyCrossover();
    xover.prepare(2, fs, 3);
    xover.setCrossovers(xo);
    const comps = bands.map((b) => new Compressor({ ...b, lookaheadMs: 0 }));
    for (const c of comps) c.prepare({ sampleRate: fs, channels: 2, maxBlockFrames: block });
    const got = [new Float32Array(frames), new Float32Array(frames)];
    const want = [new Float32Array(frames), new Float32Array(frames)];
    const buf = [0, 1, 2].map(() => [new Float32Array(block), new Float32Array(block)]);
    for (let off = 0; off < frames; off += block) {
      if (off === 30000) {
        mb.setParams({ crossoversHz: xo, bands: [bands[0], bands[1], { ...bands[2], thresholdDb: -20 }] });
        comps[2].setParams({ thresholdDb: -20 });
      }
      mb.process(x.map((c) => c.subarray(off, off + block)), got.map((c) => c.subarray(off, off + block)), block);
      for (let c = 0; c < 2; c++) xover.process(c, x[c], off, [buf[0][c], buf[1][c], buf[2][c]], block);
      for (let b = 0; b < 3; b++) comps[b].process(buf[b], buf[b], block);
      for (let c = 0; c < 2; c++) {
        for (let i = 0; i < block; i++) want[c][off + i] = Math.fround(buf[0][c][i] + buf[1][c][i]) + buf[2][c][i];
      }
    }
    expect(mb.readMeters().gainReductionDb[2]).toBeGreaterThan(1);
    for (let c = 0; c < 2; c++) expect(Array.from(got[c])).toEqual(Array.from(want[c]));
  });

  it('takes more bands after prepare() (their compressors are prepared then)', () => {
    const fs = 48000;
    const p = new Multiband({ crossoversHz: [300], bands: [idle, idle] });
    p.prepare({ sampleRate: fs, channels: 2, maxBlockFrames: 256 });
    p.process([sine(256, -6, 1000, fs), sine(256, -6, 1000, fs)], [new Float32Array(256), new Float32Array(256)], 256);
    // Four bands, the third compressing: a 2 kHz tone (in it) is reduced and metered there only.
    p.setParams({ crossoversHz: [150, 1000, 5000], bands: [idle, idle, { thresholdDb: -40, ratio: 4, kneeDb: 0 }, idle] });
    const x = sine(fs / 2, -10, 2000, fs);
    const y = [new Float32Array(fs / 2), new Float32Array(fs / 2)];
    for (let off = 0; off < fs / 2; off += 256) p.process([x.subarray(off, off + 256), x.subarray(off, off + 256)], y.map((c) => c.subarray(off, off + 256)), 256);
    const gr = p.readMeters().gainReductionDb;
    expect(gr).toHaveLength(4);
    expect(gr[2]).toBeGreaterThan(15);
    expect(gr[0] + gr[1] + gr[3]).toBe(0);
    // All idle again: the four bands sum flat.
    p.setParams({ crossoversHz: [150, 1000, 5000], bands: [idle, idle, idle, idle] });
    p.reset();
    const imp = new Float32Array(SIZE);
    imp[0] = 0.5;
    const z = [new Float32Array(SIZE), new Float32Array(SIZE)];
    p.process([imp, imp], z, SIZE);
    for (let i = 0; i < SIZE; i++) z[0][i] *= 2;
    const m = magnitudeDb(z[0], SIZE);
    let worst = 0;
    for (let k = 1; k < SIZE / 2; k++) worst = Math.max(worst, Math.abs(m[k]));
    expect(worst).toBeLessThan(0.1);
  });

  it('refuses bands.length ≠ crossoversHz.length + 1 and unsorted crossovers', () => {
    expect(() => new Multiband({ crossoversHz: [100, 1000], bands: [{}, {}] })).toThrow(RangeError);
    expect(() => new Multiband({ crossoversHz: [1000, 100] })).toThrow(RangeError);
  });
});

describeProcessorContract<MultibandParams>({
  name: 'multiband',
  create: () => new Multiband(),
  params: { bands: [{ thresholdDb: -30 }, { thresholdDb: -35, ratio: 3 }, { thresholdDb: -40, ratio: 6 }] },
  latencyProbe: { bands: [idle, idle, idle] },
  paramJump: { to: { bands: [{ makeupDb: 6 }, { makeupDb: 6 }, { thresholdDb: -20 }] } },
});

describe('multiband, linear phase', () => {
  it('idle (ratio 1), the bands sum to the input delayed by latencyFrames, to float rounding', () => {
    const fs = 48000;
    const xo = [120, 1000, 6000];
    const p = new Multiband({ phase: 'linear', crossoversHz: xo, bands: [idle, idle, idle, idle] });
    p.prepare({ sampleRate: fs, channels: 2, maxBlockFrames: 700 });
    const lat = p.latencyFrames;
    expect(lat).toBeGreaterThan(0);
    const n = 3 * fs;
    let s = 987654321;
    const x = [new Float32Array(n), new Float32Array(n)];
    for (let i = 0; i < n; i++) for (const c of x) { s = (1103515245 * s + 12345) >>> 0; c[i] = 0.5 * (s / 2 ** 32 - 0.5); }
    const y = [new Float32Array(n), new Float32Array(n)];
    for (let off = 0; off < n; off += 700) {
      const k = Math.min(700, n - off);
      p.process(x.map((c) => c.subarray(off, off + k)), y.map((c) => c.subarray(off, off + k)), k);
    }
    let err = 0;
    for (let c = 0; c < 2; c++) for (let i = lat; i < n; i++) err = Math.max(err, Math.abs(y[c][i] - x[c][i - lat]));
    console.log(`multiband linear phase idle: latency ${lat} frames, worst |y - delayed x| ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-6);
  });

  it('compresses only the band a tone falls in; the bands add in amplitude (zero-phase Linkwitz-Riley magnitudes)', () => {
    const fs = 48000;
    const p = new Multiband({
      phase: 'linear',
      crossoversHz: [200, 2000],
      bands: [idle, { thresholdDb: -30, ratio: 4, kneeDb: 0, attackMs: 0, releaseMs: 1000 }, idle],
    });
    p.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 1024 });
    // Zero-phase bands: lo = M(200), mid = (1 − M(200))·M(2000), hi = (1 − M(200))·(1 − M(2000)),
    // M = 1/(1 + (f/fc)⁴) (analogue, unwarped: the FIR samples the analogue magnitude). They share one
    // phase, so they add.
    const f = 632.5;
    const w4 = (fc: number) => (f / fc) ** 4;
    const lo = 1 / (1 + w4(200));
    const mid = (w4(200) / (1 + w4(200))) * (1 / (1 + w4(2000)));
    const hi = (w4(200) / (1 + w4(200))) * (w4(2000) / (1 + w4(2000)));
    expect(lo + mid + hi).toBeCloseTo(1, 12);
    const grDb = 0.75 * (-10 + 20 * Math.log10(mid) + 30);
    const expected = 20 * Math.log10(lo + mid * 10 ** (-grDb / 20) + hi);
    const n = 2 * fs;
    const x = sine(n, -10, f, fs);
    const y = new Float32Array(n);
    for (let off = 0; off < n; off += 1024) p.process([x.subarray(off, off + 1024)], [y.subarray(off, off + 1024)], Math.min(1024, n - off));
    const lat = p.latencyFrames;
    let a = 0, b = 0;
    for (let i = fs; i < n; i++) { a += y[i] * y[i]; b += x[i - lat] * x[i - lat]; }
    const g = 10 * Math.log10(a / b);
    const m = p.readMeters().gainReductionDb;
    console.log(`multiband linear phase, mid-band tone: gain ${g.toFixed(3)} dB (theory ${expected.toFixed(3)}), GR ${m.map((v) => v.toFixed(2)).join(', ')}`);
    expect(Math.abs(g - expected)).toBeLessThan(0.2);
    expect(m[0]).toBe(0);
    expect(m[2]).toBe(0);
  });
});

describeProcessorContract<MultibandParams>({
  name: 'multiband (linear phase)',
  create: () => new Multiband({ phase: 'linear' }),
  params: { bands: [{ thresholdDb: -30 }, { thresholdDb: -35, ratio: 3 }, { thresholdDb: -40, ratio: 6 }] },
  latencyProbe: { bands: [idle, idle, idle] },
  paramJump: { to: { bands: [{ makeupDb: 6 }, { makeupDb: 6 }, { thresholdDb: -20 }] } },
});
