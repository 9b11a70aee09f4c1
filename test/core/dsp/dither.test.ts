import { describe, expect, it } from 'vitest';
import { Dither } from '../../../src/core/dsp/dither.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

describeProcessorContract({ name: 'dither', create: () => new Dither(), params: { bitDepth: 16 }, silenceOut: false, latencyProbe: { bitDepth: 16 } });

describe('Dither insert', () => {
  for (const bits of [16, 24]) {
    it(`puts every sample on the ${bits}-bit grid with TPDF error variance 1/4 LSB²`, () => {
      const d = new Dither();
      d.prepare({ sampleRate: 48000, channels: 1, maxBlockFrames: 65536 });
      d.setParams({ bitDepth: bits });
      d.reset();
      const x = Float32Array.from({ length: 65536 }, (_, i) => 0.3 * Math.sin(i * 0.01));
      const y = new Float32Array(65536);
      d.process([x], [y], 65536);
      const lsb = Math.pow(2, 1 - bits);
      let s2 = 0;
      for (let i = 0; i < y.length; i++) {
        const q = y[i] / lsb;
        expect(Math.abs(q - Math.round(q))).toBeLessThan(1e-6);
        // Error against the float32 input (float32 holds 24-bit values exactly).
        s2 += ((y[i] - x[i]) / lsb) ** 2;
      }
      // Lipshitz, Wannamaker & Vanderkooy 1992: rounding 1/12 + TPDF 1/6 = 1/4 LSB².
      expect(s2 / y.length).toBeGreaterThan(0.23);
      expect(s2 / y.length).toBeLessThan(0.27);
    });
  }
});
