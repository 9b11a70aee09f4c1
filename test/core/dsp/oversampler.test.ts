import { describe, expect, it } from 'vitest';
import { CascadeOversampler, Oversampler } from '../../../src/core/dsp/oversampler.js';
import {
  designHalfbandFor,
  differenceSplit,
  firMagnitude,
  halfbandStopbandPeak,
  secondDifferenceBound,
} from '../../../src/core/dsp/oversampler-design.js';

const db = (x: number) => 20 * Math.log10(x);

describe('Oversampler filter response (from its own FIR coefficients, analytic DTFT)', () => {
  for (const factor of [2, 4, 8] as const) {
    it(`factor ${factor}, 16 taps/phase: flat passband, deep stopband`, () => {
      const os = new Oversampler({ factor });
      const h = os.coefficients;
      // Frequencies in base-rate fractions; the filter runs at factor·fs.
      let ripple = 0;
      for (let f = 0; f <= 0.3; f += 0.002) ripple = Math.max(ripple, Math.abs(db(firMagnitude(h, f / factor) / factor)));
      let stop = 0;
      for (let f = 0.7; f <= factor / 2; f += 0.002) stop = Math.max(stop, firMagnitude(h, f / factor) / factor);
      console.log(`factor ${factor} T16: passband ripple 0..0.3fs ${ripple.toFixed(4)} dB, stopband >= 0.7fs ${db(stop).toFixed(1)} dB`);
      expect(ripple).toBeLessThan(0.01);
      expect(db(stop)).toBeLessThan(-60);
    });
  }
  it('meter filter (8x, 32 taps/phase, beta 5.25): ripple < 0.01 dB to 0.39 fs, true-peak error < 0.1 dB to 0.45 fs', () => {
    const os = new Oversampler({ factor: 8, tapsPerPhase: 32, kaiserBeta: 5.25 });
    const h = os.coefficients;
    let ripple = 0;
    let err = 0;
    for (let f = 0; f <= 0.45; f += 0.0025) {
      const a = firMagnitude(h, f / 8) / 8;
      if (f <= 0.39) ripple = Math.max(ripple, Math.abs(db(a)));
      err = Math.max(err, Math.abs(a - 1) + firMagnitude(h, (1 - f) / 8) / 8);
    }
    console.log(`meter filter: ripple 0..0.39fs ${ripple.toFixed(4)} dB; worst |H(f)-1|+|H(fs-f)| to 0.45fs ${db(1 + err).toFixed(3)} dB`);
    expect(ripple).toBeLessThan(0.01);
    expect(db(1 + err)).toBeLessThan(0.1);
  });
});

function sig(n: number, seed = 1): Float32Array {
  let s = seed;
  const x = new Float32Array(n);
  let lp = 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    lp = 0.7 * lp + 0.3 * (s / 2 ** 32 - 0.5);
    x[i] = lp;
  }
  return x;
}

describe('Oversampler streaming', () => {
  it('block sizes 1, 7, 1024 give identical upsample and downsample output', () => {
    const n = 3000;
    const x = sig(n);
    const run = (block: number) => {
      const os = new Oversampler({ factor: 4 });
      os.prepare(1, 1024);
      const up = new Float32Array(n * 4);
      const down = new Float32Array(n);
      const tmpUp = new Float32Array(block * 4);
      const tmpDown = new Float32Array(block);
      for (let s = 0; s < n; s += block) {
        const m = Math.min(block, n - s);
        os.upsample(0, x, m, tmpUp, s);
        up.set(tmpUp.subarray(0, m * 4), s * 4);
        os.downsample(0, tmpUp, m, tmpDown);
        down.set(tmpDown.subarray(0, m), s);
      }
      return { up, down };
    };
    const a = run(1024);
    for (const b of [1, 7]) {
      const r = run(b);
      expect(Array.from(r.up)).toEqual(Array.from(a.up));
      expect(Array.from(r.down)).toEqual(Array.from(a.down));
    }
  });

  for (const factor of [2, 4, 8] as const) {
    it(`factor ${factor}: upsample → downsample reconstructs a band-limited signal delayed by latencyFrames`, () => {
      const os = new Oversampler({ factor });
      os.prepare(1, 512);
      const fs = 48000;
      const n = 8192;
      const x = new Float32Array(n);
      const freqs = [97, 1000, 5123, 12000, 0.3 * fs];
      for (let i = 0; i < n; i++) for (const f of freqs) x[i] += 0.18 * Math.sin(2 * Math.PI * (f / fs) * i + f);
      const up = new Float32Array(n * factor);
      const y = new Float32Array(n);
      os.upsample(0, x, n, up);
      os.downsample(0, up, n, y);
      const d = os.latencyFrames;
      expect(Number.isInteger(d)).toBe(true);
      let e = 0;
      let p = 0;
      for (let i = 2 * d; i < n; i++) {
        e += (y[i] - x[i - d]) ** 2;
        p += x[i - d] ** 2;
      }
      const errDb = 10 * Math.log10(e / p);
      console.log(`factor ${factor}: latency ${d} frames, reconstruction error ${errDb.toFixed(1)} dB`);
      expect(errDb).toBeLessThan(-60);
    });
  }

  it('upsample keeps DC level at every phase and passes the original samples through phase 0', () => {
    const os = new Oversampler({ factor: 4 });
    os.prepare(1, 256);
    const x = new Float32Array(256).fill(0.5);
    const up = new Float32Array(1024);
    os.upsample(0, x, 256, up);
    for (let i = 200 * 4; i < 1024; i++) expect(up[i]).toBeCloseTo(0.5, 6);
    const r = sig(256, 3);
    os.reset();
    os.upsample(0, r, 256, up);
    const d = os.upsampleDelayFrames;
    for (let i = d; i < 256; i++) expect(up[i * 4]).toBe(r[i - d]);
  });
});

