/**
 * Pure FIR design maths for the oversampler: a Kaiser-windowed sinc low-pass laid out for polyphase
 * interpolation and decimation, plus the helpers the tests and the true-peak meter use (frequency
 * response, per-phase L1 norms).
 *
 * References: J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window function"
 * (1974); Oppenheim & Schafer, Discrete-Time Signal Processing, 3rd ed., §7.5.3 (Kaiser design formulas);
 * Crochiere & Rabiner, Multirate Digital Signal Processing (1983), ch. 3 (polyphase structures).
 */

/** Zeroth-order modified Bessel function of the first kind, by its power series (converges for all x). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Kaiser window shape parameter β for a stopband attenuation (Oppenheim & Schafer eq. 7.75).
 * @param attenuationDb wanted stopband attenuation A in dB (> 0)
 */
export function kaiserBeta(attenuationDb: number): number {
  const a = attenuationDb;
  if (a > 50) return 0.1102 * (a - 8.7);
  if (a >= 21) return 0.5842 * Math.pow(a - 21, 0.4) + 0.07886 * (a - 21);
  return 0;
}

/**
 * Oversampling interpolation low-pass: N = factor·tapsPerPhase + 1 taps, a Kaiser-windowed sinc with its
 * cutoff at the base-rate Nyquist (0.5/factor of the oversampled rate) and its centre at tap
 * c = factor·tapsPerPhase/2. Because the cutoff is exactly the base Nyquist, every factor-th tap away from
 * the centre falls on a zero of the sinc: phase 0 of the polyphase split is a pure delay of tapsPerPhase/2
 * base samples, so the original samples pass through unchanged (the oversampled peak is never below the
 * sample peak). The transition band is symmetric about the base Nyquist, so a component at f has its
 * first image at fs − f attenuated by |H(fs − f)|.
 *
 * Each polyphase branch is normalised to a DC gain of exactly 1 (the whole filter sums to `factor`), so
 * a DC or low-frequency signal keeps its level at every phase.
 *
 * @param factor oversampling factor L (≥ 2)
 * @param tapsPerPhase taps per polyphase branch T (even, ≥ 2)
 * @param beta Kaiser window β (e.g. kaiserBeta(A))
 * @returns Float64Array of N = L·T + 1 coefficients, h[0] = h[N−1] = 0 (sinc zeros)
 */
export function designInterpolationFilter(factor: number, tapsPerPhase: number, beta: number): Float64Array {
  const n = factor * tapsPerPhase + 1;
  const c = (n - 1) / 2;
  const h = new Float64Array(n);
  const i0b = besselI0(beta);
  for (let i = 0; i < n; i++) {
    const t = (i - c) / factor; // time in base-rate samples
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const r = (i - c) / c;
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b;
    h[i] = sinc * w;
  }
  // Normalise each polyphase branch (taps p, p+L, p+2L, ...) to a sum of 1.
  for (let p = 0; p < factor; p++) {
    let s = 0;
    for (let i = p; i < n; i += factor) s += h[i];
    if (s !== 0) for (let i = p; i < n; i += factor) h[i] /= s;
  }
  return h;
}

/**
 * Polyphase branches of an interpolation filter, each stored REVERSED for a forward dot product over a
 * history window: branch p holds taps h[p + k·L] for k = 0..T−1, at index (T−1−k), so that
 * y[n·L + p] = Σ_j branch_p[j] · x[n − (T−1) + j].
 * Phase 0 of designInterpolationFilter also has a (zero) tap at k = T, which is dropped.
 * @returns Float64Array of factor·T coefficients, branch p at [p·T, (p+1)·T)
 */
export function polyphaseBranches(h: Float64Array, factor: number, tapsPerPhase: number): Float64Array {
  const out = new Float64Array(factor * tapsPerPhase);
  for (let p = 0; p < factor; p++) {
    for (let k = 0; k < tapsPerPhase; k++) {
      const i = p + k * factor;
      out[p * tapsPerPhase + (tapsPerPhase - 1 - k)] = i < h.length ? h[i] : 0;
    }
  }
  return out;
}

/**
 * L1 norm Σ|h_k| of each polyphase branch: the exact bound |y_p| ≤ L1_p · max|x| over the branch's support.
 * @returns Float64Array of `factor` norms
 */
