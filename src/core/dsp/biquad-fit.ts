/**
 * Joint log-magnitude refinement of a biquad cascade (Levenberg–Marquardt), used by the EQ band
 * design (biquad-design.ts designEqBandInto) after its Sanathanan–Koerner fits.
 *
 * Why: SK fits one section at a time to the residual of the others and minimises a relative power
 * error weighted by the previous denominator; it stalls 0.1..0.5 dB away from the best cascade for
 * steep bands near Nyquist. Here all sections move together and the objective is the error that is
 * judged, the dB error: its L_p norm with p raised 4 → 8 → 16 (continuation towards minimax; plain
 * Lawson reweighting oscillated), keeping the iterate with the smallest worst error.
 *
 * Parameterisation (well conditioned at any frequency): every section's power is N(y)/D(y), both
 * quadratics in y = sin²(ω/2)/s (s a per-section scale, the band's sin²(ω0/2) for base sections), with
 * D(0) = 1 and a numerator structure that keeps the prototype's exact zeros (highpass pair: n2·y²;
 * first-order highpass/bandpass: n1·y + n2·y²; notch: n2·(y - 1)²). A step is accepted only when every
 * N and D stays non-negative on the whole band [0, π] (so it has a spectral factor, Fejér–Riesz) and
 * the poles keep their margin; the result is factored back into minimum-phase, stable biquads.
 *
 * Cost per iteration ~ points · parameters² / 2 (105 · 28² / 2 for an 8th-order lowpass with both
 * corrections); at p = 16 most points carry negligible weight and are skipped.
 *
 * References: K. Madsen, H. B. Nielsen, O. Tingleff, "Methods for Non-Linear Least Squares Problems"
 * (2004), LM with Marquardt's diagonal damping; L_p (p → ∞) approximation of minimax filter design,
 * e.g. C. S. Burrus, J. A. Barreto, I. W. Selesnick, "Iterative reweighted least-squares design of FIR
 * filters", IEEE Trans. SP 42 (1994).
 */

/** Coefficients per section: b0, b1, b2, a1, a2 (as biquad-design.ts; not imported, to avoid a cycle). */
const COEFFS_PER_SECTION = 5;

/** Numerator structures of a section's power polynomial in y. */
export const NUM_GENERAL = 0; // n0 + n1·y + n2·y²
export const NUM_DOUBLE_DC = 1; // n2·y²
export const NUM_DC = 2; // n1·y + n2·y²
export const NUM_NOTCH = 3; // n2·(y - 1)²

/** Capacity: sections per band and grid points per fit. */
export const FIT_MAX_SECTIONS = 8;
export const FIT_MAX_POINTS = 192;
const MAX_P = FIT_MAX_SECTIONS * 5;

/** Largest pole radius² a refined section may get (|z| <= 0.9999), unless its start was closer to 1. */
const POLE_R2_MARGIN = 0.9998;

const par = new Float64Array(MAX_P);
const trial = new Float64Array(MAX_P);
const bestPar = new Float64Array(MAX_P);
const jtj = new Float64Array(MAX_P * MAX_P);
const jtr = new Float64Array(MAX_P);
const diag = new Float64Array(MAX_P);
const sys = new Float64Array(MAX_P * MAX_P);
const rhs = new Float64Array(MAX_P);
const jrow = new Float64Array(MAX_P);
const secN = new Float64Array(FIT_MAX_SECTIONS * FIT_MAX_POINTS);
const secD = new Float64Array(FIT_MAX_SECTIONS * FIT_MAX_POINTS);
const err = new Float64Array(FIT_MAX_POINTS);
const logT = new Float64Array(FIT_MAX_POINTS);
const sectOff = new Int32Array(FIT_MAX_SECTIONS + 1);
const a2Max = new Float64Array(FIT_MAX_SECTIONS);
const fac = new Float64Array(3);
const outTmp = new Float64Array(FIT_MAX_SECTIONS * COEFFS_PER_SECTION);

const LN_TO_DB = 10 / Math.LN10;

/** Number of numerator parameters of a structure. */
function numCount(struct: number): number {
  return struct === NUM_GENERAL ? 3 : struct === NUM_DC ? 2 : 1;
}

/**
 * Power polynomial c0 + c1·x + c2·x² (x = sin²(ω/2)) of c0' + c1' z⁻¹ + c2' z⁻², written without the
 * cancellations of the expanded form (c1 = 4(b0 - b2)² - 4(b0 + b1 + b2)(b0 + b2), c2 = 16·b0·b2).
 */
