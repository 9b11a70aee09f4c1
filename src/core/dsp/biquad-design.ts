/**
 * Pure EQ filter design: analogue prototypes and their matched ("decramped") digital biquads.
 *
 * Every EQ band is a cascade of sections, each a ratio of polynomials in the normalised analogue
 * frequency S = s/ω0 (ω0 = 2π·freqHz). Digital sections follow M. Vicanek, "Matched Second Order
 * Digital Filters" (2016, vicanek.de/articles/BiquadFits.pdf):
 *  - poles: impulse-invariant images of the analogue poles, a2 = e^(-2ζω), a1 = -2e^(-ζω)cos(ω√(1-ζ²))
 *    (cosh for ζ > 1), with ζ = 1/(2Q) and ω in rad/sample;
 *  - zeros: chosen so |H(e^jω)|² equals the analogue |H(jω)|² at DC, at the match frequency (the centre
 *    frequency ω0) and at Nyquist. With φ1 = sin²(ω/2), φ0 = 1 - φ1, φ2 = 4φ0φ1 a biquad has
 *    |B(e^jω)|² = B0·φ0 + B1·φ1 + B2·φ2 with B0 = (b0+b1+b2)², B1 = (b0-b1+b2)², B2 = -4·b0·b2 (same for
 *    A with a0 = 1), so the three conditions are linear in B0..B2; the numerator is then factored back
 *    (minimum phase: real zeros outside the unit circle are reflected inside, keeping the magnitude).
 *  - first-order sections (odd Butterworth orders, the tilt) match DC, ω0 and Nyquist exactly by
 *    choosing the pole too (three conditions, three unknowns: pole, b0, b1), in the spirit of Vicanek,
 *    "Matched One-Pole Digital Shelving Filters" (2019).
 * Poles above ω0 would alias under impulse invariance near Nyquist, so a low-shelf cut and a
 * high-shelf boost are designed as the matched design of their exact inverse (RBJ shelves satisfy
 * LS(-g) = 1/LS(g)) and then inverted (numerator and denominator swapped; the numerator is minimum
 * phase, so the inverse is stable).
 *
 * Definitions (RBJ Audio EQ Cookbook, W3C note, A = 10^(gainDb/40)):
 *  bell      H = (S² + S·A/Q + 1) / (S² + S/(A·Q) + 1)
 *  lowshelf  H = A·(S² + S·√A/Q + A) / (A·S² + S·√A/Q + 1)       (q is the cookbook's shelf Q; q = 1/√2
 *  highshelf H = A·(A·S² + S·√A/Q + 1) / (S² + S·√A/Q + A)         equals the cookbook's slope S = 1)
 *  notch     H = (S² + 1) / (S² + S/Q + 1)
 *  bandpass  H = (S/Q) / (S² + S/Q + 1)                            (constant 0 dB peak gain)
 *  highpass/lowpass, slopeDbPerOct = 6·n: Butterworth of order n (1..8); order 2 takes q as resonance.
 *  tilt      H = [k·(S + 1/k)/(S + k)]², k = 10^(gainDb/80): 0 dB at freqHz, -gainDb/2 towards DC and
 *            +gainDb/2 towards high frequencies (gainDb = total tilt between the two asymptotes).
 *
 * The EQ (designEqBandInto, designBands, BiquadCascade) adds two correction biquads per band (identity
 * where not needed) and refines the band jointly (see "Band correction sections" and biquad-fit.ts);
 * designBandInto alone gives the base sections only. Sections per band in the EQ: base + 2, i.e. 3
 * for bell, shelves, notch, bandpass, tilt and hp/lp orders 1..2, ceil(order/2) + 2 (up to 6) for
 * hp/lp. Corrections run only where the base misses (elsewhere they are identities, skipped by
 * BiquadCascade): on the grid below at 44.1 kHz the first is active for 47 % of bells, 25 % of
 * shelves, 54 % of hp/lp, 78 % of bandpasses, the second only for bells and bandpasses at >= 4 kHz
 * (14 % and 37 %) and 16 of 288 hp/lp (>= 2 kHz); shelves, tilt and notch never use it.
 * designEqBandFastInto is the same layout without any fitting (bare matched sections, identity
 * corrections): closed form and ~1000× cheaper, for parameter glides only (BiquadCascade).
 *
 * Limits: the design frequency is clamped to MAX_DESIGN_FREQ_RATIO·fs; a lowpass at or above fs/2 is
 * a pass-through. Measured worst error vs the analogue prototype on 401 log-spaced points from 20 Hz
 * to 0.4·fs at 44.1 / 48 / 96 kHz (grid: bells 30 Hz..16 kHz, Q 0.3..8, ±2..18 dB; shelves 20 Hz..16 kHz,
 * q 0.5..1, ±3..15 dB; tilt ±6..18 dB; hp/lp orders 1..8, corners 20 Hz..16 kHz, where the analogue is
 * >= -20 dB; bandpass (>= -12 dB) and notch (>= -20 dB) Q 0.5..10, 20 Hz..16 kHz):
 *   bell 0.050 / 0.050 / 0.050 dB, shelves 0.046 / 0.044 / 0.027, tilt 0.040 / 0.040 / 0.035,
 *   hp/lp 0.048 / 0.079 / 0.043 (also -20..-40 dB: 0.055 / 0.056 / 0.053), bandpass 0.049 / 0.047 /
 *   0.035, notch 0.044 / 0.043 / 0.034 (also -20..-40 dB; linear amplitude error <= 0.004).
 * Not held: bandpasses between -12 and -40 dB far from their centre reach ~0.18 dB (the fit stops
 * once the judged band meets its goal). Poles stay at |z| <= 0.99996 (margin from the matched design
 * at 96 kHz; refined sections <= 0.9999). Design cost (CPU time, median of 9, loaded 2-core machine):
 * ~0.1 ms median, p90 ~1 ms, worst seen 3.8 ms (8th-order lowpass at 15 kHz, 48 kHz; the previous
 * design took 0.6 ms there).
 *
 * Coefficients are stored 5 per section: b0, b1, b2, a1, a2 (a0 = 1).
 */

import { NUM_DC, NUM_DOUBLE_DC, NUM_GENERAL, NUM_NOTCH, refineCascadeLogPower } from './biquad-fit.js';

export type EqBandType = 'bell' | 'lowshelf' | 'highshelf' | 'highpass' | 'lowpass' | 'notch' | 'bandpass' | 'tilt';

/** One EQ band in user units (the same shape as eq.ts's EqBand). */
export interface BandSpec {
  type: EqBandType;
  /** Centre / corner / pivot frequency in Hz. */
  freqHz: number;
  /** Gain in dB (bell, shelves, tilt). Default 0. */
  gainDb?: number;
  /** Q (RBJ definition; shelves: the cookbook's shelf Q). Default per type (BAND_DEFAULT_Q). */
  q?: number;
  /** highpass/lowpass slope, 6..48 dB/oct in steps of 6 (Butterworth order slope/6). Default 12. */
  slopeDbPerOct?: number;
}

export const EQ_BAND_TYPES: readonly EqBandType[] = ['bell', 'lowshelf', 'highshelf', 'highpass', 'lowpass', 'notch', 'bandpass', 'tilt'];

/** Default q per band type (hp/lp: Butterworth 1/√2; shelves: cookbook slope S = 1). */
export const BAND_DEFAULT_Q: Readonly<Record<EqBandType, number>> = {
  bell: 1,
  lowshelf: Math.SQRT1_2,
  highshelf: Math.SQRT1_2,
  highpass: Math.SQRT1_2,
  lowpass: Math.SQRT1_2,
  notch: 2,
  bandpass: Math.SQRT1_2,
  tilt: Math.SQRT1_2,
};

