import { describe, expect, it } from 'vitest';
import { FineSpectrum } from '../../../src/core/master/fine-spectrum.js';
import { detectResonances, ResonanceControl, type Resonance } from '../../../src/core/master/resonance-control.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

const FS = 48000;
const RES: Resonance = { freqHz: 1000, q: 6, excessDb: 8, thresholdDb: -30, ratio: 2, maxCutDb: 3, persistence: null };

describeProcessorContract({
  name: 'resonance-control',
  create: () => new ResonanceControl(),
  params: { resonances: [RES], attackMs: 5, releaseMs: 120 },
  latencyProbe: { resonances: [] },
});

function rms(x: Float32Array, from: number): number {
  let s = 0;
  for (let i = from; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / (x.length - from));
}

function sine(freq: number, amp: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / FS));
}

describe('ResonanceControl', () => {
  it('cuts a loud tone at the resonance by maxCutDb and leaves a tone 3 octaves away alone', () => {
    const p = new ResonanceControl();
    p.prepare({ sampleRate: FS, channels: 1, maxBlockFrames: 1024 });
    p.setParams({ resonances: [RES] });
    p.reset();
    // Tone at 0 dB detector level (amp 1 → 3.01 dB + 10log10(0.5) = 0 dB): 30 dB over the threshold,
    // ratio 2 asks for 15 dB, capped at 3 dB. A bell of -3 dB at its centre: gain 10^(-3/20).
    const x = sine(1000, 1, FS);
    const y = new Float32Array(x.length);
    for (let o = 0; o < x.length; o += 1024) p.process([x.subarray(o, o + 1024)], [y.subarray(o, o + 1024)], Math.min(1024, x.length - o));
    expect(20 * Math.log10(rms(y, FS / 2) / rms(x, FS / 2))).toBeCloseTo(-3, 1);
    p.reset();
    const x2 = sine(8000, 1, FS);
    const y2 = new Float32Array(x2.length);
    p.process([x2], [y2], 1024); // block size is free: contract tests check it
    for (let o = 1024; o < x2.length; o += 1024) p.process([x2.subarray(o, o + 1024)], [y2.subarray(o, o + 1024)], Math.min(1024, x2.length - o));
    expect(Math.abs(20 * Math.log10(rms(y2, FS / 2) / rms(x2, FS / 2)))).toBeLessThan(0.1);
  });

  it('does not cut below the threshold', () => {
    const p = new ResonanceControl();
    p.prepare({ sampleRate: FS, channels: 1, maxBlockFrames: FS });
    p.setParams({ resonances: [RES] });
    p.reset();
    const x = sine(1000, 0.01, FS); // -40 dB detector level, 10 dB under the threshold
    const y = new Float32Array(x.length);
    p.process([x], [y], x.length);
    expect(Math.abs(20 * Math.log10(rms(y, FS / 2) / rms(x, FS / 2)))).toBeLessThan(0.05);
  });
});

describe('detectResonances', () => {
  it('finds a tone standing 20 dB out of noise, and nothing in plain noise', () => {
    let seed = 7;
    const rnd = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 4294967296 - 0.5; };
    const n = FS * 4;
    const noise = Float32Array.from({ length: n }, () => 0.2 * rnd());
    const fsNoise = new FineSpectrum(FS, 1);
    fsNoise.push([noise], n);
    expect(detectResonances(fsNoise.result())).toEqual([]);
    const withTone = Float32Array.from(noise, (v, i) => v + 0.05 * Math.sin((2 * Math.PI * 2500 * i) / FS));
    const fsTone = new FineSpectrum(FS, 1);
    fsTone.push([withTone], n);
    const found = detectResonances(fsTone.result());
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(Math.abs(Math.log2(found[0].freqHz / 2500))).toBeLessThan(1 / 24);
    expect(found[0].maxCutDb).toBeLessThanOrEqual(3);
  });
});

describe('detectResonances: persistence', () => {
  let seed = 11;
  const rnd = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 4294967296 - 0.5; };
  const n = FS * 24;
  const noise = Float32Array.from({ length: n }, () => 0.2 * rnd());
  const spectrumOf = (x: Float32Array) => { const f = new FineSpectrum(FS, 1); f.push([x], x.length); return f.result(); };

  it('keeps 4 s segments of the programme', () => {
    expect(spectrumOf(noise).segmentLevelsDb.length).toBe(6);
  });

  it('treats a peak that rings all through the programme (a resonance)', () => {
    const x = Float32Array.from(noise, (v, i) => v + 0.05 * Math.sin((2 * Math.PI * 2500 * i) / FS));
    const found = detectResonances(spectrumOf(x));
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(Math.abs(Math.log2(found[0].freqHz / 2500))).toBeLessThan(1 / 24);
    expect(found[0].persistence).toBeGreaterThanOrEqual(0.75);
  });

  it('leaves a peak that is there a third of the time (a note of the music), unless persistence is not asked for', () => {
    // Loud enough that the long-term average alone would call it a resonance.
    const x = Float32Array.from(noise, (v, i) => v + (i < n / 3 ? 0.15 : 0) * Math.sin((2 * Math.PI * 2500 * i) / FS));
    const fine = spectrumOf(x);
    expect(detectResonances(fine)).toEqual([]);
    const all = detectResonances(fine, { minPersistence: 0 });
    expect(all.length).toBeGreaterThanOrEqual(1);
    // 8 s of 24, in segments of 23 FFT windows (3.9 s): the tone reaches into a third segment.
    expect(all[0].persistence).toBeGreaterThanOrEqual(1 / 3);
    expect(all[0].persistence).toBeLessThan(0.75);
  });

  it('bounds the segments on a long programme (10 min at 8 kHz: at most 48)', () => {
    const rate = 8000;
    const f = new FineSpectrum(rate, 1);
    const block = Float32Array.from({ length: rate }, () => 0.2 * rnd());
    for (let s = 0; s < 600; s++) f.push([block], block.length);
    const segs = f.result().segmentLevelsDb.length;
    expect(segs).toBeLessThanOrEqual(48);
    expect(segs).toBeGreaterThanOrEqual(24);
  });
});
