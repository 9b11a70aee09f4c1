/**
 * Automix balance: the level of each stem from its role's level, when several stems share a role.
 *
 * A role's `levelLu` (role-table.ts) is the loudness of that PART of the arrangement: the published figures
 * behind it are group levels (MUSDB18 "drums" is the whole kit, "other" all the harmonic instruments
 * together; see the table's comments), and the per-part rows were derived from them as one stem per part.
 * When n stems carry the same role (ten kit microphones in `drums`, double-tracked guitars, a guitar
 * recorded as two files "guitar L" / "guitar R", two kick mics in and out), giving each of them the full
 * role level would make the part 10·log10(n) dB too loud. So each gets `levelLu − 10·log10(n)`: loudness
 * adds as power for uncorrelated parts (BS.1770 integrated loudness is a mean-square measure), so the n
 * stems together sum back to the role's level. (Strongly correlated stems, e.g. two mics on one source,
 * would sum louder, up to 20·log10(n); power summation is the conservative, documented choice.)
 *
 * Kit pieces: kick, snare, hat, overheads, toms and percussion are separate roles whose per-piece levels
 * were already derived in the table so that together they make the kit level. They are NOT pooled into one
 * drum group here (that would lower them twice); only stems sharing the same piece role are split (kick in +
 * kick out: each 3 dB under one kick). The same rule holds for every role, so a `drums` stem (a whole kit)
 * next to kit-piece stems keeps its own row: the table says nothing about mixing both, and no stem is
 * split against another role.
 *
 * Only active (non-silent) stems count. The split depends on the roles alone (file names and gain-invariant
 * features), so scaling a stem by a constant does not change it.
 */

/** The balance of one stem: its role level and how it is shared. */
export interface BalanceDecision {
  /** The role's level (table row or the user's override), LU. */
  roleLevelLu: number;
  /** Active stems with this role (0 for a silent stem). */
  sharedBy: number;
  /** The stem's own level: roleLevelLu − 10·log10(sharedBy), LU. */
  levelLu: number;
  /** One sentence for the session. */
  reason: string;
}

const f1 = (x: number) => x.toFixed(1);

/**
 * Splits each role's level among the active stems that share it.
 * @param roles role of each stem
 * @param roleLevels level of each stem's role, LU (same order)
 * @param active whether each stem is active (silent stems are muted and do not share)
 */
export function decideBalance(roles: readonly string[], roleLevels: readonly number[], active: readonly boolean[]): BalanceDecision[] {
  const count = new Map<string, number>();
  roles.forEach((r, i) => { if (active[i]) count.set(r, (count.get(r) ?? 0) + 1); });
  return roles.map((role, i) => {
    const roleLevelLu = roleLevels[i];
    if (!active[i]) return { roleLevelLu, sharedBy: 0, levelLu: roleLevelLu, reason: `role ${role} ${f1(roleLevelLu)} LU; silent stem, not counted` };
    const n = count.get(role) ?? 1;
    if (n === 1) return { roleLevelLu, sharedBy: 1, levelLu: roleLevelLu, reason: `role ${role} ${f1(roleLevelLu)} LU, the only ${role} stem` };
    const splitDb = 10 * Math.log10(n);
    const levelLu = roleLevelLu - splitDb;
    return {
      roleLevelLu, sharedBy: n, levelLu,
      reason: `${n} stems share role ${role} (${f1(roleLevelLu)} LU): ${f1(-splitDb)} dB each, ${f1(levelLu)} LU, so together they sum to the role level (power sum of uncorrelated parts)`,
    };
  });
}
