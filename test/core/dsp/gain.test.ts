import { describe, expect, it } from 'vitest';
import { Gain } from '../../../src/core/dsp/gain.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

describeProcessorContract({
  name: 'gain',
  create: () => new Gain(),
  params: { gainDb: -3 },
  latencyProbe: { gainDb: 0 },
  paramJump: { to: { gainDb: 12 } },
});

describe('Gain', () => {
  it('applies 10^(dB/20) once the ramp has settled, and ramps monotonically for 20 ms', () => {
    const g = new Gain();
    g.prepare({ sampleRate: 48000, channels: 1, maxBlockFrames: 4800 });
    g.setParams({ gainDb: 6 });
    const x = new Float32Array(4800).fill(0.25);
    const y = new Float32Array(4800);
    g.process([x], [y], 4800);
    const target = 0.25 * Math.pow(10, 6 / 20);
    // 20 ms at 48 kHz = 960 frames of ramp; after that the exact gain.
    expect(y[959]).toBeCloseTo(target, 6);
    expect(Math.abs(y[2000] - target)).toBeLessThan(1e-7);
    expect(y[0]).toBeLessThan(target);
    for (let i = 1; i < 960; i++) expect(y[i]).toBeGreaterThanOrEqual(y[i - 1]);
  });

  it('is bit-exact at 0 dB', () => {
    const g = new Gain();
    g.prepare({ sampleRate: 44100, channels: 1, maxBlockFrames: 64 });
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.37) * 0.9);
    const y = new Float32Array(64);
    g.process([x], [y], 64);
    expect(Array.from(y)).toEqual(Array.from(x));
  });
});
