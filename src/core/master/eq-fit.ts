/**
 * Spectral-curve helpers shared by the automaster's tonal EQ and reference matching: level
 * normalisation, smoothing in log frequency, and a least-squares fit of a few broad EQ bands to a
 * desired correction curve. Pure maths on 1/3-octave band data.
 */
import { analogBandMagnitudeDb, type BandSpec } from '../dsp/biquad-design.js';

/** One EQ band as the `eq` insert takes it. */
export type EqBand = BandSpec & { gainDb: number };

/**
 * Mean of `values[k]` over the bands with `include[k]` (plain mean of dB values).
 * @returns the mean, or 0 when no band is included
 */
export function meanOver(values: ArrayLike<number>, include: ArrayLike<boolean>): number {
  let sum = 0;
  let n = 0;
  for (let k = 0; k < values.length; k++) if (include[k]) { sum += values[k]; n++; }
  return n > 0 ? sum / n : 0;
}

/**
 * Smooths a curve given per band (dB) with a Gaussian window in log frequency, using only the valid
 * bands (the window is renormalised over them). Invalid bands get the smoothed value of their
 * valid neighbours (or 0 when none is within 2 window widths).
 * @param bandsHz band centre frequencies, Hz
 * @param values per-band values, dB
 * @param valid which bands carry data
 * @param fwhmOctaves full width at half maximum of the window, octaves (e.g. 1 = one-octave smoothing)
 */
export function smoothLogFrequency(bandsHz: readonly number[], values: ArrayLike<number>, valid: ArrayLike<boolean>, fwhmOctaves: number): number[] {
  const sigma = Math.max(1e-3, fwhmOctaves / 2.3548);
  const out: number[] = [];
  for (let k = 0; k < bandsHz.length; k++) {
    let sw = 0;
    let s = 0;
    const lk = Math.log2(bandsHz[k]);
    for (let j = 0; j < bandsHz.length; j++) {
      if (!valid[j]) continue;
      const d = (Math.log2(bandsHz[j]) - lk) / sigma;
      if (d > 4.5 || d < -4.5) continue;
      const w = Math.exp(-0.5 * d * d);
      sw += w;
      s += w * values[j];
    }
    out.push(sw > 1e-6 ? s / sw : 0);
  }
  return out;
}

/** Solves the small dense system A x = b (Gaussian elimination with partial pivoting); A is n×n row-major. */
export function solveDense(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const piv = m[c][c];
    if (Math.abs(piv) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / piv;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => (Math.abs(row[i]) < 1e-12 ? 0 : row[n] / row[i]));
}

/**
 * Total magnitude response, dB, of EQ bands at the given frequencies (analogue prototypes; the `eq`
 * insert matches them to 0.4·fs).
 */
export function eqResponseDb(bands: readonly EqBand[], freqHz: readonly number[]): number[] {
  const total = new Array<number>(freqHz.length).fill(0);
  for (const b of bands) {
    if (b.gainDb === 0) continue;
    const r = analogBandMagnitudeDb(b, freqHz);
    for (let k = 0; k < freqHz.length; k++) total[k] += r[k];
  }
  return total;
}

export interface EqFitOptions {
  /** Largest boost of any band, dB (≥ 0). */
  maxBoostDb: number;
  /** Largest cut of any band, dB (≥ 0). */
  maxCutDb: number;
  /** Bands whose fitted |gain| is below this are dropped, dB. Default 0.1. */
  minGainDb?: number;
}

/**
 * Fits the gains of fixed EQ bands (type, frequency and q given) so their summed response matches a
 * desired curve in the weighted least-squares sense (Gauss-Newton with a numerical Jacobian of the
 * analogue responses, light ridge regularisation toward 0 dB), each gain bounded to
 * [-maxCutDb, +maxBoostDb].
 * @param bandsHz frequencies where the curve is given, Hz
 * @param desiredDb desired response, dB, per frequency
 * @param weights weight per frequency (0 = ignore)
 * @param prototypes the bands to fit (their gainDb is ignored)
 * @returns the fitted bands (gains rounded to 0.01 dB), small ones dropped
 */
export function fitEqBands(
  bandsHz: readonly number[], desiredDb: readonly number[], weights: readonly number[], prototypes: readonly BandSpec[], opts: EqFitOptions,
): EqBand[] {
  const n = prototypes.length;
  const g = new Array<number>(n).fill(0);
  const clamp = (x: number) => Math.min(opts.maxBoostDb, Math.max(-opts.maxCutDb, x));
  const ridge = 0.02;
  for (let iter = 0; iter < 6; iter++) {
    const bands = prototypes.map((p, j) => ({ ...p, gainDb: g[j] }));
    const resp = eqResponseDb(bands, bandsHz);
    const r = desiredDb.map((d, k) => d - resp[k]);
    // Jacobian column j: d response / d g_j (central difference of 0.5 dB).
    const jac = prototypes.map((p, j) => {
      const up = analogBandMagnitudeDb({ ...p, gainDb: g[j] + 0.25 }, bandsHz);
      const dn = analogBandMagnitudeDb({ ...p, gainDb: g[j] - 0.25 }, bandsHz);
      return up.map((u, k) => (u - dn[k]) / 0.5);
    });
    const a: number[][] = [];
    const b: number[] = [];
    for (let i = 0; i < n; i++) {
      const row: number[] = [];
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < bandsHz.length; k++) s += weights[k] * jac[i][k] * jac[j][k];
        row.push(s + (i === j ? ridge : 0));
      }
      a.push(row);
      let s = 0;
      for (let k = 0; k < bandsHz.length; k++) s += weights[k] * jac[i][k] * r[k];
      b.push(s - ridge * g[i]);
    }
    const step = solveDense(a, b);
    let moved = 0;
    for (let j = 0; j < n; j++) {
      const next = clamp(g[j] + step[j]);
      moved = Math.max(moved, Math.abs(next - g[j]));
      g[j] = next;
    }
    if (moved < 0.01) break;
  }
  const min = opts.minGainDb ?? 0.1;
  const out: EqBand[] = [];
  prototypes.forEach((p, j) => {
    const gain = Math.round(g[j] * 100) / 100;
    if (Math.abs(gain) >= min) out.push({ ...p, gainDb: gain });
  });
  return out;
}