/** Default highpass/lowpass slope in dB/oct. */
export const DEFAULT_SLOPE_DB_PER_OCT = 12;
/** Highest Butterworth order (48 dB/oct). */
export const MAX_BUTTERWORTH_ORDER = 8;
/** Design frequencies are clamped to this fraction of the sample rate (a lowpass at >= fs/2 passes). */
export const MAX_DESIGN_FREQ_RATIO = 0.49;
/** Coefficients per section: b0, b1, b2, a1, a2. */
export const COEFFS_PER_SECTION = 5;

/** Numeric band type codes (index into EQ_BAND_TYPES), used in hot paths. */
export function bandTypeCode(type: EqBandType): number {
  return EQ_BAND_TYPES.indexOf(type);
}

const T_BELL = 0;
const T_LOWSHELF = 1;
const T_HIGHSHELF = 2;
const T_HIGHPASS = 3;
const T_LOWPASS = 4;
const T_NOTCH = 5;
const T_BANDPASS = 6;
const T_TILT = 7;

// Section kinds.
const K_LP2 = 0;
const K_HP2 = 1;
const K_BP2 = 2;
const K_NOTCH2 = 3;
const K_BELL2 = 4;
const K_LS2 = 5;
const K_HS2 = 6;
const K_LP1 = 7;
const K_HP1 = 8;
const K_TILT = 9;

/** Butterworth order of a highpass/lowpass band (1..8), 0 for other types. */
export function bandOrder(band: BandSpec): number {
  if (band.type !== 'highpass' && band.type !== 'lowpass') return 0;
  const n = Math.round((band.slopeDbPerOct ?? DEFAULT_SLOPE_DB_PER_OCT) / 6);
  return Math.min(MAX_BUTTERWORTH_ORDER, Math.max(1, n));
}

/** Number of biquad sections a band needs (hp/lp: ceil(order/2); others 1). */
export function sectionCountFor(typeCode: number, order: number): number {
  return typeCode === T_HIGHPASS || typeCode === T_LOWPASS ? (order + 1) >> 1 : 1;
}

/** Number of biquad sections for a band. */
export function bandSectionCount(band: BandSpec): number {
  return sectionCountFor(bandTypeCode(band.type), bandOrder(band));
}

function sectionKind(typeCode: number, order: number, k: number): number {
  switch (typeCode) {
    case T_BELL: return K_BELL2;
    case T_LOWSHELF: return K_LS2;
    case T_HIGHSHELF: return K_HS2;
    case T_NOTCH: return K_NOTCH2;
    case T_BANDPASS: return K_BP2;
    case T_TILT: return K_TILT;
    case T_HIGHPASS: return (order & 1) === 1 && k === order >> 1 ? K_HP1 : K_HP2;
    default: return (order & 1) === 1 && k === order >> 1 ? K_LP1 : K_LP2;
  }
}

/** Section Q: Butterworth pole pairs Q_k = 1/(2·sin((2k+1)π/(2n))), or the band's q. */
function sectionQ(typeCode: number, order: number, k: number, q: number): number {
  if (typeCode !== T_HIGHPASS && typeCode !== T_LOWPASS) return q;
  if (order === 2) return q;
  return 1 / (2 * Math.sin(((2 * k + 1) * Math.PI) / (2 * order)));
}

/**
 * Analogue power |H(jΩ)|² of one section at x = Ω² (Ω = f/freqHz).
 * @param a amplitude parameter: A = 10^(gainDb/40) for bell/shelves, k = 10^(gainDb/80) for tilt
 */
function sectionPower(kind: number, a: number, q: number, x: number): number {
  const u = 1 - x;
  const iq2 = 1 / (q * q);
  switch (kind) {
    case K_LP2: return 1 / (u * u + x * iq2);
    case K_HP2: return (x * x) / (u * u + x * iq2);
    case K_BP2: return (x * iq2) / (u * u + x * iq2);
    case K_NOTCH2: return (u * u) / (u * u + x * iq2);
    case K_BELL2: return (u * u + x * a * a * iq2) / (u * u + (x * iq2) / (a * a));
    case K_LS2: {
      const n = a - x;
      const d = 1 - a * x;
      return (a * a * (n * n + x * a * iq2)) / (d * d + x * a * iq2);
    }
    case K_HS2: {
      const n = 1 - a * x;
      const d = a - x;
      return (a * a * (n * n + x * a * iq2)) / (d * d + x * a * iq2);
    }
    case K_LP1: return 1 / (1 + x);
    case K_HP1: return x / (1 + x);
    default: {
      // Tilt: two identical first-order shelves k(S + 1/k)/(S + k).
      const p = (a * a * x + 1) / (x + a * a);
      return p * p;
    }
  }
}

/** Amplitude parameter of a section kind for a gain in dB. */
function sectionAmp(kind: number, gainDb: number): number {
  return kind === K_TILT ? Math.pow(10, gainDb / 80) : Math.pow(10, gainDb / 40);
}

/**
 * Analogue prototype power |H(j2πf)|² of one band at one frequency (allocation-free).
 * @param band the band in user units (freqHz used unclamped)
 * @param freqHz frequency in Hz (>= 0)
 */
export function analogBandPower(band: BandSpec, freqHz: number): number {
  const t = bandTypeCode(band.type);
  const order = bandOrder(band);
  const q = band.q ?? BAND_DEFAULT_Q[band.type];
  const g = band.gainDb ?? 0;
  const n = sectionCountFor(t, order);
  const x = (freqHz / band.freqHz) * (freqHz / band.freqHz);
  let p = 1;
  for (let k = 0; k < n; k++) {
    const kind = sectionKind(t, order, k);
    p *= sectionPower(kind, sectionAmp(kind, g), sectionQ(t, order, k, q), x);
  }
  return p;
}

/**
 * Analogue prototype magnitude of one band, in dB, at each frequency (the oracle the digital design
 * matches). The band's own freqHz is used unclamped.
 * @param band the band in user units
 * @param freqHz frequencies in Hz (> 0)
 * @returns dB values (-Infinity at an exact notch null or a highpass at DC)
 */
export function analogBandMagnitudeDb(band: BandSpec, freqHz: readonly number[]): number[] {
  return freqHz.map((f) => 10 * Math.log10(analogBandPower(band, f)));
}

/** Writes an identity section (b0 = 1). */
function writeIdentity(out: Float64Array, o: number): void {
  out[o] = 1;
  out[o + 1] = 0;
  out[o + 2] = 0;
  out[o + 3] = 0;
  out[o + 4] = 0;
}

/**
 * Matched second-order section (Vicanek 2016): impulse-invariant poles at normalised pole frequency
 * wp (rad/sample) with quality qp; numerator magnitude-matched to t0 (DC), tm (at wm) and tpi (Nyquist),
 * all power ratios. Writes b0, b1, b2, a1, a2 at out[o..o+4].
 */
function matchedSecondOrder(wp: number, qp: number, t0: number, tm: number, tpi: number, wm: number, out: Float64Array, o: number): void {
  const zeta = 1 / (2 * qp);
  const e = Math.exp(-zeta * wp);
  const a1 = zeta <= 1 ? -2 * e * Math.cos(wp * Math.sqrt(1 - zeta * zeta)) : -2 * e * Math.cosh(wp * Math.sqrt(zeta * zeta - 1));
  const a2 = e * e;
  const A0 = (1 + a1 + a2) * (1 + a1 + a2);
  const A1 = (1 - a1 + a2) * (1 - a1 + a2);
  const A2 = -4 * a2;
  const s = Math.sin(wm / 2);
  const p1 = s * s;
  const p0 = 1 - p1;
  const p2 = 4 * p0 * p1;
  const B0 = t0 * A0;
  const B1 = tpi * A1;
  const B2 = (tm * (A0 * p0 + A1 * p1 + A2 * p2) - B0 * p0 - B1 * p1) / p2;
  const sB0 = Math.sqrt(B0);
  const sB1 = Math.sqrt(B1);
  const w = 0.5 * (sB0 + sB1);
  const b1 = 0.5 * (sB0 - sB1);
  // b0 + b2 = w and b0·b2 = -B2/4; a negative discriminant means the three targets are not reachable by
  // a real numerator: the closest one has a double zero (r = 0).
  const disc = w * w + B2;
  const r = disc > 0 ? Math.sqrt(disc) : 0;
  writeMinimumPhaseNumerator(0.5 * (w + r), b1, 0.5 * (w - r), out, o);
  out[o + 3] = a1;
  out[o + 4] = a2;
}

