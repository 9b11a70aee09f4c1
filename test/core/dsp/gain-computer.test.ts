import { describe, expect, it } from 'vitest';
import { compressorGainDb, expanderGainDb, fastExp, ratioToSlope } from '../../../src/core/dsp/gain-computer.js';

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
  it('is within 3 ulp of Math.exp over the dynamics range and beyond', () => {
    let worst = 0;
    for (let i = 0; i <= 200000; i++) {
      const x = -60 + (i / 200000) * 70 + 1e-7 * (i % 13);
      const ref = Math.exp(x);
      worst = Math.max(worst, Math.abs(fastExp(x) - ref) / (ref * Number.EPSILON));
    }
    console.log(`fastExp worst error ${worst.toFixed(2)} ulp`);
    expect(worst).toBeLessThan(3);
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-800)).toBe(Math.exp(-800));
    expect(fastExp(800)).toBe(Infinity);
    expect(Number.isNaN(fastExp(NaN))).toBe(true);
  });
});
