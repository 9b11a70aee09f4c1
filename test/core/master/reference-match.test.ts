import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../../src/core/analysis/analyzer.js';
import { Eq } from '../../../src/core/dsp/eq.js';
import { FineSpectrum } from '../../../src/core/master/fine-spectrum.js';
import {
  decideReferenceMatch, MATCH_BANDS_HZ, MATCH_EQ_RANGE_DB, matchBandLevels, refineReferenceEq, refineWidthPercent, spectralRolloffHz,
  WIDTH_MAX_PERCENT, type MatchAnalysis,
} from '../../../src/core/master/reference-match.js';
import type { EqBand } from '../../../src/core/master/eq-fit.js';

const FS = 48000;
const SECONDS = 8;

/** Seeded uniform noise (xorshift32), -1..1. */
function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

/** Stereo noise coloured by an EQ (independent channels), scaled by `gain`. */
function coloured(bands: EqBand[], seed: number, gain = 0.1): Float32Array[] {
  const n = FS * SECONDS;
  const x = [noise(n, seed), noise(n, seed + 7)].map((c) => c.map((v) => v * gain));
  return applyEq(x, bands);
}

function applyEq(x: Float32Array[], bands: EqBand[]): Float32Array[] {
  if (bands.length === 0) return x.map((c) => c.slice());
  const eq = new Eq();
  const block = 4096;
  eq.prepare({ sampleRate: FS, channels: 2, maxBlockFrames: block });
  eq.setParams({ bands });
  eq.reset();
  const out = x.map((c) => new Float32Array(c.length));
  for (let i = 0; i < x[0].length; i += block) {
    const m = Math.min(block, x[0].length - i);
    eq.process(x.map((c) => c.subarray(i, i + m)), out.map((c) => c.subarray(i, i + m)), m);
  }
  return out;
}

function analyse(x: Float32Array[]): MatchAnalysis {
  const an = new Analyzer({ sampleRate: FS, channels: 2, series: false });
  const fine = new FineSpectrum(FS, 2);
  an.push(x, x[0].length);
  fine.push(x, x[0].length);
  return { analysis: { file: 'x', ...an.result() }, fine: fine.result() };
}

/**
 * Tonal distance as shared/eval/masterscore.py defines it: levels matched in total power, bands more than
 * 50 dB under the reference's loudest clamped to that floor, mean over active bands removed, RMS.
 */
function distance(a: (number | null)[], b: (number | null)[]): number {
  const la = a.map((v) => v ?? -300), lb = b.map((v) => v ?? -300);
  const tot = (v: number[]) => 10 * Math.log10(v.reduce((s, x) => s + Math.pow(10, x / 10), 0));
  const shift = tot(lb) - tot(la);
  const floor = Math.max(...lb) - 50;
  const d: number[] = [];
  la.forEach((x, k) => {
    const p = Math.max(x + shift, floor), q = Math.max(lb[k], floor);
    if (p > floor || q > floor) d.push(p - q);
  });
  const m = d.reduce((s, x) => s + x, 0) / d.length;
  return Math.sqrt(d.reduce((s, x) => s + (x - m) * (x - m), 0) / d.length);
}

describe('reference matching EQ', () => {
  // A: dark noise with a low-mid hump; B: bright, scooped noise: about 6 dB RMS apart.
  const a = coloured([
    { type: 'highshelf', freqHz: 3000, q: 0.7, gainDb: -8 },
    { type: 'bell', freqHz: 300, q: 1, gainDb: 6 },
  ], 1);
  const b = coloured([
    { type: 'lowshelf', freqHz: 120, q: 0.7, gainDb: 5 },
    { type: 'bell', freqHz: 800, q: 1.2, gainDb: -5 },
    { type: 'highshelf', freqHz: 6000, q: 0.7, gainDb: 4 },
  ], 99, 0.05);
  const ia = analyse(a), rb = analyse(b);

  it('matches coloured noise A to coloured noise B within 1 dB RMS (1/3-octave, loudness-normalised)', () => {
    const before = distance(matchBandLevels(ia.fine), matchBandLevels(rb.fine));
    expect(before).toBeGreaterThan(4);
    const d = decideReferenceMatch(ia, rb, { match: ['eq'] });
    const once = applyEq(a, d.eq);
    const onceFine = analyse(once).fine;
    const after1 = distance(matchBandLevels(onceFine), matchBandLevels(rb.fine));
    expect(after1).toBeLessThan(1.5);
    // The measured second pass corrects what the one-shot fit left.
    refineReferenceEq(d, onceFine);
    const twice = applyEq(a, d.eq);
    const after2 = distance(matchBandLevels(analyse(twice).fine), matchBandLevels(rb.fine));
    expect(after2).toBeLessThan(1);
    expect(after2).toBeLessThanOrEqual(after1 + 0.05);
    expect(d.eqPlan?.refinements).toBe(1);
  });

  it('keeps the curve within its bound and leaves identical spectra alone', () => {
    const d = decideReferenceMatch(ia, rb, { match: ['eq'] });
    for (const v of d.eqPlan?.desiredDb ?? []) expect(Math.abs(v)).toBeLessThanOrEqual(MATCH_EQ_RANGE_DB + 1e-9);
    const same = decideReferenceMatch(ia, ia, { match: ['eq'] });
    for (const band of same.eq) expect(Math.abs(band.gainDb)).toBeLessThan(0.5);
  });

  it('does not chase a reference low-pass (codec roll-off) and reports it', () => {
    // A steep codec-like low-pass at 14 kHz (two 48 dB/oct Butterworths).
    const lp = applyEq(b, [0, 1].map(() => ({ type: 'lowpass', freqHz: 14000, slopeDbPerOct: 48, gainDb: 0 }) as EqBand));
    const r = analyse(lp);
    const roll = spectralRolloffHz(r.fine);
    expect(roll).not.toBeNull();
    expect(roll as number).toBeGreaterThan(13000);
    expect(roll as number).toBeLessThan(17000);
    const d = decideReferenceMatch(ia, r, { match: ['eq'] });
    expect(d.measurement.lowpassHz).toBe(roll);
    const top = MATCH_BANDS_HZ.length - 1;
    expect(d.eqPlan?.valid[top]).toBe(false);
    // The top band follows its neighbour's correction, not the -40 dB cliff.
    const desired = d.eqPlan?.desiredDb ?? [];
    expect(Math.abs(desired[top] - desired[top - 1])).toBeLessThan(1);
    expect(spectralRolloffHz(ia.fine)).toBeNull();
  });
});

describe('width matching', () => {
  it('moves the measured output onto the target side/mid ratio, within the bounds', () => {
    // Output 2 dB narrower than wanted at 120 %: 120 · 10^(2/20) ≈ 151 -> clamped.
    expect(refineWidthPercent(120, -10, -8)).toBe(WIDTH_MAX_PERCENT);
    expect(refineWidthPercent(120, -10, -9)).toBe(Math.round(120 * Math.pow(10, 1 / 20)));
    expect(refineWidthPercent(100, -10, -10)).toBe(100);
  });
});
