import { afterAll, describe, expect, it } from 'vitest';
import FFT from 'fft.js';
import { addEqDesigns, analogBandMagnitudeDb, cascadeMagnitudeDb, clearEqDesigns, designBands, eqDesignEntries, eqDesignStats, type BandSpec } from '../../../src/core/dsp/biquad-design.js';
import { BIQUAD_RAMP_MS, BiquadCascade, SUB_BLOCK } from '../../../src/core/dsp/biquad.js';

const RATES = [44100, 48000, 96000];

/** Dense log grid 20 Hz .. 0.4·fs. */
function grid(fs: number, n = 300): number[] {
  const out: number[] = [];
  for (let i = 0; i <= n; i++) out.push(20 * Math.pow((0.4 * fs) / 20, i / n));
  return out;
}

// ---- Independent oracles ----------------------------------------------------------------------
// Analogue prototypes evaluated as complex transfer functions at S = jΩ straight from their textbook
// definitions (RBJ cookbook; Butterworth 1/(1 + Ω^2n)), not through the design module's power forms.

/** |re + j·im|². */
const abs2 = (re: number, im: number): number => re * re + im * im;

function analogPower(b: BandSpec, f: number): number {
  const W = f / b.freqHz;
  const W2 = W * W;
  const q = b.q ?? (b.type === 'bell' ? 1 : b.type === 'notch' ? 2 : Math.SQRT1_2);
  const A = Math.pow(10, (b.gainDb ?? 0) / 40);
  switch (b.type) {
    case 'bell': return abs2(1 - W2, (W * A) / q) / abs2(1 - W2, W / (A * q));
    case 'lowshelf': return (A * A * abs2(A - W2, (W * Math.sqrt(A)) / q)) / abs2(1 - A * W2, (W * Math.sqrt(A)) / q);
    case 'highshelf': return (A * A * abs2(1 - A * W2, (W * Math.sqrt(A)) / q)) / abs2(A - W2, (W * Math.sqrt(A)) / q);
    case 'notch': return abs2(1 - W2, 0) / abs2(1 - W2, W / q);
    case 'bandpass': return abs2(0, W / q) / abs2(1 - W2, W / q);
    case 'tilt': {
      const k = Math.pow(10, (b.gainDb ?? 0) / 80);
      const one = (k * k * abs2(1 / k, W)) / abs2(k, W);
      return one * one;
    }
    default: {
      const n = (b.slopeDbPerOct ?? 12) / 6;
      const r = b.type === 'lowpass' ? W : 1 / W;
      return 1 / (1 + Math.pow(r, 2 * n));
    }
  }
}

/** Power of a biquad cascade at f, from the complex values of each numerator and denominator. */
function digitalPower(c: Float64Array, f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  let p = 1;
  for (let o = 0; o < c.length; o += 5) {
    const nr = c[o] + c[o + 1] * Math.cos(w) + c[o + 2] * Math.cos(2 * w);
    const ni = -(c[o + 1] * Math.sin(w) + c[o + 2] * Math.sin(2 * w));
    const dr = 1 + c[o + 3] * Math.cos(w) + c[o + 4] * Math.cos(2 * w);
    const di = -(c[o + 3] * Math.sin(w) + c[o + 4] * Math.sin(2 * w));
    p *= abs2(nr, ni) / abs2(dr, di);
  }
  return p;
}

/** Largest root modulus of 1·z² + p1·z + p2 (scaled by p0 when given). */
function rootRadius(p0: number, p1: number, p2: number): number {
  if (p0 === 0) return p1 === 0 ? 0 : Math.abs(p2 / p1);
  const b = p1 / p0;
  const c = p2 / p0;
  const d = b * b - 4 * c;
  if (d < 0) return Math.sqrt(c);
  return Math.max(Math.abs((-b + Math.sqrt(d)) / 2), Math.abs((-b - Math.sqrt(d)) / 2));
}

interface Worst { err: number; band: BandSpec | null; f: number; pole: number; zero: number }

/**
 * Worst |dB| error of the EQ design against the oracle over bands, where the analogue is within
 * [floorDb, ceilDb) (notch: linear amplitude error too), plus the largest pole and zero radii.
 */
