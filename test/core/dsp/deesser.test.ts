import { describe, expect, it } from 'vitest';
import { Deesser, type DeesserParams } from '../../../src/core/dsp/deesser.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

const FS = 48000;

function sine(frames: number, db: number, freq: number): Float32Array {
  const a = 10 ** (db / 20);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = a * Math.sin((2 * Math.PI * freq * i) / FS);
  return out;
}
const gainDb = (y: Float32Array, x: Float32Array, from: number, to: number) => {
  let a = 0, b = 0;
  for (let i = from; i < to; i++) { a += y[i] * y[i]; b += x[i] * x[i]; }
  return 10 * Math.log10(a / b);
};
function run(p: Deesser, x: Float32Array): Float32Array {
  p.prepare({ sampleRate: FS, channels: 1, maxBlockFrames: 700 });
  const y = new Float32Array(x.length);
  p.process([x], [y], x.length);
  return y;
}

/**
 * Magnitudes of the LR4 bands at f: |LP4| = 1/(1 + w⁴), |HP4| = w⁴/(1 + w⁴) for the analogue prototype
 * at the bilinear-warped normalised frequency w (the two are in phase, so they add as magnitudes).
 */
function lr4(f: number, fc: number): [number, number] {
  const w4 = (Math.tan((Math.PI * f) / FS) / Math.tan((Math.PI * fc) / FS)) ** 4;
  return [1 / (1 + w4), w4 / (1 + w4)];
}

describe('deesser', () => {
  const params = { freqHz: 5000, thresholdDb: -40, rangeDb: 12 };

  it('reduces a 7 kHz burst: the high band by the range (y = LP4(x) + g·HP4(x))', () => {
    const x = new Float32Array(FS);
    x.set(sine(FS / 2, -10, 7000).subarray(0, FS / 2), FS / 4); // burst from 0.25 s to 0.75 s
    const y = run(new Deesser(params), x);
    const got = gainDb(y, x, FS / 2, (3 * FS) / 4);
    // The burst's high band reads ≈ −15 dB RMS: 25 dB over the threshold, ×(1 − 1/4) > 12 dB, so g = −12 dB.
    const g = 10 ** (-12 / 20);
    const [lo, hi] = lr4(7000, 5000);
    const expected = 20 * Math.log10(lo + g * hi);
    console.log(`deesser 7 kHz burst: ${got.toFixed(3)} dB (theory ${expected.toFixed(3)} dB)`);
    expect(Math.abs(got - expected)).toBeLessThan(0.2);
  });

  it('leaves a 500 Hz tone alone', () => {
    const x = sine(FS / 2, -6, 500);
    const got = gainDb(run(new Deesser(params), x), x, FS / 4, FS / 2);
    console.log(`deesser 500 Hz tone: ${got.toFixed(5)} dB`);
    expect(Math.abs(got)).toBeLessThan(0.01);
  });
});

describeProcessorContract<DeesserParams>({
  name: 'deesser',
  create: () => new Deesser(),
  params: { freqHz: 3000, thresholdDb: -40 },
  // The idle de-esser is the LR4 allpass, whose impulse response peaks at n = 0 for a low enough freqHz.
  latencyProbe: { thresholdDb: 0, freqHz: 1000 },
  paramJump: { to: { thresholdDb: -30, rangeDb: 6 } },
});
