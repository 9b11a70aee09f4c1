/**
 * EBU Tech 3341 (v3/v4) "EBU mode" minimum requirements, loudness cases 1-6 and 9-14, with the test
 * signals generated from the spec's descriptions (cases 7-8 are programme files; 15-23 are true-peak
 * cases, tested with the true-peak meter). Tolerance ±0.1 LU as in Tech 3341 Table 1.
 */
import { describe, expect, it } from 'vitest';
import { LoudnessMeter, type LoudnessResult } from '../../../src/core/analysis/loudness-meter.js';
import { sinePerChannel, steppedSine, type Segment } from '../../helpers/ebu-signals.js';

const FS = 48000;
const TOL = 0.1;

function measure(channels: Float32Array[], sampleRate = FS, block = 4096): LoudnessResult {
  const meter = new LoudnessMeter({ sampleRate, channels: channels.length });
  const n = channels[0].length;
  for (let o = 0; o < n; o += block) meter.push(channels.map((c) => c.subarray(o)), Math.min(block, n - o));
  return meter.result();
}

/** Every defined value of a series must be within TOL of `lufs`. */
function expectConstant(values: (number | null)[], fromIndex: number, lufs: number): void {
  const defined = values.slice(fromIndex).filter((v): v is number => v !== null);
  expect(defined.length).toBeGreaterThan(0);
  for (const v of defined) expect(Math.abs(v - lufs)).toBeLessThanOrEqual(TOL);
}

describe('EBU Tech 3341 loudness cases', () => {
  it.each([
    [1, -23],
    [2, -33],
  ])('case %i: stereo 1 kHz sine at %i dBFS, 20 s: M, S, I read the level', (_c, dbfs) => {
    const r = measure(steppedSine(FS, [{ seconds: 20, dbfs }]));
    expect(Math.abs(r.integratedLufs! - dbfs)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(r.momentaryMaxLufs! - dbfs)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(r.shortTermMaxLufs! - dbfs)).toBeLessThanOrEqual(TOL);
    expectConstant(r.series.momentaryLufs, 3, dbfs);
    expectConstant(r.series.shortTermLufs, 29, dbfs);
  });

  it.each<[number, Segment[]]>([
    [3, [{ seconds: 10, dbfs: -36 }, { seconds: 60, dbfs: -23 }, { seconds: 10, dbfs: -36 }]],
    [4, [{ seconds: 10, dbfs: -72 }, { seconds: 10, dbfs: -36 }, { seconds: 60, dbfs: -23 }, { seconds: 10, dbfs: -36 }, { seconds: 10, dbfs: -72 }]],
    [5, [{ seconds: 20, dbfs: -26 }, { seconds: 20.1, dbfs: -20 }, { seconds: 20, dbfs: -26 }]],
  ])('case %i: gated integrated loudness of a stepped stereo sine reads -23.0', (_c, segments) => {
    const r = measure(steppedSine(FS, segments));
    expect(Math.abs(r.integratedLufs! + 23)).toBeLessThanOrEqual(TOL);
  });

  it('case 6: 5.0 sine, L R -28, C -24, Ls Rs -30 dBFS, 20 s: I = -23.0 (and the same with a silent LFE)', () => {
    const five = measure(sinePerChannel(FS, 20, [-28, -28, -24, -30, -30]));
    expect(Math.abs(five.integratedLufs! + 23)).toBeLessThanOrEqual(TOL);
    const six = measure(sinePerChannel(FS, 20, [-28, -28, -24, null, -30, -30]));
    expect(Math.abs(six.integratedLufs! + 23)).toBeLessThanOrEqual(TOL);
  });

  it('case 9: 1.34 s at -20 dBFS / 1.66 s at -30 dBFS, repeated: S is -23.0 once 3 s have passed', () => {
    const period: Segment[] = [{ seconds: 1.34, dbfs: -20 }, { seconds: 1.66, dbfs: -30 }];
    const r = measure(steppedSine(FS, Array.from({ length: 5 }, () => period).flat()));
    expectConstant(r.series.shortTermLufs, 29, -23);
    expect(Math.abs(r.shortTermMaxLufs! + 23)).toBeLessThanOrEqual(TOL); // max over every 10 ms step
  });

  it('case 12: 0.18 s at -20 dBFS / 0.22 s at -30 dBFS, repeated: M is -23.0 once 400 ms have passed', () => {
    const period: Segment[] = [{ seconds: 0.18, dbfs: -20 }, { seconds: 0.22, dbfs: -30 }];
    const r = measure(steppedSine(FS, Array.from({ length: 25 }, () => period).flat()));
    expectConstant(r.series.momentaryLufs, 3, -23);
    expect(Math.abs(r.momentaryMaxLufs! + 23)).toBeLessThanOrEqual(TOL);
  });

  // Cases 10 and 13: one burst at -23 dBFS at 20 different start positions (offsets that fall anywhere
  // within the meter's 10 ms step): the maximum must read -23.0, i.e. the meter updates often enough.
  it.each([
    [10, 3, 'shortTermMaxLufs'],
    [13, 0.4, 'momentaryMaxLufs'],
  ] as const)('case %i: %f s bursts at 20 start positions: the maximum reads -23.0', (_c, burst, key) => {
    for (let k = 0; k < 20; k++) {
      const lead = 0.5 + k * 0.00137; // 0 .. 26 ms past 0.5 s in 1.37 ms steps, not aligned to the 10 ms grid
      const r = measure(steppedSine(FS, [{ seconds: lead, dbfs: null }, { seconds: burst, dbfs: -23 }, { seconds: 0.5, dbfs: null }]));
      expect(Math.abs(r[key]! + 23), `start ${lead} s`).toBeLessThanOrEqual(TOL);
    }
  });

  // Cases 11 and 14: 20 bursts from -38 to -19 dBFS in 1 dB steps at varying start positions; the meter
  // must read each level. Levels rise, so the running maximum after burst i is burst i's reading.
  it.each([
    [11, 3, 'shortTermMaxLufs'],
    [14, 0.4, 'momentaryMaxLufs'],
  ] as const)('case %i: %f s bursts at -38..-19 dBFS: each burst reads its level', (_c, burst, key) => {
    const segments: Segment[] = [];
    const ends: number[] = [];
    let t = 0;
    for (let i = 0; i < 20; i++) {
      const gap = 0.3 + i * 0.0117;
      segments.push({ seconds: gap, dbfs: null }, { seconds: burst, dbfs: -38 + i });
      t += gap + burst;
      ends.push(t);
    }
    segments.push({ seconds: 0.2, dbfs: null });
    const x = steppedSine(FS, segments);
    const meter = new LoudnessMeter({ sampleRate: FS, channels: 2 });
    let pos = 0;
    for (let i = 0; i < 20; i++) {
      const until = Math.round((ends[i] + 0.02) * FS); // 20 ms after the burst: the best window has closed
      meter.push(x.map((c) => c.subarray(pos)), until - pos);
      pos = until;
      expect(Math.abs(meter.result()[key]! - (-38 + i)), `burst ${i}`).toBeLessThanOrEqual(TOL);
    }
  });
});
