/**
 * EBU Tech 3342 (v3/v4) loudness range, cases 1-4: stepped stereo 1 kHz sines (signals generated from the
 * spec's descriptions; cases 5-6 are programme files). Tolerance ±1 LU as in Tech 3342 Table 1.
 */
import { describe, expect, it } from 'vitest';
import { LoudnessMeter } from '../../../src/core/analysis/loudness-meter.js';
import { steppedSine, type Segment } from '../../helpers/ebu-signals.js';

const FS = 48000;

function lra(segments: Segment[]): number | null {
  const x = steppedSine(FS, segments);
  const meter = new LoudnessMeter({ sampleRate: FS, channels: 2 });
  for (let o = 0; o < x[0].length; o += 4800) meter.push(x.map((c) => c.subarray(o)), Math.min(4800, x[0].length - o));
  return meter.result().loudnessRangeLu;
}

describe('EBU Tech 3342 loudness range cases', () => {
  it.each<[number, number, Segment[]]>([
    [1, 10, [{ seconds: 20, dbfs: -20 }, { seconds: 20, dbfs: -30 }]],
    [2, 5, [{ seconds: 20, dbfs: -20 }, { seconds: 20, dbfs: -15 }]],
    [3, 20, [{ seconds: 20, dbfs: -40 }, { seconds: 20, dbfs: -20 }]],
    [4, 15, [-50, -35, -20, -35, -50].map((dbfs) => ({ seconds: 20, dbfs }))],
  ])('case %i: LRA reads %i LU ±1', (_c, expected, segments) => {
    const value = lra(segments);
    expect(value).not.toBeNull();
    expect(Math.abs(value! - expected)).toBeLessThanOrEqual(1);
  });
});