export function branchL1Norms(branches: Float64Array, factor: number, tapsPerPhase: number): Float64Array {
  const out = new Float64Array(factor);
  for (let p = 0; p < factor; p++) {
    let s = 0;
    for (let k = 0; k < tapsPerPhase; k++) s += Math.abs(branches[p * tapsPerPhase + k]);
    out[p] = s;
  }
  return out;
}

/**
 * Magnitude of an FIR's frequency response, |Σ h_i e^{−jωi}|.
 * @param h coefficients
 * @param cyclesPerSample frequency as a fraction of the filter's own sample rate (0 .. 0.5)
 */
export function firMagnitude(h: ArrayLike<number>, cyclesPerSample: number): number {
  const w = 2 * Math.PI * cyclesPerSample;
  let re = 0;
  let im = 0;
  for (let i = 0; i < h.length; i++) {
    re += h[i] * Math.cos(w * i);
    im -= h[i] * Math.sin(w * i);
  }
  return Math.hypot(re, im);
}

/**
 * Second-difference bound constant G of the polyphase branches: each branch p is split exactly as
 * y_p[n] = (1−u)·x_a + u·x_b + Σ_i g_p[i]·(x[i] − 2x[i+1] + x[i+2]), where x_a, x_b are the two samples
 * around the branch's first moment m (u = m − ⌊m⌋) and g_p is the residual's double cumulative sum (exact,
 * because the residual has zero sum and zero first moment). Hence, over a branch's support,
 * |y_p| ≤ max|x| + G·max|Δ²x| with G = max_p Σ_i |g_p[i]|. Low-frequency signals have a small Δ²x, so this
 * bound is far tighter than the L1 bound for music (used by the true-peak meter to skip blocks exactly).
 * @returns G (0 for a single pure-delay branch)
 */
export function secondDifferenceBound(branches: Float64Array, factor: number, tapsPerPhase: number): number {
  const t = tapsPerPhase;
  let worst = 0;
  const d = new Float64Array(t);
  for (let p = 0; p < factor; p++) {
    let m1 = 0;
    for (let j = 0; j < t; j++) {
      d[j] = branches[p * t + j];
      m1 += j * d[j];
    }
    const lo = Math.floor(m1);
    const u = m1 - lo;
    d[lo] -= 1 - u;
    if (lo + 1 < t) d[lo + 1] -= u;
    let c1 = 0;
    let c2 = 0;
    let g = 0;
    for (let j = 0; j < t; j++) {
      c1 += d[j];
      c2 += c1;
      g += Math.abs(c2);
    }
    worst = Math.max(worst, g);
  }
  return worst;
}

/**
 * Exact split of one FIR branch into a short inner kernel plus an m-th difference remainder, for rigorous
 * cheap bounds on the branch output (used by the true-peak meter to skip filter evaluations exactly).
 *
 * Let h be the branch (T taps, y = Σ_j h[j]·x[j]) and c a kernel on the window [start, start + width)
 * whose moments Σ_j j^q·c[j], q = 0..m−1, equal those of h (c = h on the window, plus the moments of
 * the taps outside it moved onto the window's m outermost taps). The residual r = h − c then has m vanishing moments, so m
 * summations by parts turn it into weights on forward m-th differences:
 *   Σ_j r[j]·x[j] = Σ_{j=0}^{T−m−1} g[j]·Δ^m x[j],   Δ^m x[j] = Σ_q (−1)^(m−q)·C(m,q)·x[j+q],
 * with g = (−1)^m times the m-fold cumulative sum of r (each cumulative sum ends in a zero moment, so the
 * boundary terms vanish). Hence, exactly,
 *   |y| ≤ |Σ_i inner[i]·x[start+i]| + weightSum · max_j |Δ^m x[j]| over the branch support.
 * Smooth (low-frequency) signals have tiny high-order differences, so the bound is then almost the inner
 * kernel's value; with width = m = 2 the inner kernel is the linear interpolation at the branch's first
 * moment (the split behind secondDifferenceBound).
 *
 * @param branch T taps in the forward (history-window) layout of polyphaseBranches
 * @param start first tap of the inner window
 * @param width inner window length (≥ order)
 * @param order difference order m (≥ 1)
 * @returns inner kernel (width taps), Δ^m weights g (T − m values) and weightSum = Σ|g|
 */
