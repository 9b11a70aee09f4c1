import { describe, expect, it } from 'vitest';
import { Pan, panGains } from '../../../src/core/dsp/pan.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

describeProcessorContract({
  name: 'pan (stereo balance)',
  create: () => new Pan(),
  params: { pan: 0.3 },
  latencyProbe: { pan: 0 },
  paramJump: { to: { pan: -0.8 } },
});

describe('panGains', () => {
  // Exact centre gains of the laws (their names are 20·log10 of these, rounded).
  const centre: Record<string, number> = { '0': 1, '-3': Math.SQRT1_2, '-4.5': Math.pow(0.5, 0.75), '-6': 0.5 };

  for (const law of [0, -3, -4.5, -6]) {
    it(`law ${law} dB: centre gain = 10^(law/20) (within 0.025 dB), hard left (1, 0), hard right (0, 1)`, () => {
      const [l, r] = panGains(0, law);
      expect(l).toBeCloseTo(centre[String(law)], 12);
      expect(r).toBeCloseTo(centre[String(law)], 12);
      expect(Math.abs(20 * Math.log10(l) - law)).toBeLessThan(0.025);
      expect(panGains(-1, law)).toEqual([1, 0]);
      expect(panGains(1, law)).toEqual([0, 1]);
    });
  }

  it('-3 dB law is constant power everywhere', () => {
    for (let p = -1; p <= 1; p += 0.05) {
      const [l, r] = panGains(p, -3);
      expect(l * l + r * r).toBeCloseTo(1, 12);
    }
  });

  it('-6 dB law is constant amplitude; gains are monotonic in pan', () => {
    let prevL = 2;
    for (let p = -1; p <= 1.0001; p += 0.05) {
      const [l, r] = panGains(p, -6);
      expect(l + r).toBeCloseTo(1, 12);
      const [l45] = panGains(p, -4.5);
      expect(l45).toBeLessThanOrEqual(prevL);
      prevL = l45;
    }
  });

  it('stereo sources: balance, unity at centre', () => {
    expect(panGains(0, -3, 2)).toEqual([1, 1]);
    expect(panGains(0.5, -3, 2)).toEqual([0.5, 1]);
    expect(panGains(-1, -6, 2)).toEqual([1, 0]);
  });
});

describe('Pan processor', () => {
  it('pans a mono source into two outputs with the law', () => {
    const p = new Pan(1);
    p.prepare({ sampleRate: 48000, channels: 1, maxBlockFrames: 128 });
    p.setParams({ pan: 0.5, lawDb: -3 });
    p.reset();
    const x = new Float32Array(128).fill(0.5);
    const l = new Float32Array(128);
    const r = new Float32Array(128);
    p.process([x], [l, r], 128);
    const [gl, gr] = panGains(0.5, -3);
    expect(l[100]).toBeCloseTo(0.5 * gl, 6);
    expect(r[100]).toBeCloseTo(0.5 * gr, 6);
  });

  it('passes a stereo source bit-exactly at centre', () => {
    const p = new Pan();
    p.prepare({ sampleRate: 48000, channels: 2, maxBlockFrames: 64 });
    const a = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 0.7);
    const b = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.3) * 0.7);
    const oa = new Float32Array(64);
    const ob = new Float32Array(64);
    p.process([a, b], [oa, ob], 64);
    expect(Array.from(oa)).toEqual(Array.from(a));
    expect(Array.from(ob)).toEqual(Array.from(b));
  });
});