/**
 * Matched first-order section: pole and zero chosen so |H|² equals t0 at DC, tc at wc and tpi at
 * Nyquist (requires a monotone target: tc strictly between t0 and tpi; otherwise a constant gain √t0).
 * Writes b0, b1 (b2 = 0) and a1 (a2 = 0).
 */
function matchedFirstOrder(t0: number, tc: number, tpi: number, wc: number, out: Float64Array, o: number): void {
  const s = Math.sin(wc / 2);
  const p1 = s * s;
  // From (1-p)²/(1+p)² = A0/A1 = φc·(tπ - tc) / ((1 - φc)·(tc - t0)).
  const r = (p1 * (tpi - tc)) / ((1 - p1) * (tc - t0));
  out[o + 2] = 0;
  out[o + 4] = 0;
  if (!(r > 0) || !Number.isFinite(r)) {
    out[o] = Math.sqrt(t0);
    out[o + 1] = 0;
    out[o + 3] = 0;
    return;
  }
  const sr = Math.sqrt(r);
  const pole = (1 - sr) / (1 + sr);
  const a1 = -pole;
  const sB0 = Math.sqrt(t0) * (1 + a1);
  const sB1 = Math.sqrt(tpi) * (1 - a1);
  out[o] = 0.5 * (sB0 + sB1);
  out[o + 1] = 0.5 * (sB0 - sB1);
  out[o + 3] = a1;
}

// ---- Least-squares refinement -------------------------------------------------------------------
// The matched design pins DC, ω0 and Nyquist but its impulse-invariant poles leave errors of up to
// ~1 dB between those points for wide bands near Nyquist, and the 3-point numerator does not keep the
// double zero at DC of a highpass. Both |B|² and |A|² are quadratics in x = sin²(ω/2), so the power
// response N(x)/D(x) is fitted to the analogue power on a log-spaced grid by iterated reweighted
// linear least squares (Sanathanan–Koerner: minimise Σ (N - T·D)² / (T·D_prev)², i.e. the relative
// power error), in the scaled variable y = x / sin²(ω0/2) (≈ Ω² at low frequencies, so the system is
// well conditioned). Structural zeros are imposed (highpass: N = n2·y², bandpass: N(0) = 0, notch:
// N = n2·(y - 1)²). The fitted quadratics are spectrally factored into minimum-phase biquad
// coefficients; the result replaces the matched one only when it is valid and its worst error on
// the grid is smaller.

const FIT_POINTS = 56;
const FIT_ITERATIONS = 6;
/** Below this power (-60 dB) the relative error weight stops growing (stopband accuracy matters less). */
const FIT_FLOOR = 1e-6;
const fitY = new Float64Array(FIT_POINTS);
const fitX = new Float64Array(FIT_POINTS);
const fitT = new Float64Array(FIT_POINTS);
const fitW = new Float64Array(FIT_POINTS);
const fitDPrev = new Float64Array(FIT_POINTS);
const fitM = new Float64Array(36);
const fitV = new Float64Array(6);
const fitSol = new Float64Array(6);
const fitRow = new Float64Array(6);
const fitCand = new Float64Array(5);

/** Solves the n×n system in fitM (row-major, stride 6) / fitV into fitSol; false when singular. */
function solveFit(n: number): boolean {
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(fitM[r * 6 + c]) > Math.abs(fitM[piv * 6 + c])) piv = r;
    if (!(Math.abs(fitM[piv * 6 + c]) > 1e-300)) return false;
    if (piv !== c) {
      for (let k = 0; k < n; k++) { const t = fitM[c * 6 + k]; fitM[c * 6 + k] = fitM[piv * 6 + k]; fitM[piv * 6 + k] = t; }
      const t = fitV[c]; fitV[c] = fitV[piv]; fitV[piv] = t;
    }
    for (let r = c + 1; r < n; r++) {
      const f = fitM[r * 6 + c] / fitM[c * 6 + c];
      for (let k = c; k < n; k++) fitM[r * 6 + k] -= f * fitM[c * 6 + k];
      fitV[r] -= f * fitV[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let acc = fitV[r];
    for (let k = r + 1; k < n; k++) acc -= fitM[r * 6 + k] * fitSol[k];
    fitSol[r] = acc / fitM[r * 6 + r];
  }
  return true;
}

/**
 * Spectral factor of P(x) = P0(1-x) + P1·x + 4·P2·x(1-x) (>= 0 on [0,1]) into c0 + c1 z⁻¹ + c2 z⁻² with
 * |C(e^jω)|² = P(sin²(ω/2)), minimum phase. Writes c0..c2 at out[o..o+2]; false when P is not a valid
 * power polynomial.
 */
function spectralFactor(P0: number, P1: number, P2: number, out: Float64Array, o: number): boolean {
  if (!(P0 >= 0) || !(P1 >= 0)) return false;
  const s0 = Math.sqrt(P0);
  const s1 = Math.sqrt(P1);
  // Two sign choices for c0 - c1 + c2 = ±√P1; at least one is real when P >= 0 (Fejér–Riesz).
  let w = 0.5 * (s0 + s1);
  let c1 = 0.5 * (s0 - s1);
  let disc = w * w + P2;
  if (disc < 0) {
    w = 0.5 * (s0 - s1);
    c1 = 0.5 * (s0 + s1);
    disc = w * w + P2;
    if (disc < -1e-12 * (P0 + P1 + Math.abs(P2))) return false;
    if (w < 0) { w = -w; c1 = -c1; }
  }
  const r = disc > 0 ? Math.sqrt(disc) : 0;
  writeMinimumPhaseNumerator(0.5 * (w + r), c1, 0.5 * (w - r), out, o);
  return Number.isFinite(out[o]) && Number.isFinite(out[o + 1]) && Number.isFinite(out[o + 2]);
}

/**
 * Writes the numerator (c0, c1, c2) to out[o..o+2] with any real zero outside the unit circle reflected
 * inside (z → 1/z, gain scaled by |z|): the same magnitude response, minimum phase, invertible.
 */
function writeMinimumPhaseNumerator(c0: number, c1: number, c2: number, out: Float64Array, o: number): void {
  const dz = c1 * c1 - 4 * c0 * c2;
  if (dz > 0 && c0 !== 0) {
    const sq = Math.sqrt(dz);
    let z1 = (-c1 + sq) / (2 * c0);
    let z2 = (-c1 - sq) / (2 * c0);
    let g = c0;
    if (Math.abs(z1) > 1) { g *= Math.abs(z1); z1 = 1 / z1; }
    if (Math.abs(z2) > 1) { g *= Math.abs(z2); z2 = 1 / z2; }
    c0 = g;
    c1 = -g * (z1 + z2);
    c2 = g * z1 * z2;
  }
  out[o] = c0;
  out[o + 1] = c1;
  out[o + 2] = c2;
}

/** Power of section coefficients c[o..o+4] at x = sin²(ω/2) (cos ω = 1 - 2x, cos 2ω = 2cos²ω - 1). */
function coeffPower(c: Float64Array, o: number, x: number): number {
  // Complex evaluation (no squaring before the cancellation, see sectionPowerAt).
  const c1 = 1 - 2 * x;
  const s1 = 2 * Math.sqrt(Math.max(x * (1 - x), 0));
  return sectionPowerAt(c, o, c1, s1, 2 * c1 * c1 - 1, 2 * s1 * c1);
}

