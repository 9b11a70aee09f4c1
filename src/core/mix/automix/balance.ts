/**
 * Automix balance: the level of each stem from its role's level, its part and its crest factor.
 *
 * Parts. A role's `levelLu` (role-table.ts) is the loudness of one PART of the arrangement. When n stems are
 * takes of one part (ten kit microphones in `drums`, a guitar recorded as two files "guitar L" / "guitar R",
 * kick in + kick out, a unison double), giving each of them the full role level would make the part
 * 10·log10(n) dB too loud. So each gets `levelLu − 10·log10(n)`: loudness adds as power for uncorrelated
 * takes (BS.1770 integrated loudness is a mean-square measure), so the n stems together sum back to the
 * role's level. (Strongly correlated stems, e.g. two mics on one source, would sum louder, up to 20·log10(n);
 * power summation is the conservative, documented choice.) Which stems are one part is decided from their
 * loudness envelopes (same-part.ts): different parts that merely share a role (a rhythm guitar and a lead
 * guitar, two piano parts) each keep the full role level. Kit pieces are separate roles whose per-piece
 * levels were already derived in the table so that together they make the kit level; they are never pooled.
 *
 * Crest. Integrated loudness is a mean-square measure, and a stem whose loudness sits in short loud events
 * (drums, plucked and struck instruments: a high peak-to-loudness ratio) is heard at a lower integrated
 * loudness than a sustained one: its events stand out of the mix in time, over a quieter bed. So each stem
 * moves by `−CREST_WEIGHT · (crest − mean crest of the active stems)`: balanced part way from equal loudness
 * towards equal peaks. The weight comes from reference mixes outside the dev corpus: on the 28 OpenMSX songs
 * that shared/corpus-dev does not use (rendered with its script), each stem's level relative to the other
 * stems of its song falls by 0.65 LU per dB of peak-to-loudness ratio (least squares over 152 stems;
 * correlation −0.53; the 3 dev songs, not used for the fit, give 0.72). Produced pop points the same way:
 * MUSDB18's drums, the stem with the most transient content, sit about 3 LU under its vocals (role-table.ts, [M]).
 *
 * Only active (non-silent) stems count. Everything here depends on the roles and on gain-invariant features
 * (envelopes relative to the stem's own loudness, crest as a ratio), so scaling a stem by a constant does not
 * change it.
 */

/** Level change per dB of crest factor above the stems' mean, LU/dB (see the module doc for the source). */
export const CREST_WEIGHT = 0.65;

/** One stem as the balance sees it. */
export interface BalanceInput {
  role: string;
  /** The role's level (table row or the user's override), LU. */
  roleLevelLu: number;
  /** Non-silent. Silent stems are muted and do not count. */
  active: boolean;
  /** Index of the stem's part (same-part.ts groupSameParts; −1 when inactive): equal indices = one part. */
  part: number;
  /** Peak-to-loudness ratio, dB (null: silent). */
  crestDb: number | null;
}

/** The balance of one stem: its role level, how it is shared, its crest correction and why. */
export interface BalanceDecision {
  /** The role's level (table row or the user's override), LU. */
  roleLevelLu: number;
  /** Active stems in this stem's part (0 for a silent stem). */
  sharedBy: number;
  /** Level change from the crest factor, LU. */
  crestAdjustLu: number;
  /** The stem's own level: roleLevelLu − 10·log10(sharedBy) + crestAdjustLu, LU. */
  levelLu: number;
  /** One sentence for the session. */
  reason: string;
}

const f1 = (x: number) => x.toFixed(1);

/**
 * Levels of the stems from their roles, parts and crest factors.
 * @param crestWeight LU per dB of crest above the mean (default CREST_WEIGHT; 0 = pure role levels)
 */
export function decideBalance(stems: readonly BalanceInput[], crestWeight = CREST_WEIGHT): BalanceDecision[] {
  const count = new Map<number, number>();
  let crestSum = 0, crestN = 0;
  for (const s of stems) {
    if (!s.active) continue;
    count.set(s.part, (count.get(s.part) ?? 0) + 1);
    if (s.crestDb !== null) { crestSum += s.crestDb; crestN++; }
  }
  const meanCrest = crestN > 0 ? crestSum / crestN : 0;
  return stems.map((s) => {
    const { role, roleLevelLu } = s;
    if (!s.active) return { roleLevelLu, sharedBy: 0, crestAdjustLu: 0, levelLu: roleLevelLu, reason: `role ${role} ${f1(roleLevelLu)} LU; silent stem, not counted` };
    const n = count.get(s.part) ?? 1;
    const splitDb = 10 * Math.log10(n);
    const crestAdjustLu = s.crestDb === null || crestWeight === 0 ? 0 : -crestWeight * (s.crestDb - meanCrest);
    const levelLu = roleLevelLu - splitDb + crestAdjustLu;
    const share = n === 1
      ? `role ${role} ${f1(roleLevelLu)} LU`
      : `role ${role} ${f1(roleLevelLu)} LU shared by ${n} stems of one part (${f1(-splitDb)} dB each, so together they sum to the role level)`;
    const crest = s.crestDb === null || crestWeight === 0 ? ''
      : `; crest ${f1(s.crestDb)} dB against the mean ${f1(meanCrest)}: ${crestAdjustLu >= 0 ? '+' : ''}${f1(crestAdjustLu)} LU`;
    return { roleLevelLu, sharedBy: n, crestAdjustLu, levelLu, reason: `${share}${crest}; ${f1(levelLu)} LU` };
  });
}
