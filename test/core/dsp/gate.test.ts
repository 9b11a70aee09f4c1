import { describe, expect, it } from 'vitest';
import { DETECTOR_DECAY_MS, Expander, Gate, type GateParams } from '../../../src/core/dsp/gate.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

const FS = 48000;

function sineSegments(segments: [number, number][], freq = 1000): Float32Array {
  const total = segments.reduce((s, [n]) => s + n, 0);
  const out = new Float32Array(total);
  let i = 0;
  for (const [n, db] of segments) {
    const a = 10 ** (db / 20);
    for (let k = 0; k < n; k++, i++) out[i] = a * Math.sin((2 * Math.PI * freq * i) / FS);
  }
  return out;
}

function run(p: Gate, x: Float32Array): Float32Array {
  p.prepare({ sampleRate: FS, channels: 1, maxBlockFrames: 512 });
  const y = new Float32Array(x.length);
  p.process([x], [y], x.length);
  return y;
}

const gainDb = (y: Float32Array, x: Float32Array, from: number, to: number) => {
  let a = 0, b = 0;
  for (let i = from; i < to; i++) { a += y[i] * y[i]; b += x[i] * x[i]; }
  return 10 * Math.log10(a / b);
};
/** Gain in dB over the 1 ms (one 1 kHz cycle) starting at i. */
const gainAt = (y: Float32Array, x: Float32Array, i: number) => gainDb(y, x, i, i + FS / 1000);

describe('gate', () => {
  it('attenuates below the threshold by rangeDb and passes above it', () => {
    // It starts open and closes with the 100 ms release: measure after 10 release times.
    const x = sineSegments([[FS * 1.5, -60]]);
    const y = run(new Gate(undefined, { thresholdDb: -40, rangeDb: 30, ratio: 50 }), x);
    const below = gainDb(y, x, FS, FS * 1.5);
    const xl = sineSegments([[FS / 2, -20]]);
    const above = gainDb(run(new Gate(undefined, { thresholdDb: -40, rangeDb: 30, ratio: 50 }), xl), xl, FS / 4, FS / 2);
    console.log(`gate range 30 dB: ${below.toFixed(3)} dB below threshold, ${above.toFixed(4)} dB above`);
    expect(Math.abs(below + 30)).toBeLessThan(0.2);
    expect(Math.abs(above)).toBeLessThan(0.01);
  });

  it('opens with the attack time (63 % of the change in dB within 10 %)', () => {
    const n0 = FS / 2;
    const x = sineSegments([[n0, -60], [FS / 4, -20]]);
    const y = run(new Gate(undefined, { thresholdDb: -40, rangeDb: 30, ratio: 50, attackMs: 5 }), x);
    // Per-sample gain: the sine never hits 0 exactly at these sample positions except i ≡ 0 mod 24.
    const g = (i: number) => 20 * Math.log10(Math.abs(y[i] / x[i]));
    let i = n0 + 1;
    while (g(i) < -30 * Math.exp(-1)) i++;
    const t = ((i - n0) * 1000) / FS;
    console.log(`gate attack 5 ms measured ${t.toFixed(3)} ms`);
    expect(Math.abs(t - 5) / 5).toBeLessThan(0.1);
  });

  it('holds for holdMs after the level falls below the threshold, then closes with the release', () => {
    const n0 = FS / 2;
    const x = sineSegments([[n0, -10], [FS, -60]]);
    const holdMs = 100, releaseMs = 20;
    const y = run(new Gate(undefined, { thresholdDb: -40, rangeDb: 30, ratio: 50, attackMs: 1, holdMs, releaseMs }), x);
    // The peak envelope falls from −10 dB with DETECTOR_DECAY_MS: it crosses −40 dB after τ·ln(10^(30/20)).
    const cross = n0 + Math.round((DETECTOR_DECAY_MS / 1000) * Math.log(10 ** 1.5) * FS);
    const hold = (holdMs / 1000) * FS;
    const open = gainAt(y, x, cross + hold - FS / 500);
    const closed = gainAt(y, x, cross + hold + Math.round((5 * releaseMs * FS) / 1000));
    console.log(`gate hold: ${open.toFixed(3)} dB just before the hold ends, ${closed.toFixed(3)} dB after 5 release times`);
    expect(open).toBeGreaterThan(-0.1);
    expect(closed).toBeLessThan(-30 * (1 - Math.exp(-4.5)));
  });
});

describe('expander', () => {
  it('attenuates (ratio − 1) dB per dB below the threshold, limited by rangeDb', () => {
    let worst = 0;
    for (const [level, expected] of [[-30, 0], [-45, -5], [-50, -10], [-60, -20], [-90, -40]]) {
      const x = sineSegments([[FS * 1.5, level]]);
      const g = gainDb(run(new Expander({ thresholdDb: -40, ratio: 2, rangeDb: 40 }), x), x, FS, FS * 1.5);
      worst = Math.max(worst, Math.abs(g - expected));
    }
    console.log(`expander ratio 2 static curve worst error ${worst.toFixed(3)} dB`);
    expect(worst).toBeLessThan(0.2);
  });
});

describeProcessorContract<GateParams>({
  name: 'gate',
  create: () => new Gate(),
  params: { thresholdDb: -25, rangeDb: 40 },
  latencyProbe: { rangeDb: 0 },
  paramJump: { to: { thresholdDb: -35, rangeDb: 20 } },
});

describeProcessorContract<GateParams>({
  name: 'expander (key sidechain)',
  create: () => new Expander(),
  params: { thresholdDb: -20 },
  sidechain: true,
  latencyProbe: { rangeDb: 0 },
  paramJump: { to: { thresholdDb: -30, ratio: 3 } },
});