/**
 * Power of the section at c[o..o+4] at e^jω given cos ω, sin ω, cos 2ω, sin 2ω, from the complex
 * values of numerator and denominator. The expanded form b0² + b1² + b2² + 2(b0b1 + b1b2)cos ω + …
 * cancels to the power itself and loses ~1e-16·16/|A|² relative accuracy: 5 % (0.2 dB) for a Q 8
 * cut at 30 Hz at 96 kHz, whose |A(e^jω0)|² is ~1e-14. The complex form loses ~1e-16/|A| instead.
 */
function sectionPowerAt(c: ArrayLike<number>, o: number, c1: number, s1: number, c2: number, s2: number): number {
  const nr = c[o] + c[o + 1] * c1 + c[o + 2] * c2;
  const ni = c[o + 1] * s1 + c[o + 2] * s2;
  const dr = 1 + c[o + 3] * c1 + c[o + 4] * c2;
  const di = c[o + 3] * s1 + c[o + 4] * s2;
  return (nr * nr + ni * ni) / (dr * dr + di * di);
}

/** Worst |dB| error of section coefficients against the fit targets (weighted points only). */
function worstFitErrorDb(c: Float64Array, o: number): number {
  let m = 0;
  for (let i = 0; i < FIT_POINTS; i++) {
    if (fitW[i] < 1) continue;
    const t = fitT[i];
    if (t < FIT_FLOOR) continue;
    const e = Math.abs(10 * Math.log10(coeffPower(c, o, fitX[i]) / t));
    if (!(e <= m)) m = e;
  }
  return m;
}

/** Refines a matched second-order section in place (see the block comment above). */
function refineSection(kind: number, a: number, q: number, w0: number, out: Float64Array, o: number): void {
  const sh = Math.sin(w0 / 2);
  const x0 = sh * sh;
  // Grid: log-spaced from ω0/64 (at least 1e-4 rad) to Nyquist; full weight up to 0.42·fs, less above.
  const wLo = Math.max(Math.min(w0 / 64, 0.05), 1e-4);
  // The grid point nearest ω0 is moved onto ω0 (a narrow bell's peak must be on the grid).
  const iw0 = Math.round(((FIT_POINTS - 1) * Math.log(w0 / wLo)) / Math.log(Math.PI / wLo));
  for (let i = 0; i < FIT_POINTS; i++) {
    const w = i === iw0 ? w0 : wLo * Math.pow(Math.PI / wLo, i / (FIT_POINTS - 1));
    const s = Math.sin(w / 2);
    fitX[i] = s * s;
    fitY[i] = fitX[i] / x0;
    fitT[i] = sectionPower(kind, a, q, (w / w0) * (w / w0));
    fitW[i] = w <= 0.84 * Math.PI ? 1 : 0.25;
    fitDPrev[i] = 1;
  }
  // Unknowns: numerator terms (by kind) then d1, d2 (d0 = 1).
  const nNum = kind === K_HP2 || kind === K_NOTCH2 ? 1 : kind === K_BP2 || kind === K_HP1 ? 2 : 3;
  const nU = nNum + 2;
  let ok = false;
  for (let it = 0; it < FIT_ITERATIONS; it++) {
    fitM.fill(0);
    fitV.fill(0);
    for (let i = 0; i < FIT_POINTS; i++) {
      const y = fitY[i];
      const t = fitT[i];
      const tw = Math.max(t, FIT_FLOOR);
      const sc = fitW[i] / (tw * fitDPrev[i]);
      if (kind === K_HP2) fitRow[0] = y * y;
      else if (kind === K_NOTCH2) fitRow[0] = (y - 1) * (y - 1);
      else if (kind === K_BP2 || kind === K_HP1) { fitRow[0] = y; fitRow[1] = y * y; }
      else { fitRow[0] = 1; fitRow[1] = y; fitRow[2] = y * y; }
      for (let k = 0; k < nNum; k++) fitRow[k] *= sc;
      fitRow[nNum] = -t * y * sc;
      fitRow[nNum + 1] = -t * y * y * sc;
      const rhs = t * sc;
      for (let r = 0; r < nU; r++) {
        fitV[r] += fitRow[r] * rhs;
        for (let k = 0; k < nU; k++) fitM[r * 6 + k] += fitRow[r] * fitRow[k];
      }
    }
    if (!solveFit(nU)) return;
    const d1 = fitSol[nNum];
    const d2 = fitSol[nNum + 1];
    for (let i = 0; i < FIT_POINTS; i++) {
      const y = fitY[i];
      const d = 1 + d1 * y + d2 * y * y;
      fitDPrev[i] = d > 1e-12 ? d : 1e-12;
    }
    ok = true;
  }
  if (!ok) return;
  let n0 = 0, n1 = 0, n2 = 0;
  if (kind === K_HP2) n2 = fitSol[0];
  else if (kind === K_NOTCH2) { n2 = fitSol[0]; n1 = -2 * n2; n0 = n2; }
  else if (kind === K_BP2 || kind === K_HP1) { n1 = fitSol[0]; n2 = fitSol[1]; }
  else { n0 = fitSol[0]; n1 = fitSol[1]; n2 = fitSol[2]; }
  const d1 = fitSol[nNum];
  const d2 = fitSol[nNum + 1];
  // Back to x = x0·y: Q(x) = q0 + q1·x + q2·x² = P0 + (P1 - P0 + 4P2)·x - 4P2·x².
  const B0 = n0, B2 = -n2 / (4 * x0 * x0), B1 = n0 + n1 / x0 + n2 / (x0 * x0);
  const A0 = 1, A2 = -d2 / (4 * x0 * x0), A1 = 1 + d1 / x0 + d2 / (x0 * x0);
  if (!spectralFactor(A0, A1, A2, fitCand, 0)) return;
  const a0 = fitCand[0];
  const a1 = fitCand[1] / a0;
  const a2 = fitCand[2] / a0;
  if (!(Math.abs(a2) < 1) || !(Math.abs(a1) < 1 + a2)) return; // stability triangle
  if (!spectralFactor(B0, B1, B2, fitCand, 0)) return;
  fitCand[0] /= a0;
  fitCand[1] /= a0;
  fitCand[2] /= a0;
  fitCand[3] = a1;
  fitCand[4] = a2;
  if (worstFitErrorDb(fitCand, 0) < worstFitErrorDb(out, o)) {
    for (let k = 0; k < 5; k++) out[o + k] = fitCand[k];
  }
}


// ---- Band correction sections ---------------------------------------------------------------------
// A biquad per analogue section cannot follow a response that still changes between 0.4·fs and
// Nyquist (wide bells and shelves near the top, high-order Butterworth corners, wide bandpasses): its
// power is a ratio of quadratics in x = sin²(ω/2), which saturates at Nyquist where the analogue
// Ω² keeps growing. The EQ therefore gives every band EQ_CORRECTION_SECTIONS = 2 extra "correction"
// biquads (an over-order fit), identity sections unless needed (BiquadCascade skips those at no
// cost). On a band grid (log-spaced to 0.4·fs, a cluster around ω0, linear points over the top, a few
// lightly weighted ones up to Nyquist):
//  1. base sections as above; done when they meet CORRECTION_TOL;
//  2. the first correction is fitted (Sanathanan–Koerner, general numerator) to the power ratio the
//     base leaves, then base and correction are refined jointly in the dB sense (Levenberg–Marquardt
//     on an L_p norm, biquad-fit.ts);
//  3. when that leaves more than LM_TOL2 the second correction joins (from a near-identity start) and
//     all sections are refined again;
//  4. when the result is still above LM_RETRY (a poor local minimum: some narrow bells and bandpasses
//     near Nyquist) steps 2..3 are retried from the alternating SK refit of base and first correction
//     (the previous design) and the better result is kept.