function powerPoly(b0: number, b1: number, b2: number, out: Float64Array): void {
  const s = b0 + b1 + b2;
  out[0] = s * s;
  out[1] = 4 * (b0 - b2) * (b0 - b2) - 4 * s * (b0 + b2);
  out[2] = 16 * b0 * b2;
}

/**
 * Spectral factor of c0 + c1·x + c2·x² (>= 0 on [0, 1]) as a minimum-phase c0' + c1' z⁻¹ + c2' z⁻²
 * into out[o..o+2]; false when it has none.
 */
function factorPoly(c0: number, c1: number, c2: number, out: Float64Array, o: number): boolean {
  // P(x) = P0(1 - x) + P1·x + 4·P2·x(1 - x): P0 = P(0), P1 = P(1), P2 = -c2/4.
  const P0 = c0;
  const P1 = c0 + c1 + c2;
  const P2 = -c2 / 4;
  if (!(P0 >= 0) || !(P1 >= 0)) return false;
  const s0 = Math.sqrt(P0);
  const s1 = Math.sqrt(P1);
  // b0 + b1 + b2 = √P0, b0 - b1 + b2 = ±√P1, b0·b2 = -P2/4... written via w = b0 + b2, disc = w² + P2.
  let w = 0.5 * (s0 + s1);
  let b1 = 0.5 * (s0 - s1);
  let disc = w * w + P2;
  if (disc < 0) {
    w = 0.5 * (s0 - s1);
    b1 = 0.5 * (s0 + s1);
    disc = w * w + P2;
    if (disc < -1e-12 * (P0 + P1 + Math.abs(P2))) return false;
    if (w < 0) { w = -w; b1 = -b1; }
  }
  const r = disc > 0 ? Math.sqrt(disc) : 0;
  let b0 = 0.5 * (w + r);
  let b2 = 0.5 * (w - r);
  // Real zeros outside the unit circle are reflected inside (same magnitude, minimum phase).
  const dz = b1 * b1 - 4 * b0 * b2;
  if (dz > 0 && b0 !== 0) {
    const sq = Math.sqrt(dz);
    let z1 = (-b1 + sq) / (2 * b0);
    let z2 = (-b1 - sq) / (2 * b0);
    let g = b0;
    if (Math.abs(z1) > 1) { g *= Math.abs(z1); z1 = 1 / z1; }
    if (Math.abs(z2) > 1) { g *= Math.abs(z2); z2 = 1 / z2; }
    b0 = g;
    b1 = -g * (z1 + z2);
    b2 = g * z1 * z2;
  }
  out[o] = b0;
  out[o + 1] = b1;
  out[o + 2] = b2;
  return Number.isFinite(b0) && Number.isFinite(b1) && Number.isFinite(b2);
}

/** True when n0 + n1·y + n2·y² >= 0 for y in [0, yMax] (strictly > 0 inside when strict). */
function nonNegativeOn(n0: number, n1: number, n2: number, yMax: number): boolean {
  if (!(n0 >= 0)) return false;
  if (!(n0 + yMax * (n1 + yMax * n2) >= 0)) return false;
  if (n2 > 0) {
    const yv = -n1 / (2 * n2);
    if (yv > 0 && yv < yMax && !(n0 - (n1 * n1) / (4 * n2) >= 0)) return false;
  }
  return true;
}

/** Expands section k's numerator parameters (at p[off..]) into n0, n1, n2 (written to fac). */
function numeratorOf(struct: number, p: Float64Array, off: number): void {
  if (struct === NUM_GENERAL) { fac[0] = p[off]; fac[1] = p[off + 1]; fac[2] = p[off + 2]; }
  else if (struct === NUM_DC) { fac[0] = 0; fac[1] = p[off]; fac[2] = p[off + 1]; }
  else if (struct === NUM_DOUBLE_DC) { fac[0] = 0; fac[1] = 0; fac[2] = p[off]; }
  else { fac[0] = p[off]; fac[1] = -2 * p[off]; fac[2] = p[off]; }
}

/**
 * Writes the biquads of parameter vector p (count sections) into out from section 0; false when a
 * section has no valid spectral factor or its poles leave the margin.
 */