describe('differenceSplit (exact bound identity used by the true-peak meter)', () => {
  const os = new Oversampler({ factor: 8, tapsPerPhase: 32, kaiserBeta: 5.25 });
  const t = 32;
  const binom = (m: number) => {
    const c = [1];
    for (let k = 0; k < m; k++) {
      c.push(0);
      for (let i = c.length - 1; i > 0; i--) c[i] += c[i - 1];
    }
    return c;
  };
  for (const [start, width, order] of [[15, 2, 2], [12, 8, 2], [14, 4, 4], [12, 8, 6]] as const) {
    it(`window ${start}+${width}, order ${order}: Σh·x = inner·x + Σ g·Δ^m x for every phase`, () => {
      let s = 7;
      const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      const b = binom(order);
      for (let p = 1; p < 8; p++) {
        const h = os.branches.subarray(p * t, (p + 1) * t);
        const split = differenceSplit(h, start, width, order);
        expect(split.weights.length).toBe(t - order);
        for (let trial = 0; trial < 5; trial++) {
          const x = Array.from({ length: t }, rnd);
          let y = 0;
          for (let j = 0; j < t; j++) y += h[j] * x[j];
          let z = 0;
          for (let i = 0; i < width; i++) z += split.inner[i] * x[start + i];
          for (let j = 0; j < split.weights.length; j++) {
            let d = 0;
            for (let q = 0; q <= order; q++) d += ((order - q) % 2 ? -1 : 1) * b[q] * x[j + q];
            z += split.weights[j] * d;
          }
          expect(Math.abs(z - y)).toBeLessThan(1e-10);
        }
      }
    });
  }
  it('the linear split reproduces secondDifferenceBound', () => {
    let g = 0;
    for (let p = 1; p < 8; p++) g = Math.max(g, differenceSplit(os.branches.subarray(p * t, (p + 1) * t), 15, 2, 2).weightSum);
    expect(g).toBeCloseTo(secondDifferenceBound(os.branches, 8, t), 12);
  });
});