function worstOver(bands: BandSpec[], fs: number, floorDb: number, ceilDb = Infinity): Worst {
  const f = grid(fs);
  const w: Worst = { err: 0, band: null, f: 0, pole: 0, zero: 0 };
  for (const b of bands) {
    const c = designBands([b], fs);
    for (let o = 0; o < c.length; o += 5) {
      w.pole = Math.max(w.pole, rootRadius(1, c[o + 3], c[o + 4]));
      w.zero = Math.max(w.zero, rootRadius(c[o], c[o + 1], c[o + 2]));
    }
    for (const fi of f) {
      const a = 10 * Math.log10(analogPower(b, fi));
      if (!(a >= floorDb && a < ceilDb)) continue;
      const e = Math.abs(10 * Math.log10(digitalPower(c, fi, fs)) - a);
      if (!(e <= w.err)) { w.err = e; w.band = b; w.f = fi; }
    }
  }
  return w;
}

const FREQS = [20, 30, 50, 100, 250, 600, 1500, 3000, 5000, 7000, 9000, 10000, 11000, 12000, 13000, 14000, 15000, 16000];
const report: string[] = [];
afterAll(() => console.log(report.join('\n')));

function check(name: string, w: Worst, tol: number): void {
  report.push(`${name}: worst ${w.err.toFixed(3)} dB (${JSON.stringify(w.band)} at ${w.f.toFixed(0)} Hz), max pole radius ${w.pole.toFixed(6)}, max zero radius ${w.zero.toFixed(6)}`);
  expect(w.band).not.toBeNull(); // the grid really covered something
  expect(w.err).toBeLessThan(tol);
  // Stable with margin, minimum phase: zeros inside or on the unit circle (highpass double zeros at
  // DC, notch pairs), within what root finding resolves of a double root (√ε ≈ 1e-8).
  expect(w.pole).toBeLessThan(0.99999);
  expect(w.zero).toBeLessThanOrEqual(1 + 1e-6);
}

