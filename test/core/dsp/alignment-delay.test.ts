import { describe, expect, it } from 'vitest';
import { AlignmentDelay } from '../../../src/core/dsp/alignment-delay.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

describeProcessorContract({ name: 'alignment-delay', create: () => new AlignmentDelay(), params: { delayFrames: 20.37 }, latencyProbe: { delayFrames: 0 } });

const FS = 48000;

function delayed(d: number, x: Float32Array): Float32Array {
  const p = new AlignmentDelay();
  p.prepare({ sampleRate: FS, channels: 1, maxBlockFrames: 1024 });
  p.setParams({ delayFrames: d });
  p.reset();
  const y = new Float32Array(x.length);
  for (let off = 0; off < x.length; off += 1024) p.process([x.subarray(off, off + 1024)], [y.subarray(off, off + 1024)], Math.min(1024, x.length - off));
  return y;
}

describe('AlignmentDelay', () => {
  it('integer delays are exact copies; latencyFrames stays 0', () => {
    const x = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i * 0.3) * 0.5);
    const y = delayed(37, x);
    for (let i = 37; i < 4096; i++) expect(y[i]).toBe(x[i - 37]);
    expect(new AlignmentDelay().latencyFrames).toBe(0);
  });

  for (const [d, fmax, tolDb] of [[100.37, 0.4, -60], [100.5, 0.4, -60], [3.25, 0.25, -35]] as const) {
    it(`fractional delay ${d} frames matches the analytic delayed sine to ${tolDb} dB up to ${fmax}·fs`, () => {
      let worst = -Infinity;
      for (const f of [0.01, 0.1, 0.2, fmax]) {
        const x = Float32Array.from({ length: 8192 }, (_, i) => Math.sin(2 * Math.PI * f * i));
        const y = delayed(d, x);
        let err = 0;
        for (let i = 1024; i < 8192; i++) err = Math.max(err, Math.abs(y[i] - Math.sin(2 * Math.PI * f * (i - d))));
        worst = Math.max(worst, 20 * Math.log10(err + 1e-12));
      }
      console.log(`alignment delay ${d}: worst error ${worst.toFixed(1)} dB re full scale up to ${fmax}·fs`);
      expect(worst).toBeLessThan(tolDb);
    });
  }

  it('delayMs and delayFrames add', () => {
    const x = Float32Array.from({ length: 2048 }, (_, i) => (i === 10 ? 1 : 0));
    const p = new AlignmentDelay();
    p.prepare({ sampleRate: FS, channels: 1, maxBlockFrames: 2048 });
    p.setParams({ delayMs: 1, delayFrames: 2 });
    const y = new Float32Array(2048);
    p.process([x], [y], 2048);
    expect(y[10 + 50]).toBe(1);
  });
});