describe('CascadeOversampler (half-band stages + sharp 2x decimation low-pass)', () => {
  const configs = [
    { factor: 4 as const, passband: 0.45 },
    { factor: 8 as const, passband: 0.45 },
    { factor: 8 as const, passband: 20000 / 48000 },
  ];

  /** Runs x through upsample → downsample in blocks of `block`; returns the output. */
  function roundTrip(os: CascadeOversampler, x: Float32Array, block: number): Float32Array {
    const y = new Float32Array(x.length);
    const up = new Float64Array(block * os.factor);
    for (let off = 0; off < x.length; off += block) {
      const n = Math.min(block, x.length - off);
      os.upsample(0, x, n, up, off);
      os.downsample(0, up, n, y.subarray(off, off + n));
    }
    return y;
  }

  for (const cfg of configs) {
    const name = `factor ${cfg.factor}, pass band ${cfg.passband.toFixed(3)}·fs`;

    it(`${name}: D2 pass band flat to the edge, stopband from 0.5·fs at least 89 dB down`, () => {
      const os = new CascadeOversampler({ ...cfg, attenuationDb: 90 });
      const h = os.downTaps; // runs at 2·fs
      let ripple = 0;
      for (let f = 0; f <= cfg.passband; f += 0.001) ripple = Math.max(ripple, Math.abs(db(firMagnitude(h, f / 2))));
      let stop = 0;
      for (let f = 0.5; f <= 1; f += 0.0005) stop = Math.max(stop, firMagnitude(h, f / 2));
      expect(ripple).toBeLessThan(0.001);
      expect(db(stop)).toBeLessThan(-89);
    });

    it(`${name}: a pass-band signal comes back as a pure delay of latencyFrames`, () => {
      const os = new CascadeOversampler({ ...cfg, attenuationDb: 90 });
      os.prepare(1, 256);
      const len = 4096;
      // Two tones inside the pass band (0.05 and 0.9·passband of fs).
      const f1 = 0.05;
      const f2 = 0.9 * cfg.passband;
      const x = Float32Array.from({ length: len }, (_, i) => 0.4 * Math.sin(2 * Math.PI * f1 * i) + 0.4 * Math.sin(2 * Math.PI * f2 * i + 1));
      const y = roundTrip(os, x, 256);
      const d = os.latencyFrames;
      expect(Number.isInteger(d)).toBe(true);
      let err = 0;
      for (let i = 1000; i < len; i++) err = Math.max(err, Math.abs(y[i] - x[i - d]));
      expect(err).toBeLessThan(1e-4); // ≈ −90 dB ripple of a handful of stages
    });

    it(`${name}: upsample() output j is x(j/factor − upsampleDelayFrames)`, () => {
      const os = new CascadeOversampler({ ...cfg, attenuationDb: 90 });
      os.prepare(1, 512);
      const f = 0.11;
      const x = Float32Array.from({ length: 512 }, (_, i) => Math.sin(2 * Math.PI * f * i));
      const up = new Float64Array(512 * cfg.factor);
      os.upsample(0, x, 512, up);
      let err = 0;
      for (let j = 300 * cfg.factor; j < 512 * cfg.factor; j++) {
        err = Math.max(err, Math.abs(up[j] - Math.sin(2 * Math.PI * f * (j / cfg.factor - os.upsampleDelayFrames))));
      }
      expect(err).toBeLessThan(1e-4);
    });

    it(`${name}: any block size gives the same output`, () => {
      const x = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i * 0.37) * Math.cos(i * 0.011));
      const ref = roundTrip(prepared(cfg, 1024), x, 1024);
      for (const b of [1, 7, 64]) expect(roundTrip(prepared(cfg, b), x, b)).toEqual(ref);
    });
  }

  function prepared(cfg: { factor: 4 | 8; passband: number }, block: number): CascadeOversampler {
    const os = new CascadeOversampler({ ...cfg, attenuationDb: 90 });
    os.prepare(1, block);
    return os;
  }

  it('rejects oversampled content above the base Nyquist (what would alias) by at least 88 dB', () => {
    // Tones synthesised directly at the 8x rate between 0.5·fs and 4·fs: after downsample() nothing may
    // remain (the old single-stage design let 0.5..0.56·fs through its transition band).
    const os = new CascadeOversampler({ factor: 8, passband: 0.45, attenuationDb: 90 });
    const frames = 4096;
    const up = new Float64Array(frames * 8);
    const y = new Float32Array(frames);
    let worst = 0;
    for (const f of [0.5, 0.505, 0.55, 0.7, 1.2, 1.5, 2.5, 3.5, 3.6, 3.95]) {
      os.prepare(1, frames);
      for (let j = 0; j < up.length; j++) up[j] = Math.sin((2 * Math.PI * f * j) / 8);
      os.downsample(0, up, frames, y);
      let peak = 0;
      for (let i = 2000; i < frames; i++) peak = Math.max(peak, Math.abs(y[i]));
      worst = Math.max(worst, peak);
    }
    console.log(`CascadeOversampler 8x: worst residue above fs/2 ${db(worst).toFixed(1)} dB`);
    expect(db(worst)).toBeLessThan(-88);
  });

  it('designHalfbandFor meets its stopband and keeps every other tap implicit (DC gain 1)', () => {
    for (const [att, edge] of [[90, 0.225], [90, 0.1375], [95, 0.06875]] as const) {
      const a = designHalfbandFor(att, edge);
      expect(db(halfbandStopbandPeak(a, 0.5 - edge))).toBeLessThan(-(att - 1));
      let s = 0;
      for (const v of a) s += 2 * v;
      expect(s).toBeCloseTo(1, 12);
    }
  });

  it('has an integral latency for every design and rejects bad options', () => {
    for (const factor of [4, 8] as const) {
      for (const passband of [0.25, 0.3, 0.4, 0.4167, 0.45, 0.47]) {
        for (const attenuationDb of [80, 90, 95]) {
          const os = new CascadeOversampler({ factor, passband, attenuationDb });
          expect(Number.isInteger(os.latencyFrames)).toBe(true);
        }
      }
    }
    expect(() => new CascadeOversampler({ passband: 0.5 })).toThrow(RangeError);
    expect(() => new CascadeOversampler({ factor: 2 as 4 })).toThrow(RangeError);
  });
});
