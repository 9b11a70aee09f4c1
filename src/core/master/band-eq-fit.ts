/**
 * Fits the gains of fixed EQ band shapes so that the EQ's *band-integrated* effect on a programme matches
 * a wanted change per fractional-octave band. This is the statistic a 1/3-octave long-term spectrum
 * (and shared/eval/masterscore.py) judges: the power of the programme inside each band, not the EQ's
 * response at the band centre. Where the wanted curve steps by 20-30 dB between neighbouring bands,
 * a fit through centre values leaves the shoulders of each bell spilling into the next band; fitting
 * the integrated power puts that spill where the programme's power actually is.
 *
 * Model, per band b with grid points i inside it (programme power p_i on a fine log grid):
 *   level_b(g) = 10·log10( Σ_i p_i·10^(R_i(g)/10) / Σ_i p_i ),  R_i(g) = Σ_j response of band j (dB)
 * solved by projected Gauss-Newton (numerical Jacobian of the analogue responses, light ridge toward
 * 0 dB, step halving when the cost rises), each gain bounded to [-maxCutDb, +maxBoostDb].
 */
import { analogBandMagnitudeDb, type BandSpec } from '../dsp/biquad-design.js';
import { solveDense, type EqBand } from './eq-fit.js';

export interface BandFitProblem {
  /** Fine frequency grid, Hz (ascending). */
  gridHz: readonly number[];
  /** Programme power at each grid point (linear, any common scale; ≤ 0 or non-finite = unknown, treated as flat). */
  gridPower: readonly number[];
  /** Band of each grid point (index into targetDb) or -1 (outside every band). */
  gridBand: readonly number[];
  /** Wanted change of each band's level, dB. */
  targetDb: readonly number[];
  /** Weight of each band (0 = ignored). */
  weights: readonly number[];
}

export interface BandFitOptions {
  maxBoostDb: number;
  maxCutDb: number;
  /** Bands whose fitted |gain| is below this are dropped, dB (default 0.05). */
  minGainDb?: number;
  /** Gauss-Newton iterations (default 12). */
  iterations?: number;
}

/**
 * Solves the band-integrated fit.
 * @param prob grid, programme power, band membership, wanted band changes and weights
 * @param prototypes band shapes to fit (type, frequency, q; their gainDb is ignored)
 * @returns the fitted bands (gains rounded to 0.01 dB), small ones dropped
 */
