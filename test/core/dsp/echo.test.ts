import { describe, expect, it } from 'vitest';
import { Echo } from '../../../src/core/dsp/echo.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

describeProcessorContract({ name: 'echo (delay)', create: () => new Echo(), params: { timeMs: 30, feedback: 0.6, mix: 0.4 }, latencyProbe: { mix: 0 }, paramJump: { to: { mix: 0.8 } } });

describe('Echo', () => {
  it('repeats every beats·60/bpm s; each repeat has DC sum mix·feedback^(k−1) (the feedback low-pass has unity DC gain)', () => {
    const fs = 48000;
    const e = new Echo();
    e.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 4096 });
    e.setParams({ beats: 0.25, bpm: 120, feedback: 0.5, highcutHz: 3000, mix: 1 });
    e.reset();
    const n = fs;
    const x = new Float32Array(n);
    x[0] = 1;
    const y = new Float32Array(n);
    for (let off = 0; off < n; off += 4096) e.process([x.subarray(off, off + 4096)], [y.subarray(off, off + 4096)], Math.min(4096, n - off));
    const period = 0.125 * fs; // 0.25 beat at 120 bpm = 125 ms
    for (let k = 1; k <= 4; k++) {
      let s = 0;
      for (let i = k * period - 10; i < (k + 1) * period - 10; i++) s += y[i];
      expect(s).toBeCloseTo(Math.pow(0.5, k - 1), 4);
    }
    expect(y[period]).toBeCloseTo(1, 6); // first repeat is the unfiltered wet tap
    for (let i = 1; i < period; i++) expect(y[i]).toBe(0);
  });
});