/** Grid of the band-level fit: log-spaced up to 0.4·fs, a cluster around ω0, a few points above 0.4·fs. */
const BAND_LOG = 56;
const BAND_MID = 17;
const BAND_LIN = 24;
const BAND_HIGH = 8;
const BAND_POINTS = BAND_LOG + BAND_MID + BAND_LIN + BAND_HIGH;
/** Weight of the grid points above 0.4·fs (kept only so the fit stays tame up to Nyquist). */
const HIGH_WEIGHT = 0.1;
/** Analogue power below which the relative error weight stops growing (−30 dB: hp/lp stopband, notch null). */
const BAND_FLOOR = 1e-3;
/** Worst base error (dB) on the band grid below which no refit is done. */
const CORRECTION_TOL = 0.02;
/** Alternating refit sweeps over the band's sections (the best sweep is kept: SK is not monotone). */
const BAND_SWEEPS = 6;
const MAX_BAND_SECTIONS = 6;
const bandX = new Float64Array(BAND_POINTS);
const bandT = new Float64Array(BAND_POINTS);
const bandWt = new Float64Array(BAND_POINTS);
/** 1 for grid points up to 0.4·fs (where the error is measured), 0 above. */
const bandIn = new Uint8Array(BAND_POINTS);
/** Per-section power on the grid, [section][point]. */
const bandSecP = new Float64Array(MAX_BAND_SECTIONS * BAND_POINTS);
const bandTarget = new Float64Array(BAND_POINTS);
const bandD = new Float64Array(BAND_POINTS);
const bandBest = new Float64Array(MAX_BAND_SECTIONS * COEFFS_PER_SECTION);
const bandCand = new Float64Array(5);
/** Correction sections per EQ band (identity where not needed; BiquadCascade skips those). */
export const EQ_CORRECTION_SECTIONS = 2;
/** LM iterations with one correction section, then with two (when one leaves more than LM_TOL2). */
const LM_ITERATIONS = 16;
const LM_ITERATIONS2 = 32;
const LM_TOL2 = 0.05;
/** The refinement stops once the worst band-grid error is below this (dB). */
const LM_GOAL = 0.035;
/** Below this analogue power (-40 dB) the judged error is relative to it, and the LM weight fades. */
const POLISH_FLOOR = 1e-4;
/** Worst band-grid error (dB) after the refinement above which it is retried from the SK refit. */
const LM_RETRY = 0.08;
const bandStart = new Float64Array(MAX_BAND_SECTIONS * COEFFS_PER_SECTION);
const bandAlt = new Float64Array(MAX_BAND_SECTIONS * COEFFS_PER_SECTION);
const polishStruct = new Int32Array(MAX_BAND_SECTIONS);
const polishScale = new Float64Array(MAX_BAND_SECTIONS);
const polishWt = new Float64Array(BAND_POINTS);
const polishFixed = new Float64Array(BAND_POINTS);

// Numerator structures of the SK section fit (power numerator as a polynomial in y = x/scale).
const N_GENERAL = 0; // n0 + n1·y + n2·y²
const N_DOUBLE_DC = 1; // n2·y² (highpass pair)
const N_DC = 2; // n1·y + n2·y² (first-order highpass, bandpass)
const N_NOTCH = 3; // n2·(y - 1)² (zero pair on the unit circle at scale)

/** Analogue power of a whole band at x = Ω². */
function bandPowerAt(typeCode: number, order: number, gainDb: number, q: number, x: number): number {
  const n = sectionCountFor(typeCode, order);
  let p = 1;
  for (let k = 0; k < n; k++) {
    const kind = sectionKind(typeCode, order, k);
    p *= sectionPower(kind, sectionAmp(kind, gainDb), sectionQ(typeCode, order, k, q), x);
  }
  return p;
}

/**
 * SK fit of one biquad's power N(y)/D(y) (y = x/scale, D(0) = 1, N of the given structure) to
 * bandTarget with weights bandWt (relative power error, floor BAND_FLOOR), spectrally factored into
 * out[o..o+4] (minimum phase, stable). False when the fit is not a valid biquad.
 */
function fitBandSection(struct: number, scale: number, out: Float64Array, o: number): boolean {
  const nNum = struct === N_GENERAL ? 3 : struct === N_DC ? 2 : 1;
  const nU = nNum + 2;
  for (let i = 0; i < BAND_POINTS; i++) bandD[i] = 1;
  for (let it = 0; it < FIT_ITERATIONS; it++) {
    fitM.fill(0);
    fitV.fill(0);
    for (let i = 0; i < BAND_POINTS; i++) {
      const y = bandX[i] / scale;
      const t = bandTarget[i];
      const sc = bandWt[i] / (Math.max(bandT[i], BAND_FLOOR) / bandT[i] * t * bandD[i]);
      if (struct === N_DOUBLE_DC) fitRow[0] = y * y;
      else if (struct === N_NOTCH) fitRow[0] = (y - 1) * (y - 1);
      else if (struct === N_DC) { fitRow[0] = y; fitRow[1] = y * y; }
      else { fitRow[0] = 1; fitRow[1] = y; fitRow[2] = y * y; }
      for (let k = 0; k < nNum; k++) fitRow[k] *= sc;
      fitRow[nNum] = -t * y * sc;
      fitRow[nNum + 1] = -t * y * y * sc;
      const rhs = t * sc;
      for (let r = 0; r < nU; r++) {
        fitV[r] += fitRow[r] * rhs;
        for (let k = 0; k <= r; k++) fitM[r * 6 + k] += fitRow[r] * fitRow[k];
      }
    }
    for (let r = 0; r < nU; r++) for (let k = r + 1; k < nU; k++) fitM[r * 6 + k] = fitM[k * 6 + r];
    if (!solveFit(nU)) return false;
    const d1 = fitSol[nNum];
    const d2 = fitSol[nNum + 1];
    for (let i = 0; i < BAND_POINTS; i++) {
      const y = bandX[i] / scale;
      const d = 1 + d1 * y + d2 * y * y;
      bandD[i] = d > 1e-12 ? d : 1e-12;
    }
  }
  let n0 = 0, n1 = 0, n2 = 0;
  if (struct === N_DOUBLE_DC) n2 = fitSol[0];
  else if (struct === N_NOTCH) { n2 = fitSol[0]; n1 = -2 * n2; n0 = n2; }
  else if (struct === N_DC) { n1 = fitSol[0]; n2 = fitSol[1]; }
  else { n0 = fitSol[0]; n1 = fitSol[1]; n2 = fitSol[2]; }
  const d1 = fitSol[nNum];
  const d2 = fitSol[nNum + 1];
  const x0 = scale;
  const B0 = n0, B2 = -n2 / (4 * x0 * x0), B1 = n0 + n1 / x0 + n2 / (x0 * x0);
  const A0 = 1, A2 = -d2 / (4 * x0 * x0), A1 = 1 + d1 / x0 + d2 / (x0 * x0);
  if (!spectralFactor(A0, A1, A2, bandCand, 0)) return false;
  const a0 = bandCand[0];
  const a1 = bandCand[1] / a0;
  const a2 = bandCand[2] / a0;
  // Keep a margin inside the stability triangle (poles at |z| <= 0.9999).
  if (!(Math.abs(a2) < 0.9998) || !(Math.abs(a1) < 1 + a2 - 1e-9)) return false;
  if (!spectralFactor(B0, B1, B2, bandCand, 0)) return false;
  out[o] = bandCand[0] / a0;
  out[o + 1] = bandCand[1] / a0;
  out[o + 2] = bandCand[2] / a0;
  out[o + 3] = a1;
  out[o + 4] = a2;
  return Number.isFinite(out[o]) && Number.isFinite(out[o + 1]) && Number.isFinite(out[o + 2]);
}

/** Worst weighted |dB| error of the product of the per-section grid powers (n sections). */
function bandGridErrorDb(n: number): number {
  let m = 0;
  for (let i = 0; i < BAND_POINTS; i++) {
    if (bandIn[i] === 0) continue;
    let p = 1;
    for (let k = 0; k < n; k++) p *= bandSecP[k * BAND_POINTS + i];
    const e = pointErrorDb(p, bandT[i]);
    if (!(e <= m)) m = e;
  }
  return m;
}

