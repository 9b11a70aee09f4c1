import { describe, expect, it } from 'vitest';
import { LoudnessMeter } from '../../../src/core/analysis/loudness-meter.js';
import { TruePeakMeter } from '../../../src/core/analysis/true-peak-meter.js';
import { decideLoudnessMaximiser, decideMaximiserForHeavyLimiting, MAXIMISER_CLIP_ABOVE_CEILING_DB, MAXIMISER_ENGAGE_GR_DB } from '../../../src/core/master/loudness-maximiser.js';
import { searchLimiterDrive, SATURATION_SLOPE, type DrivePass } from '../../../src/core/master/loudness-search.js';
import { MasteringChain, masteringInserts, maximiserClipParams, type MasteringStages } from '../../../src/core/master/mastering-chain.js';
import { Saturator } from '../../../src/core/dsp/saturator.js';

const FS = 48000;

/** Saturating model: slope 1 at low drive, tending to 0 (L → lSat). */
const satCurve = (lSat: number, d: number) => lSat - 4 * Math.exp(-Math.max(0, d) / 1.5);
const saturating = (lSat: number) => async (d: number): Promise<DrivePass> => ({ driveDb: d, integratedLufs: satCurve(lSat, d), truePeakDbtp: null });

/** Dense, peaky test programme: seeded noise with 2 ms spikes every 50 ms (crest factor far above the noise's). */
function peaky(seconds: number): Float32Array[] {
  const n = FS * seconds;
  let s = 12345;
  const ch = [new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    for (const c of ch) {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      const spike = i % 2400 < 96 ? 6 : 1;
      c[i] = 0.05 * spike * (s / 2147483648 - 1);
    }
  }
  return ch;
}

function render(x: Float32Array[], st: MasteringStages, drive: number): { lufs: number; tp: number } {
  const block = 1024;
  const chain = new MasteringChain(st, { sampleRate: FS, channels: 2, maxBlockFrames: block });
  chain.restart(drive);
  const m = new LoudnessMeter({ sampleRate: FS, channels: 2 });
  const tp = new TruePeakMeter({ sampleRate: FS, channels: 2 });
  const out = [new Float32Array(block), new Float32Array(block)];
  for (let i = 0; i < x[0].length; i += block) {
    const k = Math.min(block, x[0].length - i);
    chain.process(x.map((c) => c.subarray(i, i + k)), out, k);
    const v = out.map((c) => c.subarray(0, k));
    m.push(v, k);
    tp.push(v, k);
  }
  return { lufs: m.result().integratedLufs as number, tp: 20 * Math.log10(Math.max(...tp.peaks())) };
}