export function differenceSplit(
  branch: ArrayLike<number>,
  start: number,
  width: number,
  order: number,
): { inner: Float64Array; weights: Float64Array; weightSum: number } {
  const t = branch.length;
  const m = order;
  if (width < m || start < 0 || start + width > t) throw new RangeError('differenceSplit: bad window');
  // Moments of h outside the window (about the window centre, for conditioning) are moved onto the
  // window's m outermost taps (a square Vandermonde system). Correcting at the edges keeps the residual
  // concentrated away from the centre, where its cumulative sums, hence the Δ^m weights, stay small.
  const ctr = start + (width - 1) / 2;
  const need = new Float64Array(m);
  for (let j = 0; j < t; j++) {
    if (j >= start && j < start + width) continue;
    let pw = 1;
    for (let q = 0; q < m; q++) {
      need[q] += branch[j] * pw;
      pw *= j - ctr;
    }
  }
  const taps = new Int32Array(m);
  for (let i = 0; i < m; i++) taps[i] = i % 2 === 0 ? start + (i >> 1) : start + width - 1 - (i >> 1);
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    let pw = 1;
    for (let q = 0; q < m; q++) {
      v[q * m + i] = pw;
      pw *= taps[i] - ctr;
    }
  }
  const delta = solveLinear(v, need, m);
  const inner = new Float64Array(width);
  for (let i = 0; i < width; i++) inner[i] = branch[start + i];
  for (let i = 0; i < m; i++) inner[taps[i] - start] += delta[i];
  // Residual, then m cumulative sums (each drops the final, zero, element).
  let g = new Float64Array(t);
  for (let j = 0; j < t; j++) g[j] = branch[j] - (j >= start && j < start + width ? inner[j - start] : 0);
  for (let k = 0; k < m; k++) {
    const next = new Float64Array(g.length - 1);
    let s = 0;
    for (let j = 0; j < next.length; j++) {
      s += g[j];
      next[j] = -s;
    }
    g = next;
  }
  let weightSum = 0;
  for (let j = 0; j < g.length; j++) weightSum += Math.abs(g[j]);
  return { inner, weights: g, weightSum };
}

/** Solves the small linear system A·z = b (n ≤ ~8; Gaussian elimination with partial pivoting). */
function solveLinear(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const z = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]) > Math.abs(m[piv * n + col])) piv = r;
    if (piv !== col) {
      for (let k = 0; k < n; k++) {
        const tmp = m[col * n + k];
        m[col * n + k] = m[piv * n + k];
        m[piv * n + k] = tmp;
      }
      const tz = z[col];
      z[col] = z[piv];
      z[piv] = tz;
    }
    for (let r = col + 1; r < n; r++) {
      const f = m[r * n + col] / m[col * n + col];
      for (let k = col; k < n; k++) m[r * n + k] -= f * m[col * n + k];
      z[r] -= f * z[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = z[r];
    for (let k = r + 1; k < n; k++) s -= m[r * n + k] * z[k];
    z[r] = s / m[r * n + r];
  }
  return z;
}

/**
 * Kaiser's length estimate (Oppenheim & Schafer eq. 7.76): a Kaiser-windowed low-pass with stopband
 * attenuation A dB (and the same peak pass-band ripple δ = 10^(−A/20)) and a transition band of width
 * Δf (cycles per sample of the filter's own rate) needs N − 1 ≈ (A − 7.95) / (2.285 · 2π·Δf) taps.
 * @returns the estimated order N − 1 (not rounded)
 */
export function kaiserOrder(attenuationDb: number, transitionCyclesPerSample: number): number {
  return (attenuationDb - 7.95) / (2.285 * 2 * Math.PI * transitionCyclesPerSample);
}

