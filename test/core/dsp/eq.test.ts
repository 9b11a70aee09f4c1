import { describe, expect, it } from 'vitest';
import { describeProcessorContract } from '../../helpers/processor-contract.js';
import { Eq, EQ_PARAMS, analogMagnitudeDb, eqMagnitudeDb, type EqBand, type EqParams } from '../../../src/core/dsp/eq.js';

const SET: EqBand[] = [
  { type: 'bell', freqHz: 1000, q: 1, gainDb: 3 },
  { type: 'highshelf', freqHz: 8000, gainDb: 2 },
  { type: 'highpass', freqHz: 40, slopeDbPerOct: 24 },
];

describeProcessorContract<EqParams>({
  name: 'eq (minimum phase)',
  create: () => new Eq(),
  params: { bands: SET },
  latencyProbe: { bands: [{ type: 'bell', freqHz: 1000, gainDb: 0 }] },
  paramJump: { to: { bands: [{ type: 'bell', freqHz: 1000, q: 1, gainDb: 15 }, SET[1], SET[2]] } },
});

describeProcessorContract<EqParams>({
  name: 'eq (minimum phase, frequency jump)',
  create: () => new Eq(),
  params: { bands: SET },
  latencyProbe: 'skip',
  paramJump: { to: { bands: [{ type: 'bell', freqHz: 3000, q: 1, gainDb: 3 }, SET[1], SET[2]] } },
});

describe('eq helpers', () => {
  it('eqMagnitudeDb sums the bands and follows the analogue prototype in the passband', () => {
    const f = [100, 500, 1000, 2000, 8000];
    const d = eqMagnitudeDb(SET, f, 48000);
    for (let i = 0; i < f.length; i++) {
      const a = SET.reduce((s, b) => s + analogMagnitudeDb(b, [f[i]])[0], 0);
      expect(Math.abs(d[i] - a)).toBeLessThan(0.1);
    }
  });

  it('a structural change crossfades without a step larger than the signal allows', () => {
    const fs = 48000;
    const eq = new Eq();
    eq.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 4800 });
    eq.setParams({ bands: SET });
    eq.reset();
    const n = 9600;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 200 * i) / fs);
    const y = new Float32Array(n);
    eq.process([x.subarray(0, 4800)], [y.subarray(0, 4800)], 4800);
    eq.setParams({ bands: [{ type: 'lowpass', freqHz: 2000, slopeDbPerOct: 12 }] });
    eq.process([x.subarray(4800)], [y.subarray(4800)], 4800);
    let step = 0;
    for (let i = 4790; i < 5800; i++) step = Math.max(step, Math.abs(y[i] - y[i - 1]));
    // A 200 Hz sine at 0.5 peak (gain near 0 dB) moves at most 2π·200/48000·0.5·1.1 per sample.
    expect(step).toBeLessThan(((2 * Math.PI * 200) / fs) * 0.5 * 1.5);
  });

  it('the parameter table uses units matching the names', () => {
    expect(EQ_PARAMS.freqHz.unit).toBe('Hz');
    expect(EQ_PARAMS.gainDb.unit).toBe('dB');
    expect(EQ_PARAMS.slopeDbPerOct.unit).toBe('dB/oct');
  });
});
