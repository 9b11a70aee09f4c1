import { describe, expect, it } from 'vitest';
import { Polarity } from '../../../src/core/dsp/polarity.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

describeProcessorContract({ name: 'polarity', create: () => new Polarity(), params: { invert: true }, latencyProbe: { invert: false } });

describe('Polarity', () => {
  it('nulls against the input when inverted (all channels, and per channel)', () => {
    const p = new Polarity();
    p.prepare({ sampleRate: 48000, channels: 2, maxBlockFrames: 256 });
    const x = [0, 1].map((c) => Float32Array.from({ length: 256 }, (_, i) => Math.sin(i * 0.1 + c) * 0.8));
    const y = [new Float32Array(256), new Float32Array(256)];
    p.setParams({ invert: true });
    p.process(x, y, 256);
    for (let c = 0; c < 2; c++) for (let i = 0; i < 256; i++) expect(y[c][i] + x[c][i]).toBe(0);
    p.setParams({ invertChannels: [false, true] });
    p.process(x, y, 256);
    for (let i = 0; i < 256; i++) {
      expect(y[0][i]).toBe(x[0][i]);
      expect(y[1][i]).toBe(-x[1][i]);
    }
  });
});
