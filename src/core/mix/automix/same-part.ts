/**
 * Which stems of one role are the same musical part: several microphones on one source (kick in / out,
 * a guitar recorded as "L" and "R" files, ten kit mics), a double-tracked or unison-doubled line. Those
 * share their role's level (balance.ts); different parts that merely have the same role (a rhythm and a
 * lead guitar, two piano parts) each get the full role level.
 *
 * Evidence: the stems' loudness envelopes. Takes of one part rise and fall together; different parts do
 * not. On the 28 OpenMSX songs outside the dev corpus (rendered by shared/corpus-dev's script), the
 * envelope correlations of the 45 same-role stem pairs were ≤ 0.6 for 39 of them, 0.81–0.87 for three pairs
 * that play together most of the time and 0.98–0.99 for three that play the same rhythm note for note; two
 * microphones or two files of one recording correlate at about 1. The threshold (0.9) takes only the last
 * kind as one part.
 *
 * The envelope is each stem's momentary loudness relative to its own gated loudness (floored), so it does
 * not change when a stem is scaled: grouping, like the rest of the automix, is invariant to input gains.
 */

/** Envelope correlation at or above which two stems of one role are one part. */
export const SAME_PART_CORRELATION = 0.9;
/** Envelope floor under the stem's gated loudness, LU: rests read as this, not as −∞. */
export const ENVELOPE_FLOOR_LU = 30;

/**
 * A stem's loudness envelope: momentary loudness (100 ms steps) minus its gated loudness, floored at
 * −ENVELOPE_FLOOR_LU (null steps, i.e. silence, read as the floor).
 */
export function loudnessEnvelope(momentaryLufs: readonly (number | null)[], loudnessLufs: number): Float32Array {
  const e = new Float32Array(momentaryLufs.length);
  for (let t = 0; t < e.length; t++) {
    const m = momentaryLufs[t];
    e[t] = Math.max(m === null ? -Infinity : m - loudnessLufs, -ENVELOPE_FLOOR_LU);
  }
  return e;
}

/**
 * Pearson correlation of two envelopes over the longer length (the shorter one padded with the floor).
 * Two flat envelopes (a sustained drone and its copy) cannot be told apart by their rise and fall: they count
 * as the same part (1); a flat one against a moving one as different (0).
 */
export function envelopeCorrelation(a: Float32Array, b: Float32Array): number {
  const n = Math.max(a.length, b.length);
  if (n === 0) return 1;
  const at = (x: Float32Array, t: number) => (t < x.length ? x[t] : -ENVELOPE_FLOOR_LU);
  let ma = 0, mb = 0;
  for (let t = 0; t < n; t++) { ma += at(a, t); mb += at(b, t); }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let t = 0; t < n; t++) {
    const da = at(a, t) - ma, db = at(b, t) - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  // Flat: standard deviation under 0.25 LU (a steady tone or drone: no rise and fall to compare).
  const flat = (s: number) => s / n < 0.0625;
  if (flat(saa) || flat(sbb)) return flat(saa) && flat(sbb) ? 1 : 0;
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Groups the active stems of each role into parts: stems whose envelopes correlate at least
 * SAME_PART_CORRELATION are linked, and a part is a connected set of links.
 * @returns for each stem, the index of its part's first stem (−1 for an inactive stem)
 */
export function groupSameParts(roles: readonly string[], envelopes: readonly (Float32Array | null)[], active: readonly boolean[]): number[] {
  const part = roles.map((_, i) => (active[i] ? i : -1));
  const find = (i: number): number => (part[i] === i ? i : (part[i] = find(part[i])));
  for (let i = 0; i < roles.length; i++) {
    for (let j = i + 1; j < roles.length; j++) {
      if (!active[i] || !active[j] || roles[i] !== roles[j]) continue;
      const ei = envelopes[i], ej = envelopes[j];
      const same = ei === null || ej === null ? true : envelopeCorrelation(ei, ej) >= SAME_PART_CORRELATION;
      if (!same) continue;
      const a = find(i), b = find(j);
      if (a !== b) part[Math.max(a, b)] = Math.min(a, b);
    }
  }
  return part.map((p, i) => (p < 0 ? -1 : find(i)));
}
