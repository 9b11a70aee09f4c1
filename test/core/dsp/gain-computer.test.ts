import { describe, expect, it } from 'vitest';
import { compressorGainDb, expanderGainDb, fastExp, fastLog, ratioToSlope } from '../../../src/core/dsp/gain-computer.js';

describe('compressorGainDb (Giannoulis et al. 2012 eq. 4)', () => {
  const T = -20, R = 4, W = 10, s = ratioToSlope(R);

  it('is unity below the knee and 1/ratio above it', () => {
    expect(compressorGainDb(-40, T, s, W)).toBe(0);
    // Above the knee: output = T + (x − T)/R, so gain = output − x.
    for (const x of [-14, -10, 0, 6]) expect(compressorGainDb(x, T, s, W)).toBeCloseTo(T + (x - T) / R - x, 12);
  });

  it('has a quadratic knee continuous in value and slope at both edges', () => {
    const f = (x: number) => compressorGainDb(x, T, s, W);
    const h = 1e-6;
    for (const edge of [T - W / 2, T + W / 2]) {
      expect(Math.abs(f(edge - h) - f(edge + h))).toBeLessThan(1e-5);
      const dl = (f(edge - h) - f(edge - 2 * h)) / h;
      const dr = (f(edge + 2 * h) - f(edge + h)) / h;
      expect(Math.abs(dl - dr)).toBeLessThan(1e-4);
    }
    // At the threshold the knee gives (1/R − 1)·(W/2)²/(2W) = −s·W/8.
    expect(f(T)).toBeCloseTo((-s * W) / 8, 12);
  });

  it('is a hard knee for kneeDb 0 and no compression for ratio 1', () => {
    expect(compressorGainDb(-20.0001, T, s, 0)).toBe(0);
    expect(compressorGainDb(-10, T, s, 0)).toBeCloseTo(-7.5, 12);
    expect(compressorGainDb(0, T, ratioToSlope(1), W)).toBe(-0);
  });
});

describe('expanderGainDb', () => {
  it('expands below the threshold by the ratio and stops at the range', () => {
    // ratio 2: 10 dB below threshold → output 20 dB below → gain −10 dB.
    expect(expanderGainDb(-50, -40, 1, 60)).toBeCloseTo(-10, 12);
    expect(expanderGainDb(-30, -40, 1, 60)).toBe(0);
    expect(expanderGainDb(-100, -40, 99, 30)).toBe(-30);
  });
});

describe('fastExp', () => {
  it('is within 4e-11 (relative) of Math.exp over the dynamics range and beyond', () => {
    let worst = 0;
    for (let i = 0; i <= 200000; i++) {
      const x = -60 + (i / 200000) * 70 + 1e-7 * (i % 13);
      const ref = Math.exp(x);
      worst = Math.max(worst, Math.abs(fastExp(x) - ref) / ref);
    }
    // The truncated Taylor term at |r| = ln2/128 is r⁴/24 = 3.6e-11.
    console.log(`fastExp worst relative error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(4e-11);
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-800)).toBe(Math.exp(-800));
    expect(fastExp(800)).toBe(Infinity);
    expect(Number.isNaN(fastExp(NaN))).toBe(true);
  });
});

describe('fastLog', () => {
  it('is within 6e-11 of Math.log for float32 values and 6e-8 for float64 ones, over 1e-30..1e30', () => {
    let worst32 = 0, worst64 = 0;
    let seed = 11;
    for (let i = 0; i < 200000; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      const x = Math.exp((seed / 4294967296 - 0.5) * 138); // ±69 nepers: 1e-30..1e30
      const x32 = Math.fround(x);
      worst32 = Math.max(worst32, Math.abs(fastLog(x32) - Math.log(x32)));
      worst64 = Math.max(worst64, Math.abs(fastLog(x) - Math.log(x)));
    }
    console.log(`fastLog worst error ${worst32.toExponential(2)} (float32 arguments), ${worst64.toExponential(2)} (float64)`);
    expect(worst32).toBeLessThan(6e-11); // r⁴/4 at r = 2^-8
    expect(worst64).toBeLessThan(6e-8); // plus the float32 rounding of the argument, 2^-24
    // Exact at the table's nodes, powers of two included.
    for (const x of [1, 2, 0.5, 1024, 1 + 5 / 256, 3 * 2 ** -40]) expect(Math.abs(fastLog(x) - Math.log(x))).toBeLessThan(1e-15 * Math.max(1, Math.abs(Math.log(x))));
  });

  it('never decreases as its argument grows (the linked compressor takes the gain of the largest level)', () => {
    // Walk consecutive float32 values across table and exponent boundaries.
    const f = new Float32Array(1), bits = new Int32Array(f.buffer);
    for (const start of [1, 0.5 + 1e-3, 2 ** -20, 1 - 1e-4, 255.9]) {
      f[0] = start;
      let prev = fastLog(f[0]);
      for (let k = 0; k < 100000; k++) {
        bits[0]++;
        const v = fastLog(f[0]);
        if (v < prev) throw new Error(`fastLog decreases after ${f[0]}`);
        prev = v;
      }
    }
  });

  it('leaves 0, negative, subnormal, infinite and NaN arguments to Math.log', () => {
    expect(fastLog(0)).toBe(-Infinity);
    expect(Number.isNaN(fastLog(-1))).toBe(true);
    expect(fastLog(1e-40)).toBe(Math.log(1e-40));
    expect(fastLog(1e300)).toBe(Math.log(1e300));
    expect(fastLog(Infinity)).toBe(Infinity);
    expect(Number.isNaN(fastLog(NaN))).toBe(true);
  });
});