/**
 * Kaiser-windowed half-band low-pass (cutoff at a quarter of its own rate) for 2x interpolation or
 * decimation. A half-band filter's even-offset taps (other than the centre) are exactly zero, so only
 * the odd-offset taps are returned: a[k−1] is the tap at offsets ±(2k − 1), k = 1..M (the full filter
 * has 4M − 1 taps, centre 1/2 when normalised to DC gain 1). The response is antisymmetric about the
 * quarter rate, H(f) + H(½ − f) = 1, so pass-band ripple equals stopband ripple (≈ −A dB for
 * β = kaiserBeta(A)) and the transition band is centred on the quarter rate.
 *
 * Normalisation here: Σ_k 2·a[k−1] = 1, i.e. the INTERPOLATOR's odd polyphase branch has DC gain 1 (its
 * even branch is the pure delay, gain 1). The decimator uses a/2 around a centre tap of 1/2.
 *
 * @param halfTaps M, the number of nonzero odd-offset taps per side (≥ 1)
 * @param beta Kaiser window β
 * @returns Float64Array of M taps a[0..M−1] (offsets 1, 3, 5, ...)
 */
export function designHalfbandTaps(halfTaps: number, beta: number): Float64Array {
  const m = halfTaps;
  const a = new Float64Array(m);
  const i0b = besselI0(beta);
  // The window spans offsets ±2M (zero there), so the outermost nonzero taps at ±(2M − 1) keep weight.
  let s = 0;
  for (let k = 1; k <= m; k++) {
    const off = 2 * k - 1;
    const t = off / 2; // time in samples of the lower (half) rate
    const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
    const r = off / (2 * m);
    a[k - 1] = sinc * (besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b);
    s += 2 * a[k - 1];
  }
  for (let k = 0; k < m; k++) a[k] /= s;
  return a;
}

/**
 * Linear-phase Kaiser-windowed low-pass of odd length N = 2P + 1 (centre tap P), DC gain exactly 1.
 * @param halfLength P
 * @param cutoff cutoff (the −6 dB point) in cycles per sample of the filter's own rate (0 .. 0.5)
 * @param beta Kaiser window β
 * @returns Float64Array of 2P + 1 symmetric taps
 */
export function designLowpass(halfLength: number, cutoff: number, beta: number): Float64Array {
  const p = halfLength;
  const h = new Float64Array(2 * p + 1);
  const i0b = besselI0(beta);
  let s = 0;
  for (let i = 0; i <= 2 * p; i++) {
    const t = i - p;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const r = t / (p + 1);
    h[i] = sinc * (besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b);
    s += h[i];
  }
  for (let i = 0; i < h.length; i++) h[i] /= s;
  return h;
}

/**
 * Shortest Kaiser half-band (designHalfbandTaps, β = kaiserBeta(A)) whose stopband, from 0.5 − passEdge
 * to 0.5 cycles per sample, is at least A − 1 dB down. Kaiser's length formula underestimates short
 * filters with wide transitions (a 95 dB, 0.36-cycle transition comes out ~86 dB), so the estimate is
 * checked on a grid and M is raised until it holds (at most 8 extra steps).
 * @param attenuationDb wanted stopband attenuation A
 * @param passEdge pass-band edge in cycles per sample of the full (higher) rate, < 0.25
 * @returns odd-offset taps (see designHalfbandTaps)
 */
export function designHalfbandFor(attenuationDb: number, passEdge: number): Float64Array {
  const beta = kaiserBeta(attenuationDb);
  const limit = Math.pow(10, -(attenuationDb - 1) / 20);
  let m = Math.max(1, Math.ceil((kaiserOrder(attenuationDb, 0.5 - 2 * passEdge) + 2) / 4));
  for (let extra = 0; ; extra++, m++) {
    const a = designHalfbandTaps(m, beta);
    if (extra >= 8 || halfbandStopbandPeak(a, 0.5 - passEdge) <= limit) return a;
  }
}

/** Peak |H| over [stopEdge, 0.5] of the half-band with odd-offset taps a, normalised to DC gain 1. */
export function halfbandStopbandPeak(a: Float64Array, stopEdge: number): number {
  const m = a.length;
  let peak = 0;
  for (let g = 0; g <= 256; g++) {
    const f = stopEdge + ((0.5 - stopEdge) * g) / 256;
    // Zero-phase response with DC gain 1: H(f) = ½ + Σ_k a_k·cos(2πf(2k − 1)) (Σ 2a_k = 1).
    let h = 0.5;
    for (let k = 1; k <= m; k++) h += a[k - 1] * Math.cos(2 * Math.PI * f * (2 * k - 1));
    peak = Math.max(peak, Math.abs(h));
  }
  return peak;
}
