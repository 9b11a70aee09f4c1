/**
 * LoudnessMeter behaviour: BS.1770 channel weights, sample rates 8..384 kHz, null cases, block-size
 * invariance, reset, the 100 ms series, and album gating (gatedIntegratedLufs over several block lists
 * equals the loudness of the concatenated programme).
 */
import { describe, expect, it } from 'vitest';
import { gatedIntegratedLufs, loudnessRangeLu } from '../../../src/core/analysis/loudness-gating.js';
import { LoudnessMeter, type LoudnessResult } from '../../../src/core/analysis/loudness-meter.js';
import { colourNoise, mulberry32, steppedSine, whiteNoise } from '../../helpers/ebu-signals.js';

function measure(channels: Float32Array[], sampleRate: number, block = 4096): { r: LoudnessResult; meter: LoudnessMeter } {
  const meter = new LoudnessMeter({ sampleRate, channels: channels.length });
  const n = channels[0].length;
  for (let o = 0; o < n; o += block) meter.push(channels.map((c) => c.subarray(o)), Math.min(block, n - o));
  return { r: meter.result(), meter };
}

describe('LoudnessMeter', () => {
  it.each([8000, 11025, 22050, 44100, 48000, 96000, 192000, 384000])(
    'a stereo 1 kHz sine at -23 dBFS reads -23.0 ±0.1 LUFS at %i Hz', (fs) => {
      const { r } = measure(steppedSine(fs, [{ seconds: 4, dbfs: -23 }]), fs);
      for (const v of [r.integratedLufs, r.momentaryMaxLufs, r.shortTermMaxLufs]) expect(Math.abs(v! + 23)).toBeLessThanOrEqual(0.1);
    });

  it('weights a surround channel by G = 1.41 (BS.1770 Table 3, ≈ +1.5 dB) over a front channel and excludes the LFE (5.1)', () => {
    const fs = 48000;
    const noise = whiteNoise(fs * 5, mulberry32(7));
    const silent = new Float32Array(noise.length);
    const at = (idx: number) => measure(Array.from({ length: 6 }, (_, c) => (c === idx ? noise : silent)), fs).r.integratedLufs;
    const left = at(0), ls = at(4), lfe = at(3);
    expect(Math.abs(ls! - left! - 10 * Math.log10(1.41))).toBeLessThan(1e-9);
    expect(lfe).toBeNull();
    // Identical noise in L and R (stereo) reads +3.01 dB over L alone: channel powers add.
    const both = measure([noise, noise], fs).r.integratedLufs!;
    expect(Math.abs(both - measure([noise, silent], fs).r.integratedLufs! - 10 * Math.log10(2))).toBeLessThan(1e-9);
  });

  it('gives null loudness for zero-length, < 400 ms and digitally silent input', () => {
    const fs = 48000;
    const empty = new LoudnessMeter({ sampleRate: fs, channels: 2 }).result();
    const short = measure(steppedSine(fs, [{ seconds: 0.39, dbfs: -10 }]), fs).r;
    const silence = measure([new Float32Array(fs * 5), new Float32Array(fs * 5)], fs).r;
    for (const r of [empty, short, silence]) {
      expect(r.integratedLufs).toBeNull();
      expect(r.momentaryMaxLufs).toBeNull();
      expect(r.shortTermMaxLufs).toBeNull();
      expect(r.loudnessRangeLu).toBeNull();
    }
    // 400 ms exactly: one gating block, momentary defined, short-term not yet (window not full).
    const one = measure(steppedSine(fs, [{ seconds: 0.4, dbfs: -20 }]), fs).r;
    expect(one.integratedLufs).not.toBeNull();
    expect(one.shortTermMaxLufs).toBeNull();
  });

  it('gives the same result for any block size, and after reset()', () => {
    const fs = 44100;
    const x = [whiteNoise(fs * 4, mulberry32(1)), whiteNoise(fs * 4, mulberry32(2))];
    colourNoise(x[0], fs, 'lowpass', 300, 0.7);
    const ref = measure(x, fs, x[0].length).r;
    for (const block of [1, 7, 441, 1024]) expect(measure(x, fs, block).r).toEqual(ref);
    const { meter } = measure(x, fs);
    meter.reset();
    meter.push(x, x[0].length);
    expect(meter.result()).toEqual(ref);
  });

  it('reports a 100 ms series: momentary from 0.4 s, short-term from 3 s, each the level of its window', () => {
    const fs = 48000;
    const { r } = measure(steppedSine(fs, [{ seconds: 5, dbfs: -20 }]), fs);
    expect(r.series.stepSeconds).toBe(0.1);
    expect(r.series.momentaryLufs.length).toBe(50);
    expect(r.series.momentaryLufs.slice(0, 3)).toEqual([null, null, null]);
    expect(r.series.shortTermLufs.slice(0, 29).every((v) => v === null)).toBe(true);
    for (const v of [...r.series.momentaryLufs.slice(3), ...r.series.shortTermLufs.slice(29)]) expect(Math.abs(v! + 20)).toBeLessThan(0.05);
  });

  it('album gating over per-track block lists equals the integrated loudness of the concatenation (±0.01 LU)', () => {
    const fs = 48000;
    const rand = mulberry32(11);
    const tracks = [-18, -24, -30, -21].map((db, i) => {
      const x = whiteNoise(Math.round((12 + 3 * i) * fs), rand);
      colourNoise(x, fs, i % 2 ? 'lowpass' : 'highpass', 200 + 500 * i, 0.7);
      let ms = 0;
      for (let j = 0; j < x.length; j++) ms += x[j] * x[j];
      const g = Math.pow(10, db / 20) / Math.sqrt(ms / x.length);
      for (let j = 0; j < x.length; j++) x[j] *= g;
      return x;
    });
    const perTrack = tracks.map((t) => measure([t], fs).meter);
    const concat = new Float32Array(tracks.reduce((n, t) => n + t.length, 0));
    let o = 0;
    for (const t of tracks) { concat.set(t, o); o += t.length; }
    const whole = measure([concat], fs).meter;
    const album = gatedIntegratedLufs(perTrack.map((m) => m.gatingBlockPowers()));
    expect(Math.abs(album! - whole.result().integratedLufs!)).toBeLessThan(0.01);
    // Album LRA from the per-track short-term lists vs the concatenation's: the lists differ only by the
    // windows that straddle track boundaries, so agree within Tech 3342's ±1 LU.
    const albumLra = loudnessRangeLu(perTrack.map((m) => m.shortTermPowers()));
    expect(Math.abs(albumLra! - whole.result().loudnessRangeLu!)).toBeLessThan(1);
    // A single list gives the single-track value.
    expect(gatedIntegratedLufs(perTrack[0].gatingBlockPowers())).toBe(perTrack[0].result().integratedLufs);
  });

  it('gates by BS.1770: blocks below -70 LUFS or 10 LU under the gated mean are ignored', () => {
    // Two levels 20 LU apart with equal block counts: the quiet blocks fall under the relative gate.
    const loud = 10 ** ((-20 + 0.691) / 10);
    const quiet = 10 ** ((-40 + 0.691) / 10);
    const blocks = Float64Array.from([...Array(50).fill(loud), ...Array(50).fill(quiet), ...Array(20).fill(1e-12)]);
    expect(Math.abs(gatedIntegratedLufs(blocks)! + 20)).toBeLessThan(1e-9);
    expect(gatedIntegratedLufs(Float64Array.from([1e-12, 0]))).toBeNull();
    expect(loudnessRangeLu(Float64Array.from([loud]))).toBeNull();
  });

  it('rejects invalid options', () => {
    expect(() => new LoudnessMeter({ sampleRate: 4000, channels: 2 })).toThrow(RangeError);
    expect(() => new LoudnessMeter({ sampleRate: 48000, channels: 0 })).toThrow(RangeError);
    expect(() => new LoudnessMeter({ sampleRate: 48000, channels: 2, weights: [1] })).toThrow(RangeError);
  });
});