/** Error measure of one grid point: |dB| error, or below BAND_FLOOR the power error relative to the floor. */
function pointErrorDb(p: number, t: number): number {
  return t >= BAND_FLOOR ? Math.abs(10 * Math.log10(p / t)) : (4.342944819 * Math.abs(p - t)) / BAND_FLOOR;
}

/** Fills row k of bandSecP from the section at out[o..o+4]. */
function sectionGridPower(out: Float64Array, o: number, k: number): void {
  for (let i = 0; i < BAND_POINTS; i++) bandSecP[k * BAND_POINTS + i] = coeffPower(out, o, bandX[i]);
}

/**
 * Designs one EQ band: the base sections of designBandInto plus EQ_CORRECTION_SECTIONS correction
 * sections (identities where not needed), refined jointly (see the block comment above).
 * @returns the number of sections written (eqSectionCountFor: sectionCountFor + 2)
 */
export function designEqBandInto(typeCode: number, order: number, freqHz: number, gainDb: number, q: number, sampleRate: number, out: Float64Array, section: number): number {
  eqDesignStats.accurate++;
  const key = `${typeCode} ${order} ${freqHz} ${gainDb} ${q} ${sampleRate}`;
  const o = section * COEFFS_PER_SECTION;
  const known = eqDesigns.get(key);
  if (known !== undefined) {
    out.set(known, o);
    return known.length / COEFFS_PER_SECTION;
  }
  const n = designEqBandAnew(typeCode, order, freqHz, gainDb, q, sampleRate, out, section);
  if (eqDesigns.size < EQ_DESIGNS_KEPT) eqDesigns.set(key, out.slice(o, o + n * COEFFS_PER_SECTION));
  return n;
}

/**
 * Accurate band designs made so far in this thread, by their arguments: a design is a pure function of
 * them and costs ≈ 0.1 ms (several times that while the code is still cold, which is when a session's
 * inserts are built), and sessions repeat bands (the same EQ on many tracks; a worker thread builds the
 * processors the main thread has just built). Bounded: a long automation may settle on many values.
 */
const eqDesigns = new Map<string, Float64Array>();
const EQ_DESIGNS_KEPT = 4096;

/** The remembered designs (key, coefficients), to hand to another thread's addEqDesigns(). */
export function eqDesignEntries(): [string, Float64Array][] {
  return [...eqDesigns];
}

/** Adds designs made by another thread (eqDesignEntries()): the same bits as designing them here. */
export function addEqDesigns(entries: readonly (readonly [string, Float64Array])[]): void {
  for (const [key, c] of entries) if (eqDesigns.size < EQ_DESIGNS_KEPT) eqDesigns.set(key, c);
}

/** Forgets the remembered designs (tests: a design must not depend on what was designed before). */
export function clearEqDesigns(): void {
  eqDesigns.clear();
}

/** designEqBandInto without the memo. */
function designEqBandAnew(typeCode: number, order: number, freqHz: number, gainDb: number, q: number, sampleRate: number, out: Float64Array, section: number): number {
  const n = designBaseInto(typeCode, order, freqHz, gainDb, q, sampleRate, out, section, true);
  const ns = n + 1;
  for (let k = 0; k < EQ_CORRECTION_SECTIONS; k++) writeIdentity(out, (section + n + k) * COEFFS_PER_SECTION);
  if (typeCode === T_LOWPASS && freqHz >= sampleRate / 2) return n + EQ_CORRECTION_SECTIONS;
  const f = Math.min(Math.max(freqHz, 1e-3), MAX_DESIGN_FREQ_RATIO * sampleRate);
  const w0 = (2 * Math.PI * f) / sampleRate;
  const wTop = 0.8 * Math.PI;
  // From below 20 Hz at any rate (and a point at DC) up to 0.4·fs.
  const wLo = Math.min(w0 / 16, (2 * Math.PI * 15) / sampleRate);
  const rr = Math.min(4, 1 + 2 / q);
  const mLo = Math.min(w0 / rr, wTop * 0.99);
  const mHi = Math.min(w0 * rr, wTop);
  for (let i = 0; i < BAND_POINTS; i++) {
    let w: number;
    let wt = 1;
    if (i === 0) w = 0;
    else if (i < BAND_LOG) w = wLo * Math.pow(wTop / wLo, (i - 1) / (BAND_LOG - 2));
    else if (i < BAND_LOG + BAND_MID) w = mLo * Math.pow(mHi / mLo, (i - BAND_LOG) / (BAND_MID - 1));
    // Linear in ω over the top of the band, where the correction sections ripple between log points.
    else if (i < BAND_LOG + BAND_MID + BAND_LIN) w = wTop * (0.3 + (0.7 * (i - BAND_LOG - BAND_MID + 0.5)) / BAND_LIN);
    else { w = wTop + ((Math.PI - wTop) * (i - BAND_LOG - BAND_MID - BAND_LIN + 1)) / BAND_HIGH; wt = HIGH_WEIGHT; }
    const s = Math.sin(w / 2);
    bandX[i] = s * s;
    bandT[i] = Math.max(bandPowerAt(typeCode, order, gainDb, q, (w / w0) * (w / w0)), 1e-30);
    bandWt[i] = wt;
    bandIn[i] = wt === 1 ? 1 : 0;
  }
  for (let k = 0; k < ns; k++) sectionGridPower(out, (section + k) * COEFFS_PER_SECTION, k);
  const best = bandGridErrorDb(ns);
  if (best <= CORRECTION_TOL) return n + EQ_CORRECTION_SECTIONS;
  const base = section * COEFFS_PER_SECTION;
  const nc = n + EQ_CORRECTION_SECTIONS;
  for (let k = 0; k < nc * COEFFS_PER_SECTION; k++) bandStart[k] = out[base + k];
  const sh = Math.sin(w0 / 2);
  const x0 = sh * sh;
  // Start of the joint refinement: the correction fitted (SK) to what the base sections leave.
  for (let i = 0; i < BAND_POINTS; i++) {
    let p = 1;
    for (let l = 0; l < n; l++) p *= bandSecP[l * BAND_POINTS + i];
    bandTarget[i] = bandT[i] / Math.max(p, 1e-30);
  }
  const co = (section + n) * COEFFS_PER_SECTION;
  if (fitBandSection(N_GENERAL, 1, bandCand, 0)) {
    for (let c = 0; c < 5; c++) out[co + c] = bandCand[c];
    sectionGridPower(out, co, n);
    if (!(bandGridErrorDb(ns) < best)) {
      writeIdentity(out, co);
      sectionGridPower(out, co, n);
    }
  }
  const e = polishBand(typeCode, order, n, x0, out, section);
  if (!(e > LM_RETRY)) return nc;
  // A poor local minimum (some narrow bells and bandpasses near Nyquist): start again from the
  // alternating SK refit of base and correction and keep the better result.
  for (let k = 0; k < nc * COEFFS_PER_SECTION; k++) {
    bandAlt[k] = out[base + k];
    out[base + k] = bandStart[k];
  }
  for (let k = 0; k < ns; k++) sectionGridPower(out, (section + k) * COEFFS_PER_SECTION, k);
  alternatingRefit(typeCode, order, n, x0, out, section);
  const e2 = polishBand(typeCode, order, n, x0, out, section);
  if (!(e2 < e)) for (let k = 0; k < nc * COEFFS_PER_SECTION; k++) out[base + k] = bandAlt[k];
  return nc;
}

/**
 * Alternating SK refit of a band's base sections and first correction against each other's residual
 * (the best sweep is kept: SK is not monotone). Expects the band grid and bandSecP of designEqBandInto.
 */