function toCoefficients(p: Float64Array, count: number, struct: ArrayLike<number>, scale: ArrayLike<number>, out: Float64Array): boolean {
  for (let k = 0; k < count; k++) {
    const off = sectOff[k];
    const nn = numCount(struct[k]);
    const s = scale[k];
    const yMax = 1 / s;
    const d1 = p[off + nn];
    const d2 = p[off + nn + 1];
    if (!nonNegativeOn(1, d1, d2, yMax)) return false;
    numeratorOf(struct[k], p, off);
    const n0 = fac[0], n1 = fac[1], n2 = fac[2];
    if (!nonNegativeOn(n0, n1, n2, yMax)) return false;
    const o = k * COEFFS_PER_SECTION;
    if (!factorPoly(1, d1 / s, d2 / (s * s), out, o)) return false;
    const a0 = out[o];
    const a1 = out[o + 1] / a0;
    const a2 = out[o + 2] / a0;
    if (!(Math.abs(a2) <= a2Max[k]) || !(Math.abs(a1) < 1 + a2 - 1e-12)) return false;
    if (!factorPoly(n0, n1 / s, n2 / (s * s), out, o)) return false;
    out[o] /= a0;
    out[o + 1] /= a0;
    out[o + 2] /= a0;
    out[o + 3] = a1;
    out[o + 4] = a2;
  }
  return true;
}

/** Evaluates every section's N and D on the grid from p; false when one is not positive there. */
function evaluate(p: Float64Array, count: number, struct: ArrayLike<number>, scale: ArrayLike<number>, x: Float64Array, np: number): boolean {
  for (let k = 0; k < count; k++) {
    const off = sectOff[k];
    const nn = numCount(struct[k]);
    numeratorOf(struct[k], p, off);
    const n0 = fac[0], n1 = fac[1], n2 = fac[2];
    const d1 = p[off + nn];
    const d2 = p[off + nn + 1];
    const is = 1 / scale[k];
    const base = k * FIT_MAX_POINTS;
    for (let i = 0; i < np; i++) {
      const y = x[i] * is;
      const nv = n0 + y * (n1 + y * n2);
      const dv = 1 + y * (d1 + y * d2);
      if (!(dv > 0)) return false;
      secN[base + i] = nv;
      secD[base + i] = dv;
    }
  }
  return true;
}

/**
 * Fills err (natural log power ratio per point, 0 where unweighted) and returns the L_p objective
 * Σ wt·|err/scale|^p (NaN when a numerator is not positive on the grid).
 */
function residuals(count: number, np: number, wt: Float64Array, inBand: Uint8Array, p: number, scale: number): number {
  let cost = 0;
  const is = 1 / scale;
  for (let i = 0; i < np; i++) {
    if (!(wt[i] > 0)) { err[i] = 0; continue; }
    let r = 1;
    for (let k = 0; k < count; k++) {
      const nv = secN[k * FIT_MAX_POINTS + i];
      if (!(nv > 0)) return NaN;
      r *= nv / secD[k * FIT_MAX_POINTS + i];
    }
    const l = Math.log(r) - logT[i];
    err[i] = l;
    // Points outside the judged band only keep the fit tame there: a plain least-squares term.
    cost += wt[i] * powEven(l * is, inBand[i] === 1 ? p : 2);
  }
  return cost;
}

/** u^p for p in {2, 4, 8, 16} (repeated squaring; Math.pow dominated the fit's cost). */
function powEven(u: number, p: number): number {
  let v = u * u;
  for (let k = 2; k < p; k *= 2) v *= v;
  return v;
}

/** Worst judged error in dB over in-band points: |dB| where target >= floor, else relative to the floor. */
function worstOf(np: number, target: Float64Array, inBand: Uint8Array, wt: Float64Array, floor: number): number {
  let m = 0;
  for (let i = 0; i < np; i++) {
    if (inBand[i] === 0 || !(wt[i] > 0)) continue;
    const t = target[i];
    const e = t >= floor ? Math.abs(err[i]) * LN_TO_DB : (LN_TO_DB * Math.abs(t * Math.expm1(err[i]))) / floor;
    if (!(e <= m)) m = e;
  }
  return m;
}

