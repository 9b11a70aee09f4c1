import { describe, expect, it } from 'vitest';
import { magnitudeDb } from '../../helpers/fft-magnitude.js';
import { Multiband, type MultibandParams } from '../../../src/core/dsp/multiband.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

const SIZE = 1 << 15;
const idle = { ratio: 1, makeupDb: 0 };

function sine(frames: number, db: number, freq: number, fs: number): Float32Array {
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = 10 ** (db / 20) * Math.sin((2 * Math.PI * freq * i) / fs);
  return out;
}

describe('multiband', () => {
  for (const [fs, xo] of [[44100, [200, 2000]], [48000, [120, 1000, 6000]], [96000, [300]]] as [number, number[]][]) {
    it(`is flat within 0.1 dB when idle (ratio 1): ${xo.length + 1} bands at ${fs} Hz`, () => {
      const p = new Multiband({ crossoversHz: xo, bands: xo.map(() => idle).concat([idle]) });
      p.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 512 });
      const imp = new Float32Array(SIZE);
      imp[0] = 0.5;
      const y = new Float32Array(SIZE);
      p.process([imp], [y], SIZE);
      for (let i = 0; i < SIZE; i++) y[i] *= 2;
      const m = magnitudeDb(y, SIZE);
      let worst = 0;
      for (let k = 1; k < SIZE / 2; k++) worst = Math.max(worst, Math.abs(m[k]));
      console.log(`multiband idle ${xo.join('/')} Hz at ${fs} Hz: worst deviation ${worst.toExponential(2)} dB`);
      expect(worst).toBeLessThan(0.1);
    });
  }

  it('compresses only the band a tone falls in, and meters per band', () => {
    const fs = 48000;
    const p = new Multiband({
      crossoversHz: [200, 2000],
      bands: [idle, { thresholdDb: -30, ratio: 4, kneeDb: 0, attackMs: 0, releaseMs: 1000 }, idle],
    });
    p.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 1024 });
    // All LR4 bands (with allpass compensation) share one phase, so magnitudes add. At the tone the
    // analogue (bilinear-warped) band magnitudes are lo = |LP4(200)|, mid = |HP4(200)|·|LP4(2000)|,
    // hi = |HP4(2000)|; the mid band reads −10 dB + 20·log10(mid) peak, 20 dB over the threshold.
    const f = 632.5;
    const w4 = (fc: number) => (Math.tan((Math.PI * f) / fs) / Math.tan((Math.PI * fc) / fs)) ** 4;
    const lo = 1 / (1 + w4(200)), hi = w4(2000) / (1 + w4(2000));
    const mid = (w4(200) / (1 + w4(200))) * (1 / (1 + w4(2000)));
    const grDb = 0.75 * (-10 + 20 * Math.log10(mid) + 30);
    const expected = 20 * Math.log10(lo + mid * 10 ** (-grDb / 20) + hi);
    const x = sine(fs, -10, f, fs);
    const y = new Float32Array(fs);
    p.process([x], [y], fs / 2);
    p.readMeters(); // drop the start-up transient from the peak-hold meters
    p.process([x.subarray(fs / 2)], [y.subarray(fs / 2)], fs / 2);
    let a = 0, b = 0;
    for (let i = fs / 2; i < fs; i++) { a += y[i] * y[i]; b += x[i] * x[i]; }
    const g = 10 * Math.log10(a / b);
    const m = p.readMeters().gainReductionDb;
    console.log(`multiband mid-band tone: gain ${g.toFixed(3)} dB (theory ${expected.toFixed(3)}), meters ${m.map((v) => v.toFixed(3)).join(', ')} (theory GR ${grDb.toFixed(3)})`);
    expect(Math.abs(g - expected)).toBeLessThan(0.2);
    expect(m[0]).toBe(0);
    expect(m[2]).toBe(0);
    expect(Math.abs(m[1] - grDb)).toBeLessThan(0.2);
  });

  it('refuses bands.length ≠ crossoversHz.length + 1 and unsorted crossovers', () => {
    expect(() => new Multiband({ crossoversHz: [100, 1000], bands: [{}, {}] })).toThrow(RangeError);
    expect(() => new Multiband({ crossoversHz: [1000, 100] })).toThrow(RangeError);
  });
});

describeProcessorContract<MultibandParams>({
  name: 'multiband',
  create: () => new Multiband(),
  params: { bands: [{ thresholdDb: -30 }, { thresholdDb: -35, ratio: 3 }, { thresholdDb: -40, ratio: 6 }] },
  latencyProbe: { bands: [idle, idle, idle] },
  paramJump: { to: { bands: [{ makeupDb: 6 }, { makeupDb: 6 }, { thresholdDb: -20 }] } },
});