function alternatingRefit(typeCode: number, order: number, n: number, x0: number, out: Float64Array, section: number): void {
  const ns = n + 1;
  const base = section * COEFFS_PER_SECTION;
  let best = bandGridErrorDb(ns);
  for (let k = 0; k < ns * COEFFS_PER_SECTION; k++) bandBest[k] = out[base + k];
  for (let i = 0; i < BAND_POINTS; i++) bandWt[i] = bandIn[i] === 1 ? 1 : HIGH_WEIGHT;
  for (let sweep = 0; sweep < BAND_SWEEPS; sweep++) {
    // Correction first (the base sections are already good fits of their own prototypes).
    for (let j = 0; j < ns; j++) {
      const k = (ns - 1 + j) % ns;
      for (let i = 0; i < BAND_POINTS; i++) {
        let p = 1;
        for (let l = 0; l < ns; l++) if (l !== k) p *= bandSecP[l * BAND_POINTS + i];
        bandTarget[i] = bandT[i] / Math.max(p, 1e-30);
      }
      let struct = N_GENERAL;
      if (k < n) {
        const kind = sectionKind(typeCode, order, k);
        struct = kind === K_HP2 ? N_DOUBLE_DC : kind === K_BP2 || kind === K_HP1 ? N_DC : kind === K_NOTCH2 ? N_NOTCH : N_GENERAL;
      }
      const o = (section + k) * COEFFS_PER_SECTION;
      if (!fitBandSection(struct, k < n ? x0 : 1, bandCand, 0)) continue;
      for (let c = 0; c < 5; c++) out[o + c] = bandCand[c];
      sectionGridPower(out, o, k);
    }
    const e = bandGridErrorDb(ns);
    // Lawson-style reweighting towards the minimax solution: points with a large error gain weight.
    if (e > 0) {
      for (let i = 0; i < BAND_POINTS; i++) {
        let p = 1;
        for (let k = 0; k < ns; k++) p *= bandSecP[k * BAND_POINTS + i];
        bandWt[i] = (bandIn[i] === 1 ? 1 : HIGH_WEIGHT) * (1 + 3 * Math.min(pointErrorDb(p, bandT[i]) / e, 1));
      }
    }
    if (e < best) {
      best = e;
      for (let k = 0; k < ns * COEFFS_PER_SECTION; k++) bandBest[k] = out[base + k];
    }
  }
  for (let k = 0; k < ns * COEFFS_PER_SECTION; k++) out[base + k] = bandBest[k];
}

/**
 * Joint LM refinement of a band's base sections and first correction (biquad-fit.ts); when that
 * leaves more than LM_TOL2, the second correction joins and everything is refined again. Works on the
 * band grid set up by designEqBandInto.
 * @returns the worst band-grid error (dB, POLISH_FLOOR measure) of the kept design
 */
function polishBand(typeCode: number, order: number, n: number, x0: number, out: Float64Array, section: number): number {
  for (let k = 0; k < n; k++) {
    const kind = sectionKind(typeCode, order, k);
    polishStruct[k] = kind === K_HP2 ? NUM_DOUBLE_DC : kind === K_BP2 || kind === K_HP1 ? NUM_DC : kind === K_NOTCH2 ? NUM_NOTCH : NUM_GENERAL;
    polishScale[k] = x0;
  }
  for (let k = n; k < n + EQ_CORRECTION_SECTIONS; k++) {
    polishStruct[k] = NUM_GENERAL;
    polishScale[k] = 1;
  }
  for (let i = 0; i < BAND_POINTS; i++) {
    const t = bandT[i];
    // Residual weight: the judged band in full, the rest up to Nyquist lightly; far below the -40 dB
    // floor (hp/lp stopbands) the weight fades, and exact nulls are left out.
    polishWt[i] = t < 1e-20 ? 0 : (bandIn[i] === 1 ? 1 : HIGH_WEIGHT) * Math.min(1, Math.sqrt(t / POLISH_FLOOR));
    polishFixed[i] = 1;
  }
  const best = refineCascadeLogPower(out, section, n + 1, polishStruct, polishScale, polishFixed, bandX, bandT, polishWt, bandIn, POLISH_FLOOR, BAND_POINTS, LM_ITERATIONS, LM_GOAL);
  if (!(best > LM_TOL2) || EQ_CORRECTION_SECTIONS < 2) return best;
  // Second correction: a near-identity start (pole and zero pair at 0.9π, radii 0.5 and 0.45: off the
  // degenerate N = D, where the joint refinement could not separate them), then a joint refinement of
  // all sections. (An SK fit of the residual as the start converged in ~3× more iterations.)
  const base = section * COEFFS_PER_SECTION;
  const ns = n + 2;
  for (let k = 0; k < ns * COEFFS_PER_SECTION; k++) bandBest[k] = out[base + k];
  const o2 = (section + n + 1) * COEFFS_PER_SECTION;
  const ca = Math.cos(0.9 * Math.PI);
  out[o2] = 1;
  out[o2 + 1] = -0.9 * ca;
  out[o2 + 2] = 0.2025;
  out[o2 + 3] = -ca;
  out[o2 + 4] = 0.25;
  const e2 = refineCascadeLogPower(out, section, ns, polishStruct, polishScale, polishFixed, bandX, bandT, polishWt, bandIn, POLISH_FLOOR, BAND_POINTS, LM_ITERATIONS2, LM_GOAL);
  if (e2 < best) return e2;
  for (let k = 0; k < ns * COEFFS_PER_SECTION; k++) out[base + k] = bandBest[k];
  return best;
}

/**
 * Glide design of one EQ band: the bare matched sections (no per-section refinement, no band refit)
 * plus identity correction sections, so it has the same layout as designEqBandInto and the two can
 * be interpolated section by section (BiquadCascade). Closed-form: about 0.2..2 µs per band instead
 * of 0.04..4 ms; its error against the prototype is the matched design's (up to ~1 dB for wide bands
 * near Nyquist, less elsewhere), which is acceptable only while parameters move.
 * Parameters as designEqBandInto.
 * @returns the number of sections written (eqSectionCountFor)
 */
export function designEqBandFastInto(typeCode: number, order: number, freqHz: number, gainDb: number, q: number, sampleRate: number, out: Float64Array, section: number): number {
  eqDesignStats.fast++;
  const n = designBaseInto(typeCode, order, freqHz, gainDb, q, sampleRate, out, section, false);
  for (let k = 0; k < EQ_CORRECTION_SECTIONS; k++) writeIdentity(out, (section + n + k) * COEFFS_PER_SECTION);
  return n + EQ_CORRECTION_SECTIONS;
}

/**
 * Design statistics (a hook for tests and benchmarks, never read by the DSP): how many accurate band
 * designs (designEqBandInto, the costly refit) and glide designs (designEqBandFastInto) ran in this
 * module instance. Counters only grow; read differences.
 */
export const eqDesignStats = { accurate: 0, fast: 0 };

/** Replaces a section by its inverse 1/H (numerator must be minimum phase with b0 != 0). */
function invertSection(out: Float64Array, o: number): void {
  const b0 = out[o];
  const b1 = out[o + 1];
  const b2 = out[o + 2];
  const a1 = out[o + 3];
  const a2 = out[o + 4];
  out[o] = 1 / b0;
  out[o + 1] = a1 / b0;
  out[o + 2] = a2 / b0;
  out[o + 3] = b1 / b0;
  out[o + 4] = b2 / b0;
}

/**
 * Designs one section of the given kind at w0 (rad/sample, < π).
 * @param refine run the per-section least-squares refinement (refineSection); false gives the bare
 *   matched design (Vicanek), about 100× cheaper, used while parameters glide (designEqBandFastInto)
 */