/** Cholesky solve of the n×n system sys (stride MAX_P) for rhs in place; false when not positive definite. */
function cholSolve(n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = sys[j * MAX_P + j];
    for (let k = 0; k < j; k++) d -= sys[j * MAX_P + k] * sys[j * MAX_P + k];
    if (!(d > 1e-300)) return false;
    const l = Math.sqrt(d);
    sys[j * MAX_P + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = sys[i * MAX_P + j];
      for (let k = 0; k < j; k++) s -= sys[i * MAX_P + k] * sys[j * MAX_P + k];
      sys[i * MAX_P + j] = s / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = rhs[i];
    for (let k = 0; k < i; k++) s -= sys[i * MAX_P + k] * rhs[k];
    rhs[i] = s / sys[i * MAX_P + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = rhs[i];
    for (let k = i + 1; k < n; k++) s -= sys[k * MAX_P + i] * rhs[k];
    rhs[i] = s / sys[i * MAX_P + i];
  }
  return true;
}

/**
 * Refines `count` consecutive sections of a cascade (coefficients at coeffs[first·5..]) so that their
 * product's power follows target on the grid, jointly and in the dB sense (see the header).
 * @param coeffs cascade coefficients (b0, b1, b2, a1, a2 per section), updated in place only when the
 *   refinement lowers the worst error
 * @param first index of the first section to refine
 * @param count number of sections (<= FIT_MAX_SECTIONS)
 * @param struct numerator structure per section (NUM_*)
 * @param scale y-scale per section (> 0, <= 1): y = sin²(ω/2)/scale
 * @param fixedPower power of the cascade's other sections on the grid (multiplies the refined ones)
 * @param x grid, sin²(ω/2) per point
 * @param target analogue power per point (> 0)
 * @param wt residual weight per point (0: ignored)
 * @param inBand 1 where the error is judged
 * @param floor target power below which the judged error is measured relative to the floor
 * @param np number of grid points (<= FIT_MAX_POINTS)
 * @param iterations LM iterations
 * @param goal worst error (dB) at which to stop early
 * @returns the worst judged error in dB of the kept coefficients
 */
export function refineCascadeLogPower(coeffs: Float64Array, first: number, count: number, struct: ArrayLike<number>, scale: ArrayLike<number>, fixedPower: Float64Array, x: Float64Array, target: Float64Array, wt: Float64Array, inBand: Uint8Array, floor: number, np: number, iterations: number, goal: number): number {
  if (count > FIT_MAX_SECTIONS || np > FIT_MAX_POINTS) return Infinity;
  // Parameters from the current coefficients.
  let nP = 0;
  for (let k = 0; k < count; k++) {
    sectOff[k] = nP;
    const o = (first + k) * COEFFS_PER_SECTION;
    const s = scale[k];
    powerPoly(1, coeffs[o + 3], coeffs[o + 4], fac);
    const dc = fac[0];
    const d1 = (fac[1] * s) / dc;
    const d2 = (fac[2] * s * s) / dc;
    powerPoly(coeffs[o], coeffs[o + 1], coeffs[o + 2], fac);
    const n0 = fac[0] / dc, n1 = (fac[1] * s) / dc, n2 = (fac[2] * s * s) / dc;
    const st = struct[k];
    if (st === NUM_GENERAL) { par[nP++] = n0; par[nP++] = n1; par[nP++] = n2; }
    else if (st === NUM_DC) { par[nP++] = n1; par[nP++] = n2; }
    else par[nP++] = n2;
    par[nP++] = d1;
    par[nP++] = d2;
    a2Max[k] = Math.max(POLE_R2_MARGIN, Math.abs(coeffs[o + 4]));
  }
  sectOff[count] = nP;
  for (let i = 0; i < np; i++) {
    logT[i] = wt[i] > 0 ? Math.log(target[i] / fixedPower[i]) : 0;
  }
  if (!evaluate(par, count, struct, scale, x, np)) return Infinity;
  if (!Number.isFinite(residuals(count, np, wt, inBand, 2, 1))) return Infinity;
  const start = worstOf(np, target, inBand, wt, floor);
  let best = start;
  for (let j = 0; j < nP; j++) bestPar[j] = par[j];
  // Minimax through an L_p objective Σ wt·|e|^p with p raised in stages (continuation): Gauss–Newton
  // on it is weighted least squares with weights wt·|e|^(p-2) and curvature (p - 1)·J'WJ.
  let lambda = 1e-3;
  let p = 0;
  let eScale = 1;
  let cost = 0;
  for (let it = 0; it < iterations; it++) {
    const pNew = it < iterations / 4 ? 4 : it < iterations / 2 ? 8 : 16;
    if (pNew !== p) {
      p = pNew;
      lambda = 1e-3;
      eScale = 0;
      for (let i = 0; i < np; i++) if (wt[i] > 0 && inBand[i] === 1 && Math.abs(err[i]) > eScale) eScale = Math.abs(err[i]);
      if (!(eScale > 0)) break;
      cost = residuals(count, np, wt, inBand, p, eScale);
    }
    for (let j = 0; j < nP * MAX_P; j++) jtj[j] = 0;
    for (let j = 0; j < nP; j++) jtr[j] = 0;
    for (let i = 0; i < np; i++) {
      if (!(wt[i] > 0)) continue;
      const e = err[i];
      // Gradient weight q·|e/E|^(q-2) and Gauss–Newton curvature (q - 1) of the point's term |e/E|^q.
      const q = inBand[i] === 1 ? p : 2;
      const w = wt[i] * q * (q === 2 ? 1 : powEven(e / eScale, q) / ((e / eScale) * (e / eScale)));
      // Points whose term is negligible at this p (most of them at p = 16) are skipped.
      if (!(w > 1e-9)) continue;
      const wc = w * (q - 1);
      // ∂e/∂n_j = φ_j(y)/N, ∂e/∂d_j = -y^j/D.
      for (let k = 0; k < count; k++) {
        const y = x[i] / scale[k];
        const inN = 1 / secN[k * FIT_MAX_POINTS + i];
        const inD = 1 / secD[k * FIT_MAX_POINTS + i];
        const st = struct[k];
        let c = sectOff[k];
        if (st === NUM_GENERAL) { jrow[c++] = inN; jrow[c++] = y * inN; jrow[c++] = y * y * inN; }
        else if (st === NUM_DC) { jrow[c++] = y * inN; jrow[c++] = y * y * inN; }
        else if (st === NUM_DOUBLE_DC) jrow[c++] = y * y * inN;
        else jrow[c++] = (y - 1) * (y - 1) * inN;
        jrow[c++] = -y * inD;
        jrow[c] = -y * y * inD;
      }
      for (let r = 0; r < nP; r++) {
        jtr[r] += jrow[r] * w * e;
        const jr = jrow[r] * wc;
        const row = r * MAX_P;
        for (let c = 0; c <= r; c++) jtj[row + c] += jr * jrow[c];
      }
    }
    for (let r = 0; r < nP; r++) {
      const d = jtj[r * MAX_P + r];
      diag[r] = d > 1e-300 ? 1 / Math.sqrt(d) : 1e150;
    }
    let accepted = false;
    for (let tries = 0; tries < 8 && !accepted; tries++) {
      // Unit-diagonal scaled system with Marquardt damping.
      for (let r = 0; r < nP; r++) {
        const sr = diag[r];
        for (let c = 0; c <= r; c++) sys[r * MAX_P + c] = jtj[r * MAX_P + c] * sr * diag[c];
        sys[r * MAX_P + r] += lambda;
        rhs[r] = -jtr[r] * sr;
      }
      if (cholSolve(nP)) {
        for (let j = 0; j < nP; j++) trial[j] = par[j] + rhs[j] * diag[j];
        if (evaluate(trial, count, struct, scale, x, np)) {
          const c2 = residuals(count, np, wt, inBand, p, eScale);
          if (c2 < cost && toCoefficients(trial, count, struct, scale, outTmp)) {
            for (let j = 0; j < nP; j++) par[j] = trial[j];
            cost = c2;
            accepted = true;
            lambda = Math.max(lambda / 4, 1e-9);
            break;
          }
        }
      }
      lambda *= 8;
    }
    if (!accepted) {
      evaluate(par, count, struct, scale, x, np);
      residuals(count, np, wt, inBand, p, eScale);
      if (p === 16) break;
      it = p === 4 ? Math.ceil(iterations / 4) - 1 : Math.ceil(iterations / 2) - 1;
      continue;
    }
    const m = worstOf(np, target, inBand, wt, floor);
    if (m < best) {
      best = m;
      for (let j = 0; j < nP; j++) bestPar[j] = par[j];
      if (best <= goal) break;
    }
  }
  if (!(best < start)) return start;
  if (!toCoefficients(bestPar, count, struct, scale, outTmp)) return start;
  const o = first * COEFFS_PER_SECTION;
  for (let j = 0; j < count * COEFFS_PER_SECTION; j++) coeffs[o + j] = outTmp[j];
  return best;
}
