import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../../src/core/analysis/analyzer.js';
import { LoudnessMeter } from '../../../src/core/analysis/loudness-meter.js';
import { SignalStats } from '../../../src/core/analysis/signal-stats.js';
import { TruePeakMeter } from '../../../src/core/analysis/true-peak-meter.js';
import { channelWeights } from '../../../src/core/audio/channel-layout.js';

const fs = 48000;
function music(n: number): Float32Array[] {
  let seed = 3;
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  let a = 0;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    a = 0.95 * a + 0.05 * (seed / 2 ** 32 - 0.5);
    l[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / fs) + 2 * a;
    r[i] = 0.25 * Math.sin((2 * Math.PI * 660 * i) / fs) + a;
  }
  return [l, r];
}
function analyse(ch: Float32Array[], block = 4096) {
  const an = new Analyzer({ sampleRate: fs, channels: ch.length });
  const n = ch[0].length;
  for (let s = 0; s < n; s += block) an.push(ch.map((c) => c.subarray(s)), Math.min(block, n - s));
  return an.result();
}

describe('Analyzer', () => {
  it('NaN/Inf are counted and measured as zeros', () => {
    const n = fs * 3;
    const zeros = music(n);
    const bad = zeros.map((c) => c.slice());
    const pos = [100, 5000, 77777, 140000];
    pos.forEach((p, k) => {
      zeros[k % 2][p] = 0;
      bad[k % 2][p] = [NaN, Infinity, -Infinity, NaN][k];
    });
    const a = analyse(zeros, 1000);
    const b = analyse(bad, 1000);
    expect(b.nonFiniteSamples).toBe(4);
    expect(b.warnings.some((w) => w.code === 'non-finite')).toBe(true);
    const { nonFiniteSamples: _a, warnings: _w, ...restA } = a;
    const { nonFiniteSamples: _b, warnings: _v, ...restB } = b;
    expect(restB).toEqual(restA);
    for (const k of ['integratedLufs', 'truePeakDbtp', 'samplePeakDbfs', 'rmsDbfs', 'correlation', 'crestDb', 'plrDb'] as const) {
      expect(b[k]).toBe(a[k]);
    }
    expect(b.spectrum).toEqual(a.spectrum);
    expect(b.dcOffset).toEqual(a.dcOffset);
  });
  it('silence: null loudness and peaks, silent warning', () => {
    const r = analyse([new Float32Array(fs), new Float32Array(fs)]);
    expect(r.integratedLufs).toBeNull();
    expect(r.truePeakDbtp).toBeNull();
    expect(r.samplePeakDbfs).toBeNull();
    expect(r.rmsDbfs).toBeNull();
    expect(r.crestDb).toBeNull();
    expect(r.plrDb).toBeNull();
    expect(r.correlation).toBeNull();
    expect(r.warnings.map((w) => w.code)).toContain('silent');
  });
  it('full-scale sine: rms -3.01, crest 3.01, PLR = TP - I; too-short and dc-offset warnings', () => {
    const n = fs * 2;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 997 * i) / fs));
    const r = analyse([x, x]);
    expect(r.rmsDbfs!).toBeCloseTo(-3.0103, 2);
    expect(r.crestDb!).toBeCloseTo(3.0103, 2);
    expect(r.plrDb!).toBeCloseTo(r.truePeakDbtp! - r.integratedLufs!, 9);
    expect(Math.abs(r.truePeakDbtp!)).toBeLessThan(0.05);
    const short = analyse([Float32Array.from({ length: fs / 10 }, () => 0.02)]);
    expect(short.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['too-short', 'dc-offset']));
  });

  it('with truePeak: false, peaks metered outside on the blocks push() returns give the same result', () => {
    const n = fs * 2;
    const ch = music(n);
    ch[0][1234] = NaN;
    ch[1][45678] = -Infinity;
    const reference = analyse(ch);
    const an = new Analyzer({ sampleRate: fs, channels: 2, truePeak: false });
    const meter = new TruePeakMeter({ sampleRate: fs, channels: 2 });
    for (let s = 0; s < n; s += 4096) {
      const frames = Math.min(4096, n - s);
      meter.push(an.push(ch.map((c) => c.subarray(s)), frames), frames);
    }
    expect(() => an.result()).toThrow(/setTruePeaks/);
    an.setTruePeaks(meter.peaks());
    expect(an.result()).toEqual(reference);
    expect(() => an.setTruePeaks([1])).toThrow(RangeError);
  });
  it('statistics from the loudness pass equal SignalStats and LoudnessMeter run on their own (stereo, mono, 5.1 with LFE)', () => {
    const [l, r] = music(fs * 4);
    const layouts: Float32Array[][] = [
      [l, r],
      [l],
      // 5.1: L R C LFE Ls Rs; the LFE (weight 0) is never K-weighted, so its stats come from SignalStats' own pass.
      [l, r, Float32Array.from(l, (v, i) => 0.5 * v + 0.2 * r[i]), Float32Array.from(r, (v) => 0.9 * v), r, l],
    ];
    for (const ch of layouts) {
      const n = ch[0].length;
      const an = analyse(ch, 3000);
      const stats = new SignalStats(ch.length);
      const meter = new LoudnessMeter({ sampleRate: fs, channels: ch.length, weights: channelWeights(ch.length) });
      for (let s = 0; s < n; s += 3000) {
        const k = Math.min(3000, n - s);
        stats.push(ch.map((c) => c.subarray(s)), k);
        meter.push(ch.map((c) => c.subarray(s)), k);
      }
      const peaks = stats.samplePeaks();
      const ms = stats.meanSquares();
      for (let c = 0; c < ch.length; c++) {
        expect(an.channelStats![c].samplePeakDbfs).toBe(20 * Math.log10(peaks[c]));
        expect(Math.abs(an.channelStats![c].rmsDbfs! - 10 * Math.log10(ms[c]))).toBeLessThan(1e-9);
        expect(Math.abs(an.dcOffset[c] - stats.dcOffsets()[c])).toBeLessThan(1e-12);
      }
      if (ch.length >= 2) expect(Math.abs(an.correlation! - stats.correlation()!)).toBeLessThan(1e-12);
      else expect(an.correlation).toBeNull();
      expect(an.integratedLufs).toBe(meter.result().integratedLufs);
      expect(an.loudnessRangeLu).toBe(meter.result().loudnessRangeLu);
    }
  });
  it('a NaN block is rolled back out of the loudness meter: loudness equals the zeroed signal measured in one go', () => {
    const ch = music(fs * 5);
    const bad = ch.map((c) => c.slice());
    // One bad sample per channel in different blocks, and a block that is all NaN on one channel.
    bad[0][fs + 17] = NaN;
    bad[1][3 * fs + 5] = -Infinity;
    bad[1].fill(NaN, 4 * fs, 4 * fs + 4096);
    const clean = bad.map((c) => Float32Array.from(c, (v) => (Number.isFinite(v) ? v : 0)));
    const meter = new LoudnessMeter({ sampleRate: fs, channels: 2 });
    meter.push(clean, clean[0].length);
    const want = meter.result();
    for (const block of [1000, 4096, 65536]) {
      const got = analyse(bad, block);
      expect(got.nonFiniteSamples).toBe(4098);
      expect(got.integratedLufs).toBe(want.integratedLufs);
      expect(got.momentaryMaxLufs).toBe(want.momentaryMaxLufs);
      expect(got.shortTermMaxLufs).toBe(want.shortTermMaxLufs);
      expect(got.loudnessRangeLu).toBe(want.loudnessRangeLu);
    }
  });
});