export function fitBandIntegratedEq(prob: BandFitProblem, prototypes: readonly BandSpec[], opts: BandFitOptions): EqBand[] {
  const { gridHz, gridBand, targetDb, weights } = prob;
  const nb = targetDb.length, ng = gridHz.length, n = prototypes.length;
  // Within-band power weights q_i (Σ q = 1 per band); unknown power counts as the band's mean.
  const q = new Float64Array(ng);
  const sums = new Float64Array(nb), counts = new Float64Array(nb);
  for (let i = 0; i < ng; i++) {
    const b = gridBand[i];
    const p = prob.gridPower[i];
    if (b >= 0 && Number.isFinite(p) && p > 0) { sums[b] += p; counts[b]++; }
  }
  for (let i = 0; i < ng; i++) {
    const b = gridBand[i];
    if (b < 0) continue;
    const p = prob.gridPower[i];
    q[i] = Number.isFinite(p) && p > 0 ? p : counts[b] > 0 ? sums[b] / counts[b] : 1;
  }
  const norm = new Float64Array(nb);
  for (let i = 0; i < ng; i++) if (gridBand[i] >= 0) norm[gridBand[i]] += q[i];
  for (let i = 0; i < ng; i++) if (gridBand[i] >= 0 && norm[gridBand[i]] > 0) q[i] /= norm[gridBand[i]];

  const clamp = (x: number) => Math.min(opts.maxBoostDb, Math.max(-opts.maxCutDb, x));
  const ridge = 1e-3;
  const g = new Float64Array(n);
  // Per-prototype responses at the current gains (dB on the grid), kept to form R quickly.
  const resp = prototypes.map(() => new Float64Array(ng));
  const total = new Float64Array(ng);
  const setGain = (j: number, gain: number) => {
    const r = gain === 0 ? null : analogBandMagnitudeDb({ ...prototypes[j], gainDb: gain }, gridHz);
    for (let i = 0; i < ng; i++) { const v = r ? r[i] : 0; total[i] += v - resp[j][i]; resp[j][i] = v; }
  };
  const levels = (out: Float64Array, u?: Float64Array) => {
    out.fill(0);
    for (let i = 0; i < ng; i++) { const b = gridBand[i]; if (b >= 0) out[b] += q[i] * Math.pow(10, total[i] / 10); }
    if (u) for (let i = 0; i < ng; i++) { const b = gridBand[i]; u[i] = b >= 0 ? (q[i] * Math.pow(10, total[i] / 10)) / out[b] : 0; }
    for (let b = 0; b < nb; b++) out[b] = out[b] > 0 ? 10 * Math.log10(out[b]) : 0;
  };
  const cost = (lv: Float64Array) => {
    let c = 0;
    for (let b = 0; b < nb; b++) { const e = targetDb[b] - lv[b]; c += weights[b] * e * e; }
    for (let j = 0; j < n; j++) c += ridge * g[j] * g[j];
    return c;
  };
  const lv = new Float64Array(nb);
  const u = new Float64Array(ng);
  const jac = prototypes.map(() => new Float64Array(nb));
  const iterations = opts.iterations ?? 12;
  levels(lv);
  let c0 = cost(lv);
  for (let iter = 0; iter < iterations; iter++) {
    levels(lv, u);
    // d level_b / d g_j = Σ_{i∈b} u_i · dR_ij/dg (dR by a ±0.25 dB central difference of the shape).
    for (let j = 0; j < n; j++) {
      const up = analogBandMagnitudeDb({ ...prototypes[j], gainDb: g[j] + 0.25 }, gridHz);
      const dn = analogBandMagnitudeDb({ ...prototypes[j], gainDb: g[j] - 0.25 }, gridHz);
      const col = jac[j];
      col.fill(0);
      for (let i = 0; i < ng; i++) { const b = gridBand[i]; if (b >= 0) col[b] += u[i] * (up[i] - dn[i]) / 0.5; }
    }
    const a: number[][] = [];
    const rhs: number[] = [];
    for (let j = 0; j < n; j++) {
      const row: number[] = [];
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let b = 0; b < nb; b++) s += weights[b] * jac[j][b] * jac[k][b];
        row.push(s + (j === k ? ridge : 0));
      }
      a.push(row);
      let s = 0;
      for (let b = 0; b < nb; b++) s += weights[b] * jac[j][b] * (targetDb[b] - lv[b]);
      rhs.push(s - ridge * g[j]);
    }
    const step = solveDense(a, rhs);
    const old = Float64Array.from(g);
    let accepted = false;
    for (let t = 1; t >= 1 / 16; t /= 2) {
      for (let j = 0; j < n; j++) { const next = clamp(old[j] + t * step[j]); if (next !== g[j]) { setGain(j, next); g[j] = next; } }
      levels(lv);
      const c1 = cost(lv);
      if (c1 <= c0) { c0 = c1; accepted = true; break; }
    }
    if (!accepted) {
      for (let j = 0; j < n; j++) if (g[j] !== old[j]) { setGain(j, old[j]); g[j] = old[j]; }
      break;
    }
    let moved = 0;
    for (let j = 0; j < n; j++) moved = Math.max(moved, Math.abs(g[j] - old[j]));
    if (moved < 0.01) break;
  }
  const min = opts.minGainDb ?? 0.05;
  const out: EqBand[] = [];
  prototypes.forEach((p, j) => {
    const gain = Math.round(g[j] * 100) / 100;
    if (Math.abs(gain) >= min) out.push({ ...p, gainDb: gain });
  });
  return out;
}
