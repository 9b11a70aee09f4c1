import { describe, expect, it } from 'vitest';
import FFT from 'fft.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';
import { Eq, analogMagnitudeDb, type EqBand, type EqParams } from '../../../src/core/dsp/eq.js';
import { LinearPhaseEq } from '../../../src/core/dsp/linear-phase-eq.js';

const SET: EqBand[] = [
  { type: 'bell', freqHz: 1000, q: 1, gainDb: 6 },
  { type: 'highshelf', freqHz: 8000, gainDb: -4 },
  { type: 'lowshelf', freqHz: 200, gainDb: 3 },
];

describeProcessorContract<EqParams>({
  name: 'eq (linear phase)',
  create: () => new Eq({ phase: 'linear' }),
  params: { bands: SET, phase: 'linear' },
  latencyProbe: { bands: [{ type: 'bell', freqHz: 1000, gainDb: 0 }], phase: 'linear' },
});

describe('linear-phase FIR', () => {
  const fs = 48000;
  const lin = new LinearPhaseEq();
  lin.setBands(SET);
  lin.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 4096 });
  const lat = lin.latencyFrames;
  const n = 32768;
  const x = new Float32Array(n);
  x[0] = 1;
  const y = new Float32Array(n);
  for (let off = 0; off < n; off += 4096) lin.process([x.subarray(off, off + 4096)], [y.subarray(off, off + 4096)], 4096);

  it('has a symmetric impulse response centred at latencyFrames', () => {
    let peak = 0;
    let idx = 0;
    for (let i = 0; i < n; i++) if (Math.abs(y[i]) > peak) { peak = Math.abs(y[i]); idx = i; }
    expect(idx).toBe(lat);
    let asym = 0;
    for (let k = 1; k < 4000; k++) asym = Math.max(asym, Math.abs(y[lat + k] - y[lat - k]));
    expect(asym).toBeLessThan(1e-6 * peak + 1e-7);
  });

  it('matches the analogue target magnitude within 0.1 dB from 50 Hz to 0.45·fs', () => {
    const fft = new FFT(n);
    const spec = fft.createComplexArray();
    fft.realTransform(spec, Array.from(y));
    let worst = 0;
    for (let k = Math.ceil((50 * n) / fs); k < 0.45 * n; k += 7) {
      const f = (k * fs) / n;
      const target = SET.reduce((s, b) => s + analogMagnitudeDb(b, [f])[0], 0);
      const m = 10 * Math.log10(spec[2 * k] ** 2 + spec[2 * k + 1] ** 2);
      worst = Math.max(worst, Math.abs(m - target));
    }
    console.log(`linear-phase worst |dB error| 50 Hz..0.45 fs: ${worst.toFixed(4)}, latency ${lat}`);
    expect(worst).toBeLessThan(0.1);
  });
});