describe('EQ band design vs analogue prototype (20 Hz..0.4·fs, 301 log points, all three rates)', () => {
  it('the oracle agrees with the module\'s own prototype (a sanity check of both)', () => {
    const bands: BandSpec[] = [
      { type: 'bell', freqHz: 1000, q: 2, gainDb: -9 }, { type: 'lowshelf', freqHz: 200, q: 0.5, gainDb: 12 },
      { type: 'highshelf', freqHz: 8000, q: 1, gainDb: -6 }, { type: 'notch', freqHz: 3000, q: 4 },
      { type: 'bandpass', freqHz: 500, q: 2 }, { type: 'tilt', freqHz: 1000, gainDb: 6 },
      { type: 'highpass', freqHz: 100, slopeDbPerOct: 42 }, { type: 'lowpass', freqHz: 5000, slopeDbPerOct: 18 },
    ];
    const f = grid(48000, 60);
    for (const b of bands) {
      const m = analogBandMagnitudeDb(b, f);
      for (let i = 0; i < f.length; i++) expect(Math.abs(m[i] - 10 * Math.log10(analogPower(b, f[i])))).toBeLessThan(1e-9);
    }
  });

  for (const fs of RATES) {
    it(`bells at ${fs} Hz: 30 Hz..16 kHz, Q 0.3..8, ±6..18 dB (0.1 dB)`, () => {
      const bands: BandSpec[] = [];
      for (const freqHz of FREQS) if (freqHz >= 30) for (const q of [0.3, 0.5, 1, 2, 4, 8]) for (const gainDb of [-18, -12, -6, 6, 12, 18]) bands.push({ type: 'bell', freqHz, q, gainDb });
      check(`bell ${fs}`, worstOver(bands, fs, -100), 0.1);
    });

    it(`shelves and tilt at ${fs} Hz: ±3..15 dB, q 0.5..1 (0.1 dB)`, () => {
      const shelves: BandSpec[] = [];
      const tilts: BandSpec[] = [];
      for (const freqHz of FREQS) {
        for (const gainDb of [-15, -9, -3, 3, 9, 15]) for (const q of [0.5, Math.SQRT1_2, 1]) {
          shelves.push({ type: 'lowshelf', freqHz, q, gainDb }, { type: 'highshelf', freqHz, q, gainDb });
        }
        for (const gainDb of [-18, -12, -6, 6, 12, 18]) tilts.push({ type: 'tilt', freqHz, gainDb });
      }
      check(`shelves ${fs}`, worstOver(shelves, fs, -100), 0.1);
      check(`tilt ${fs}`, worstOver(tilts, fs, -100), 0.1);
    });

    it(`Butterworth highpass/lowpass orders 1..8 at ${fs} Hz against 1/(1+Ω^2n), 20 Hz..16 kHz`, () => {
      const bands: BandSpec[] = [];
      for (const freqHz of FREQS) for (let n = 1; n <= 8; n++) for (const type of ['highpass', 'lowpass'] as const) bands.push({ type, freqHz, slopeDbPerOct: 6 * n });
      check(`hp/lp ${fs} (>= -20 dB)`, worstOver(bands, fs, -20), 0.1);
      check(`hp/lp ${fs} (-20..-40 dB)`, worstOver(bands, fs, -40, -20), 0.1);
    });

    it(`bandpass and notch at ${fs} Hz: Q 0.5..10, 20 Hz..16 kHz`, () => {
      const bp: BandSpec[] = [];
      const notch: BandSpec[] = [];
      for (const freqHz of FREQS) for (const q of [0.5, 1, 2, 4, 7, 10]) {
        bp.push({ type: 'bandpass', freqHz, q });
        notch.push({ type: 'notch', freqHz, q });
      }
      check(`bandpass ${fs} (>= -12 dB)`, worstOver(bp, fs, -12), 0.1);
      check(`notch ${fs} (>= -20 dB)`, worstOver(notch, fs, -20), 0.1);
      check(`notch ${fs} (-20..-40 dB)`, worstOver(notch, fs, -40, -20), 0.1);
      // Near the null, where dB errors mean nothing: linear amplitude.
      let lin = 0;
      for (const b of notch) {
        const c = designBands([b], fs);
        for (const fi of grid(fs)) lin = Math.max(lin, Math.abs(Math.sqrt(digitalPower(c, fi, fs)) - Math.sqrt(analogPower(b, fi))));
      }
      report.push(`notch ${fs}: max |Δ| linear ${lin.toFixed(4)}`);
      expect(lin).toBeLessThan(0.01);
    });
  }

  it('measured through BiquadCascade: FFT of the impulse response matches the analogue prototype', () => {
    const fs = 48000;
    const bands: BandSpec[] = [
      { type: 'bell', freqHz: 1000, q: 1.5, gainDb: 9 },
      { type: 'highshelf', freqHz: 12000, gainDb: -6 },
      { type: 'highpass', freqHz: 60, slopeDbPerOct: 24 },
      { type: 'lowpass', freqHz: 16000, slopeDbPerOct: 18 },
    ];
    const n = 65536;
    const cas = new BiquadCascade(8, 1);
    cas.setSampleRate(fs);
    cas.setBands(bands, false);
    cas.reset();
    const x = new Float32Array(n);
    x[0] = 1;
    const y = new Float32Array(n);
    cas.process([x], [y], n);
    const fft = new FFT(n);
    const spec = fft.createComplexArray();
    fft.realTransform(spec, Array.from(y));
    let worst = 0;
    for (let k = 50; k <= n * 0.4; k += 37) {
      const f = (k * fs) / n;
      let a = 0;
      for (const b of bands) a += analogBandMagnitudeDb(b, [f])[0];
      if (a < -20) continue;
      const m = 10 * Math.log10(spec[2 * k] ** 2 + spec[2 * k + 1] ** 2);
      worst = Math.max(worst, Math.abs(m - a));
    }
    report.push(`impulse-response FFT vs analogue (4-band set, 48 kHz, >= -20 dB): ${worst.toFixed(3)} dB`);
    expect(worst).toBeLessThan(0.1);
  });

  it('a 10 kHz sine through a bell at 15 kHz (44.1 kHz) has the analogue gain', () => {
    const fs = 44100;
    const band: BandSpec = { type: 'bell', freqHz: 15000, q: 2, gainDb: 12 };
    const cas = new BiquadCascade(2, 1);
    cas.setSampleRate(fs);
    cas.setBands([band], false);
    const n = 44100;
    const f0 = 13000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * f0 * i) / fs);
    const y = new Float32Array(n);
    cas.process([x], [y], n);
    // RMS over the second half (transient gone), compared with the input RMS.
    let sx = 0;
    let sy = 0;
    for (let i = n / 2; i < n; i++) { sx += x[i] * x[i]; sy += y[i] * y[i]; }
    const measured = 10 * Math.log10(sy / sx);
    const expected = analogBandMagnitudeDb(band, [f0])[0];
    report.push(`sine 13 kHz through bell 15k Q2 +12 @44.1k: measured ${measured.toFixed(3)} dB, analogue ${expected.toFixed(3)} dB`);
    expect(Math.abs(measured - expected)).toBeLessThan(0.1);
  });
});

