import { describe, expect, it } from 'vitest';
import { ENVELOPE_FLOOR_LU, envelopeCorrelation, groupSameParts, loudnessEnvelope, SAME_PART_CORRELATION } from '../../../../src/core/mix/automix/same-part.js';

/** A momentary-loudness series (100 ms steps): `level` while `on(t)`, silence (null) otherwise. */
const series = (n: number, level: number, on: (t: number) => boolean, wobble = 0): (number | null)[] =>
  Array.from({ length: n }, (_, t) => (on(t) ? level + wobble * Math.sin(t * 1.7) : null));

describe('same-part grouping', () => {
  it('envelopes are relative to the stem loudness and floored, so scaling a stem does not change them', () => {
    const s = series(50, -20, (t) => t % 10 < 6, 2);
    const scaled = s.map((m) => (m === null ? null : m - 12.5));
    const a = loudnessEnvelope(s, -21), b = loudnessEnvelope(scaled, -33.5);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Math.min(...a)).toBe(-ENVELOPE_FLOOR_LU);
  });

  it('correlates takes of one part at 1 and different rhythms well under the threshold', () => {
    const on = (t: number) => t % 8 < 5;
    const a = loudnessEnvelope(series(80, -20, on, 1), -20);
    const b = loudnessEnvelope(series(80, -35, on, 1), -35); // the same take, 15 dB down
    const c = loudnessEnvelope(series(80, -20, (t) => t % 12 >= 6, 1), -20); // another part, offbeat
    expect(envelopeCorrelation(a, b)).toBeCloseTo(1, 9);
    expect(envelopeCorrelation(a, c)).toBeLessThan(SAME_PART_CORRELATION - 0.3);
    // Shorter envelopes are padded with the floor; flat against moving is "different", flat against flat "same".
    const flat = loudnessEnvelope(series(80, -20, () => true), -20);
    expect(envelopeCorrelation(flat, a)).toBe(0);
    expect(envelopeCorrelation(flat, flat.subarray(0, 80))).toBe(1);
  });

  it('links same-role stems with matching envelopes, transitively, and never across roles or silent stems', () => {
    const on = (t: number) => t % 8 < 5;
    const e = (f: (t: number) => boolean) => loudnessEnvelope(series(80, -20, f, 1), -20);
    const take = e(on), other = e((t) => t % 12 >= 6);
    const parts = groupSameParts(
      ['guitar', 'guitar', 'guitar', 'keys', 'guitar', 'strings', 'strings'],
      [take, other, take, take, take, null, other],
      [true, true, true, true, false, true, true],
    );
    expect(parts[0]).toBe(0);
    expect(parts[1]).toBe(1); // a different rhythm: its own part
    expect(parts[2]).toBe(0); // same envelope as stem 0
    expect(parts[3]).toBe(3); // same envelope, other role
    expect(parts[4]).toBe(-1); // silent
    // No envelope (no loudness series): one part with its role's other stems, as before envelopes.
    expect(parts[5]).toBe(5);
    expect(parts[6]).toBe(5);
  });
});