describe('limiter saturation and the loudness maximiser', () => {
  it('stops a saturated search early, reports the flat segment, and asks for the maximiser', async () => {
    const r = await searchLimiterDrive(saturating(-9.5), { targetLufs: -9, initialDriveDb: 0, maxPasses: 12 });
    expect(r.converged).toBe(false);
    expect(r.saturation).not.toBeNull();
    const s = r.saturation!;
    expect(s.slopeLuPerDb).toBeLessThan(SATURATION_SLOPE);
    // The reported slope is the model's secant between the two drives.
    const l = (d: number) => satCurve(-9.5, d);
    expect(s.slopeLuPerDb).toBeCloseTo((l(s.toDriveDb) - l(s.fromDriveDb)) / (s.toDriveDb - s.fromDriveDb), 9);
    expect(r.passes.length).toBeLessThan(12);
    const dec = decideLoudnessMaximiser(r, -9);
    expect(dec?.settings.clipAboveCeilingDb).toBe(MAXIMISER_CLIP_ABOVE_CEILING_DB);
    expect(dec?.startDriveDb).toBe(s.fromDriveDb);
  });

  it('engages for heavy limiting only above the gain reduction it leaves the limiter', () => {
    expect(decideMaximiserForHeavyLimiting(MAXIMISER_ENGAGE_GR_DB, 10)).toBeNull();
    expect(decideMaximiserForHeavyLimiting(1.2, 10)).toBeNull();
    const d = decideMaximiserForHeavyLimiting(MAXIMISER_ENGAGE_GR_DB + 0.5, 10)!;
    expect(d.trigger).toEqual({ kind: 'heavy-limiting', limiterGainReductionDb: MAXIMISER_ENGAGE_GR_DB + 0.5 });
    expect(d.startDriveDb).toBe(10);
    expect(d.settings.clipAboveCeilingDb).toBe(MAXIMISER_CLIP_ABOVE_CEILING_DB);
  });

  it('does not engage when the limiter alone lands the target', async () => {
    const r = await searchLimiterDrive(saturating(-9.5), { targetLufs: -10, initialDriveDb: 0 });
    expect(r.converged).toBe(true);
    expect(r.saturation).toBeNull();
    expect(decideLoudnessMaximiser(r, -10)).toBeNull();
  });

  it('goes past the limiter-only loudness limit and keeps the true-peak ceiling', () => {
    const x = peaky(6);
    const base: MasteringStages = { eq: [], resonances: [], multiband: null, imager: null, limiter: { ceilingDbtp: -1, inputGainDb: 0, releaseMs: 100, lookaheadMs: 5 } };
    const limOnly = [12, 24].map((d) => render(x, base, d));
    const maxi = render(x, { ...base, maximiser: { clipAboveCeilingDb: MAXIMISER_CLIP_ABOVE_CEILING_DB } }, 24);
    // The limiter alone has flattened out (12 dB more drive buys less than 3 LU) ...
    expect(limOnly[1].lufs - limOnly[0].lufs).toBeLessThan(3);
    // ... the clipper stage keeps loudness rising, and the ceiling holds (true peak, 4x meter).
    expect(maxi.lufs).toBeGreaterThan(limOnly[1].lufs + 1);
    for (const r of [...limOnly, maxi]) expect(r.tp).toBeLessThanOrEqual(-1 + 1e-6);
    // The reported chain carries the clipper in front of the limiter.
    const ins = masteringInserts({ ...base, maximiser: { clipAboveCeilingDb: 3 }, limiter: { ...base.limiter, inputGainDb: 24 } });
    expect(ins.map((i) => i.type)).toEqual(['saturator', 'limiter']);
  });

  it('clips only above the ceiling: a driven sine under it passes unchanged, one far over it ends under the clip level', () => {
    const ceiling = -1;
    const drive = 10;
    const params = maximiserClipParams({ clipAboveCeilingDb: MAXIMISER_CLIP_ABOVE_CEILING_DB }, drive, ceiling);
    expect(params).toMatchObject({ curve: 'knee', kneeDb: MAXIMISER_CLIP_ABOVE_CEILING_DB, mix: 1 });
    // Peak of the sine after the limiter's drive, dBFS -> the clipper's output peak in the same scale.
    const through = (drivenPeakDb: number) => {
      const sat = new Saturator();
      sat.prepare({ sampleRate: FS, channels: 1, maxBlockFrames: 1024 });
      sat.setParams(params);
      sat.reset();
      const n = 16384;
      const amp = 10 ** ((drivenPeakDb - drive) / 20); // the clipper sees the signal before the drive
      const x = Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * 211 * i) / FS));
      const y = new Float32Array(n);
      for (let i = 0; i < n; i += 1024) sat.process([x.subarray(i, i + 1024)], [y.subarray(i, i + 1024)], 1024);
      const lat = sat.latencyFrames;
      let err = 0;
      let peak = 0;
      for (let i = lat + 4096; i < n; i++) {
        err = Math.max(err, Math.abs(y[i] - x[i - lat]));
        peak = Math.max(peak, Math.abs(y[i]));
      }
      return { errDb: 20 * Math.log10(err / amp), peakDb: 20 * Math.log10(peak) + drive };
    };
    // 0.5 dB under the ceiling: untouched (only the oversampler's ripple and rounding remain).
    expect(through(ceiling - 0.5).errDb).toBeLessThan(-90);
    // 12 dB over the ceiling: bent to under ceiling + clipAboveCeilingDb, and clearly clipped.
    const hot = through(ceiling + 12);
    expect(hot.peakDb).toBeLessThan(ceiling + MAXIMISER_CLIP_ABOVE_CEILING_DB);
    expect(hot.peakDb).toBeGreaterThan(ceiling);
  });
});