function designSection(kind: number, a: number, q: number, w0: number, out: Float64Array, o: number, refine: boolean): void {
  const xpi = (Math.PI / w0) * (Math.PI / w0);
  switch (kind) {
    case K_LP1:
    case K_HP1:
      matchedFirstOrder(sectionPower(kind, a, q, 0), 0.5, sectionPower(kind, a, q, xpi), w0, out, o);
      // A first-order digital section cannot follow the analogue asymptotes near Nyquist; a biquad
      // fitted to the first-order analogue power can (one extra pole and zero).
      if (refine) refineSection(kind, a, q, w0, out, o);
      return;
    case K_TILT: {
      if (a === 1) { writeIdentity(out, o); return; }
      // One first-order shelf k(S + 1/k)/(S + k) (power = sqrt of the tilt's), squared.
      const t0 = 1 / (a * a);
      const tpi = (a * a * xpi + 1) / (xpi + a * a);
      matchedFirstOrder(t0, 1, tpi, w0, out, o);
      const b0 = out[o];
      const b1 = out[o + 1];
      const a1 = out[o + 3];
      out[o] = b0 * b0;
      out[o + 1] = 2 * b0 * b1;
      out[o + 2] = b1 * b1;
      out[o + 3] = 2 * a1;
      out[o + 4] = a1 * a1;
      // The squared first-order match is only a start: a free biquad fits the tilt better near Nyquist.
      if (refine) refineSection(kind, a, q, w0, out, o);
      return;
    }
    case K_LS2:
    case K_HS2: {
      if (a === 1) { writeIdentity(out, o); return; }
      // Design the variant whose poles lie below ω0 (LS boost, HS cut) and invert for the other.
      const invert = kind === K_LS2 ? a < 1 : a > 1;
      const ad = invert ? 1 / a : a;
      // LS boost poles: A·S² + S·√A/Q + 1 → Ωp = 1/√A; HS cut poles: S² + S·√A/Q + A → Ωp = √A. Qp = Q.
      const wp = kind === K_LS2 ? w0 / Math.sqrt(ad) : w0 * Math.sqrt(ad);
      matchedSecondOrder(wp, q, sectionPower(kind, ad, q, 0), sectionPower(kind, ad, q, 1), sectionPower(kind, ad, q, xpi), w0, out, o);
      if (refine) refineSection(kind, ad, q, w0, out, o);
      if (invert) invertSection(out, o);
      return;
    }
    case K_BELL2: {
      if (a === 1) { writeIdentity(out, o); return; }
      // A cut is the exact inverse of the boost (RBJ bells are reciprocal); design the boost.
      const ab = a < 1 ? 1 / a : a;
      matchedSecondOrder(w0, ab * q, 1, ab * ab * ab * ab, sectionPower(kind, ab, q, xpi), w0, out, o);
      if (refine) refineSection(kind, ab, q, w0, out, o);
      if (a < 1) invertSection(out, o);
      return;
    }
    default:
      // LP2, HP2, BP2, NOTCH2: poles at ω0 with quality q.
      if (kind === K_NOTCH2 && refine) {
        // The notch shares its denominator with the bandpass (|notch|² = 1 - |bandpass|²), whose
        // refined fit holds up near Nyquist where the notch's own fit does not: keep the bandpass
        // poles, put the zero pair on the unit circle at ω0, unity gain at DC.
        matchedSecondOrder(w0, q, 0, sectionPower(K_BP2, a, q, 1), sectionPower(K_BP2, a, q, xpi), w0, out, o);
        refineSection(K_BP2, a, q, w0, out, o);
        const cw = Math.cos(w0);
        const g = (1 + out[o + 3] + out[o + 4]) / (2 - 2 * cw);
        out[o] = g;
        out[o + 1] = -2 * cw * g;
        out[o + 2] = g;
        return;
      }
      matchedSecondOrder(w0, q, sectionPower(kind, a, q, 0), sectionPower(kind, a, q, 1), sectionPower(kind, a, q, xpi), w0, out, o);
      if (refine) refineSection(kind, a, q, w0, out, o);
  }
}

/**
 * Designs the matched sections of one band from raw numbers (allocation-free; used per sub-block by
 * the smoothed cascade).
 * @param typeCode bandTypeCode(type)
 * @param order Butterworth order for highpass/lowpass (1..8), ignored otherwise
 * @param freqHz centre/corner in Hz (> 0); clamped to MAX_DESIGN_FREQ_RATIO·fs (lowpass >= fs/2: pass-through)
 * @param gainDb gain in dB (bell, shelves, tilt)
 * @param q quality (> 0)
 * @param sampleRate Hz
 * @param out coefficient array; writes sectionCountFor(typeCode, order) sections from section index `section`
 * @returns the number of sections written
 */
export function designBandInto(typeCode: number, order: number, freqHz: number, gainDb: number, q: number, sampleRate: number, out: Float64Array, section: number): number {
  return designBaseInto(typeCode, order, freqHz, gainDb, q, sampleRate, out, section, true);
}

/** designBandInto with the per-section refinement switchable (see designSection). */
function designBaseInto(typeCode: number, order: number, freqHz: number, gainDb: number, q: number, sampleRate: number, out: Float64Array, section: number, refine: boolean): number {
  const n = sectionCountFor(typeCode, order);
  const nyq = sampleRate / 2;
  const pass = typeCode === T_LOWPASS && freqHz >= nyq;
  const f = Math.min(Math.max(freqHz, 1e-3), MAX_DESIGN_FREQ_RATIO * sampleRate);
  const w0 = (2 * Math.PI * f) / sampleRate;
  for (let k = 0; k < n; k++) {
    const o = (section + k) * COEFFS_PER_SECTION;
    if (pass) { writeIdentity(out, o); continue; }
    const kind = sectionKind(typeCode, order, k);
    designSection(kind, sectionAmp(kind, gainDb), sectionQ(typeCode, order, k, q), w0, out, o, refine);
  }
  return n;
}

/** Sections of one band in the EQ (designEqBandInto): the base sections plus the correction sections. */
export function eqSectionCountFor(typeCode: number, order: number): number {
  return sectionCountFor(typeCode, order) + EQ_CORRECTION_SECTIONS;
}

/** Sections of one band in the EQ, from a band spec. */
export function eqBandSectionCount(band: BandSpec): number {
  return eqSectionCountFor(bandTypeCode(band.type), bandOrder(band));
}

/**
 * Designs the digital sections of a list of bands as the EQ runs them (designEqBandInto: base
 * sections plus two correction sections per band, often identities).
 * @param bands bands in user units
 * @param sampleRate Hz
 * @returns coefficients, 5 per section (b0, b1, b2, a1, a2), eqBandSectionCount(band) per band, in order
 */
export function designBands(bands: readonly BandSpec[], sampleRate: number): Float64Array {
  let total = 0;
  for (const b of bands) total += eqBandSectionCount(b);
  const out = new Float64Array(total * COEFFS_PER_SECTION);
  let s = 0;
  for (const b of bands) {
    s += designEqBandInto(bandTypeCode(b.type), bandOrder(b), b.freqHz, b.gainDb ?? 0, b.q ?? BAND_DEFAULT_Q[b.type], sampleRate, out, s);
  }
  return out;
}

/**
 * Magnitude in dB of a biquad cascade at the given frequencies (z = e^(j2πf/fs)).
 * @param coeffs 5 per section (b0, b1, b2, a1, a2)
 * @param freqHz frequencies in Hz
 * @param sampleRate Hz
 */
export function cascadeMagnitudeDb(coeffs: Float64Array, freqHz: readonly number[], sampleRate: number): number[] {
  const n = coeffs.length / COEFFS_PER_SECTION;
  const out: number[] = [];
  for (const f of freqHz) {
    const w = (2 * Math.PI * f) / sampleRate;
    const c1 = Math.cos(w);
    const s1 = Math.sin(w);
    const c2 = Math.cos(2 * w);
    const s2 = Math.sin(2 * w);
    let p = 1;
    for (let k = 0; k < n; k++) p *= sectionPowerAt(coeffs, k * COEFFS_PER_SECTION, c1, s1, c2, s2);
    out.push(10 * Math.log10(p));
  }
  return out;
}