describe('glides: work is bounded structurally (design counts, not time)', () => {
  const fs = 48000;
  const FROM: BandSpec[] = [
    { type: 'bell', freqHz: 15000, q: 0.5, gainDb: -12 },
    { type: 'lowpass', freqHz: 14000, slopeDbPerOct: 48 },
    { type: 'highshelf', freqHz: 9000, gainDb: 3 },
  ];
  const TO: BandSpec[] = [
    { type: 'bell', freqHz: 12000, q: 2, gainDb: 9 },
    { type: 'lowpass', freqHz: 16000, slopeDbPerOct: 48 },
    { type: 'highshelf', freqHz: 9000, gainDb: 3 }, // unchanged: no work at all
  ];
  const rampSubBlocks = Math.ceil((BIQUAD_RAMP_MS / 1000) * fs / SUB_BLOCK);

  function cascadeAt(bands: BandSpec[]): BiquadCascade {
    const c = new BiquadCascade(4, 1);
    c.setSampleRate(fs);
    c.setBands(bands, false);
    c.reset();
    return c;
  }

  it('a glide runs no accurate design while moving and one per moved band when it settles', () => {
    const c = cascadeAt(FROM);
    const x = new Float32Array(fs);
    const y = new Float32Array(fs);
    c.setBands(TO, true);
    const a0 = eqDesignStats.accurate;
    const f0 = eqDesignStats.fast;
    // Up to one sub-block before the glide ends: only glide designs.
    const moving = (rampSubBlocks - 1) * SUB_BLOCK;
    c.process([x], [y], moving);
    expect(eqDesignStats.accurate - a0).toBe(0);
    expect(eqDesignStats.fast - f0).toBeLessThanOrEqual(2 * rampSubBlocks);
    // Past the end of the glide and the blend: one accurate design for each of the two moved bands.
    c.process([x], [y], fs / 10);
    expect(eqDesignStats.accurate - a0).toBe(2);
    expect(c.isGliding).toBe(false);
    // Steady state: no design of any kind.
    const a1 = eqDesignStats.accurate;
    const f1 = eqDesignStats.fast;
    c.process([x], [y], fs / 10);
    expect(eqDesignStats.accurate - a1).toBe(0);
    expect(eqDesignStats.fast - f1).toBe(0);
  });

  it('after a glide settles the coefficients are the accurate static design of the target', () => {
    const c = cascadeAt(FROM);
    const x = new Float32Array(fs / 10);
    const y = new Float32Array(fs / 10);
    c.setBands(TO, true);
    c.process([x], [y], x.length);
    const got = c.coefficients();
    const want = designBands(TO, fs);
    expect(got.length).toBe(want.length);
    const f = grid(fs);
    const dg = cascadeMagnitudeDb(got, f, fs);
    const dw = cascadeMagnitudeDb(want, f, fs);
    let m = 0;
    for (let i = 0; i < f.length; i++) m = Math.max(m, Math.abs(dg[i] - dw[i]));
    expect(m).toBeLessThan(1e-9);
    // The same coefficients as designBands (what eqMagnitudeDb reports), bit for bit.
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('a revisited setting is served from the cache (A -> B -> A costs one accurate design per band)', () => {
    const c = cascadeAt(FROM);
    const x = new Float32Array(fs / 10);
    const y = new Float32Array(fs / 10);
    c.setBands(TO, true);
    c.process([x], [y], x.length);
    const a0 = eqDesignStats.accurate;
    c.setBands(FROM, true);
    c.process([x], [y], x.length);
    c.setBands(TO, true);
    c.process([x], [y], x.length);
    expect(eqDesignStats.accurate - a0).toBe(0);
  });

  it('every running coefficient set during glides, retargets and crossfades is inside the stability triangle', () => {
    const c = cascadeAt([{ type: 'bell', freqHz: 30, q: 8, gainDb: -18 }, { type: 'highpass', freqHz: 20, slopeDbPerOct: 48 }]);
    const x = new Float32Array(SUB_BLOCK);
    const y = new Float32Array(SUB_BLOCK);
    const targets: BandSpec[][] = [
      [{ type: 'bell', freqHz: 16000, q: 0.3, gainDb: 18 }, { type: 'highpass', freqHz: 15000, slopeDbPerOct: 48 }],
      [{ type: 'bell', freqHz: 20000, q: 8, gainDb: -18 }, { type: 'highpass', freqHz: 40, slopeDbPerOct: 48 }],
    ];
    let worst = -Infinity;
    for (const t of targets) {
      c.setBands(t, true);
      // Retarget half-way through the first glide too (a glide starting inside a blend).
      for (let k = 0; k < 2 * rampSubBlocks; k++) {
        if (k === 20) c.setBands(targets[0], true);
        c.process([x], [y], SUB_BLOCK);
        const co = c.coefficients();
        for (let o = 0; o < co.length; o += 5) {
          const a1 = co[o + 3];
          const a2 = co[o + 4];
          worst = Math.max(worst, Math.abs(a2) - 1, Math.abs(a1) - (1 + a2));
        }
      }
    }
    expect(worst).toBeLessThan(0);
  });

  it('a glide gives the same output for any block size (timing on the 16-sample grid)', () => {
    const n = 4800;
    const x = new Float32Array(n);
    let seed = 7;
    for (let i = 0; i < n; i++) { seed = (seed * 1664525 + 1013904223) >>> 0; x[i] = seed / 4294967296 - 0.5; }
    const run = (block: number): Float32Array => {
      const c = cascadeAt(FROM);
      const y = new Float32Array(n);
      c.process([x.subarray(0, 100)], [y.subarray(0, 100)], 100);
      c.setBands(TO, true);
      for (let off = 100; off < n; off += block) {
        const m = Math.min(block, n - off);
        c.process([x.subarray(off, off + m)], [y.subarray(off, off + m)], m);
      }
      return y;
    };
    const ref = run(1024);
    for (const block of [1, 7, 64]) expect(Array.from(run(block))).toEqual(Array.from(ref));
  });
});

describe('accurate designs are remembered (biquad-design.ts eqDesigns)', () => {
  /** Random bands of every type across the range, including ones that need the joint refinement. */
  function randomBands(seed: number, count: number): BandSpec[] {
    let s = seed;
    const r = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const types: BandSpec['type'][] = ['bell', 'lowshelf', 'highshelf', 'highpass', 'lowpass', 'notch', 'bandpass'];
    return Array.from({ length: count }, () => {
      const type = types[Math.floor(r() * types.length)];
      return { type, freqHz: 20 * Math.pow(1000, r()), gainDb: 24 * r() - 12, q: 0.3 + 8 * r() } as BandSpec;
    });
  }

  it('a design does not depend on what was designed before it, so a remembered one is exact', () => {
    const bands = randomBands(11, 40);
    for (const fs of [44100, 48000, 96000]) {
      clearEqDesigns();
      const forward = bands.map((b) => designBands([b], fs));
      // Designed afresh in reverse order, each after a different predecessor, memo cleared each time.
      const reverse = [...bands].reverse().map((b) => { clearEqDesigns(); designBands(randomBands(fs + b.freqHz, 1), fs); return designBands([b], fs); }).reverse();
      for (let i = 0; i < bands.length; i++) expect(Array.from(reverse[i]), JSON.stringify(bands[i])).toEqual(Array.from(forward[i]));
    }
  });

  it('remembers, and takes another thread\'s designs as its own', () => {
    clearEqDesigns();
    const band: BandSpec = { type: 'bell', freqHz: 1234.5, gainDb: 3.25, q: 1.7 };
    const a = designBands([band], 48000);
    const entries = eqDesignEntries();
    expect(entries.length).toBe(1);
    clearEqDesigns();
    // A deliberately wrong entry under the band's key shows that the remembered design is what is used.
    const fake = entries[0][1].map((v, i) => (i === 0 ? v * 2 : v));
    addEqDesigns([[entries[0][0], fake]]);
    expect(designBands([band], 48000)[0]).toBe(a[0] * 2);
    clearEqDesigns();
    addEqDesigns(entries);
    expect(Array.from(designBands([band], 48000))).toEqual(Array.from(a));
  });
});
