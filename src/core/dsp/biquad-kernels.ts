/**
 * Inner loops of BiquadCascade (biquad.ts): runs a cascade of direct-form-I sections over a buffer.
 *
 * Why fused loops: one section's recursion y[n] ← y[n−1] is a chain of dependent multiply-adds (about
 * 12 cycles a sample), so a loop that runs one section of one channel waits on it. Two consecutive
 * non-identity sections in one loop (the second takes the first's output of the same sample; identity
 * sections between them pass the signal unchanged and only need their state set afterwards), and the two
 * channels of a stereo pair in one loop, are independent chains the CPU overlaps. Every section keeps its own
 * arithmetic in its own order (the expression of runSection), so the output is bit-identical to running
 * the sections one by one, including the guards: state values below DENORMAL in magnitude are flushed
 * to 0 at the end of each run, and a section whose state ends a run non-finite clears its state and its
 * output (the next section then runs from its own saved state on zeros, as it would have after the clear).
 *
 * Why the flush is per run, not per sample: the runs are short (BiquadCascade: at most 256 frames, 16
 * while gliding), and a decaying recursion cannot fall from 1e-30 into the denormal range (below
 * 2e-308) within one run unless its poles are smaller than 0.07 in radius; the per-sample compares cost
 * about a quarter of the EQ's time (measured).
 *
 * Layouts: coefficients c[5s .. 5s+4] = b0, b1, b2, a1, a2 of section s; state st[so .. so+3] = x1, x2,
 * y1, y2 (previous inputs and outputs, linear amplitude) with section s of a channel at base + 4s.
 */

/** State values below this magnitude are flushed to 0 after each run (~−600 dB: no denormals in the feedback). */
const DENORMAL = 1e-30;

/** v, or 0 when |v| < DENORMAL (NaN and ±Infinity pass: clearIfNonFinite sees them). */
export function tiny(v: number): number {
  return v < DENORMAL && v > -DENORMAL ? 0 : v;
}

/** Stores a section's state x1, x2, y1, y2 at st[so..so+3], each flushed to 0 below DENORMAL (end of a run). */
function storeState(st: Float64Array, so: number, x1: number, x2: number, y1: number, y2: number): void {
  st[so] = tiny(x1);
  st[so + 1] = tiny(x2);
  st[so + 2] = tiny(y1);
  st[so + 3] = tiny(y2);
}

/** Whether section s is the identity (an unused correction section: skipped, state kept exact). */
export function isIdentity(c: Float64Array, o: number): boolean {
  return c[o] === 1 && c[o + 1] === 0 && c[o + 2] === 0 && c[o + 3] === 0 && c[o + 4] === 0;
}

/**
 * Runs one DF-I section in place over buf[0..n) with its state st[so..so+3] and coefficients c[o..o+4];
 * the reference form of every fused loop below.
 */
export function runSection(c: Float64Array, o: number, st: Float64Array, so: number, buf: Float64Array, n: number): void {
  const b0 = c[o], b1 = c[o + 1], b2 = c[o + 2], a1 = c[o + 3], a2 = c[o + 4];
  if (b0 === 1 && b1 === 0 && b2 === 0 && a1 === 0 && a2 === 0) {
    skipIdentity(st, so, buf, n);
    return;
  }
  let x1 = st[so], x2 = st[so + 1], y1 = st[so + 2], y2 = st[so + 3];
  for (let i = 0; i < n; i++) {
    const x = buf[i];
    const y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    buf[i] = y;
  }
  storeState(st, so, x1, x2, y1, y2);
  clearIfNonFinite(st, so, buf, n);
}

/**
 * Identity section (an unused correction section): no filtering, but the state is kept exactly as
 * running it would leave it (x = y = the input), so a later non-identity design continues without a
 * click.
 */
function skipIdentity(st: Float64Array, so: number, buf: Float64Array, n: number): void {
  const l1 = buf[n - 1];
  const l2 = n >= 2 ? buf[n - 2] : st[so];
  storeState(st, so, l1, l2, l1, l2);
}

/** A section whose state ended non-finite (overflow): clear its state and its output. */
function clearIfNonFinite(st: Float64Array, so: number, buf: Float64Array, n: number): boolean {
  // The sum in runSection's historical order (y1 + y2 + x1 + x2): the same overflow verdicts.
  if (Number.isFinite(st[so + 2] + st[so + 3] + st[so] + st[so + 1])) return false;
  st[so] = 0;
  st[so + 1] = 0;
  st[so + 2] = 0;
  st[so + 3] = 0;
  buf.fill(0, 0, n);
  return true;
}

/** Scratch: the initial state of a pair's second section, per channel (for the overflow replay). */
const saved = new Float64Array(8);

/**
 * After a fused pair (first section state at s1, second at s2, coefficients o2): when the first section
 * overflowed, the one-by-one form would have cleared its output before the second ran, so replay the
 * second from its saved state on zeros; then the second's own check.
 */
function finishPair(c: Float64Array, o2: number, st: Float64Array, s1: number, s2: number, buf: Float64Array, n: number, at: number): void {
  if (clearIfNonFinite(st, s1, buf, n)) {
    for (let k = 0; k < 4; k++) st[s2 + k] = saved[at + k];
    runSection(c, o2, st, s2, buf, n);
    return;
  }
  clearIfNonFinite(st, s2, buf, n);
}

/**
 * Identity sections between the two of a pair (state at s1 + 4 .. s2 − 4): each saw the first section's
 * output, so each keeps its last two samples, y1 and y2 of the first section (n ≥ 2).
 */
function setSkipped(st: Float64Array, s1: number, s2: number): void {
  const l1 = st[s1 + 2];
  const l2 = st[s1 + 3];
  for (let so = s1 + 4; so < s2; so += 4) {
    storeState(st, so, l1, l2, l1, l2);
  }
}

/** Two non-identity sections (coefficients o1, o2; state s1, s2) in one pass over buf[0..n). */
function runPair(c: Float64Array, o1: number, o2: number, st: Float64Array, s1: number, s2: number, buf: Float64Array, n: number): void {
  const b0 = c[o1], b1 = c[o1 + 1], b2 = c[o1 + 2], a1 = c[o1 + 3], a2 = c[o1 + 4];
  const d0 = c[o2], d1 = c[o2 + 1], d2 = c[o2 + 2], e1 = c[o2 + 3], e2 = c[o2 + 4];
  let x1 = st[s1], x2 = st[s1 + 1], y1 = st[s1 + 2], y2 = st[s1 + 3];
  let u1 = st[s2], u2 = st[s2 + 1], v1 = st[s2 + 2], v2 = st[s2 + 3];
  for (let k = 0; k < 4; k++) saved[k] = st[s2 + k];
  for (let i = 0; i < n; i++) {
    const x = buf[i];
    const y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    const v = d0 * y + d1 * u1 + d2 * u2 - e2 * v2 - e1 * v1;
    u2 = u1;
    u1 = y;
    v2 = v1;
    v1 = v;
    buf[i] = v;
  }
  storeState(st, s1, x1, x2, y1, y2);
  storeState(st, s2, u1, u2, v1, v2);
  finishPair(c, o2, st, s1, s2, buf, n, 0);
  setSkipped(st, s1, s2);
}

/**
 * runPair for two channels with the same coefficients: channel A's sections at state sa1, sa2 over bufA,
 * channel B's at sb1, sb2 over bufB.
 */
function runPairStereo(c: Float64Array, o1: number, o2: number, st: Float64Array, sa1: number, sa2: number,
  sb1: number, sb2: number, bufA: Float64Array, bufB: Float64Array, n: number): void {
  const b0 = c[o1], b1 = c[o1 + 1], b2 = c[o1 + 2], a1 = c[o1 + 3], a2 = c[o1 + 4];
  const d0 = c[o2], d1 = c[o2 + 1], d2 = c[o2 + 2], e1 = c[o2 + 3], e2 = c[o2 + 4];
  let x1 = st[sa1], x2 = st[sa1 + 1], y1 = st[sa1 + 2], y2 = st[sa1 + 3];
  let u1 = st[sa2], u2 = st[sa2 + 1], v1 = st[sa2 + 2], v2 = st[sa2 + 3];
  let p1 = st[sb1], p2 = st[sb1 + 1], q1 = st[sb1 + 2], q2 = st[sb1 + 3];
  let r1 = st[sb2], r2 = st[sb2 + 1], w1 = st[sb2 + 2], w2 = st[sb2 + 3];
  for (let k = 0; k < 4; k++) {
    saved[k] = st[sa2 + k];
    saved[4 + k] = st[sb2 + k];
  }
  for (let i = 0; i < n; i++) {
    const x = bufA[i];
    const y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    const v = d0 * y + d1 * u1 + d2 * u2 - e2 * v2 - e1 * v1;
    u2 = u1;
    u1 = y;
    v2 = v1;
    v1 = v;
    bufA[i] = v;
    const p = bufB[i];
    const q = b0 * p + b1 * p1 + b2 * p2 - a2 * q2 - a1 * q1;
    p2 = p1;
    p1 = p;
    q2 = q1;
    q1 = q;
    const w = d0 * q + d1 * r1 + d2 * r2 - e2 * w2 - e1 * w1;
    r2 = r1;
    r1 = q;
    w2 = w1;
    w1 = w;
    bufB[i] = w;
  }
  storeState(st, sa1, x1, x2, y1, y2);
  storeState(st, sa2, u1, u2, v1, v2);
  storeState(st, sb1, p1, p2, q1, q2);
  storeState(st, sb2, r1, r2, w1, w2);
  finishPair(c, o2, st, sa1, sa2, bufA, n, 0);
  finishPair(c, o2, st, sb1, sb2, bufB, n, 4);
  setSkipped(st, sa1, sa2);
  setSkipped(st, sb1, sb2);
}

/** One non-identity section (coefficients o) of two channels in one pass: state sa over bufA, sb over bufB. */
function runSectionStereo(c: Float64Array, o: number, st: Float64Array, sa: number, sb: number,
  bufA: Float64Array, bufB: Float64Array, n: number): void {
  const b0 = c[o], b1 = c[o + 1], b2 = c[o + 2], a1 = c[o + 3], a2 = c[o + 4];
  let x1 = st[sa], x2 = st[sa + 1], y1 = st[sa + 2], y2 = st[sa + 3];
  let p1 = st[sb], p2 = st[sb + 1], q1 = st[sb + 2], q2 = st[sb + 3];
  for (let i = 0; i < n; i++) {
    const x = bufA[i];
    const y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    bufA[i] = y;
    const p = bufB[i];
    const q = b0 * p + b1 * p1 + b2 * p2 - a2 * q2 - a1 * q1;
    p2 = p1;
    p1 = p;
    q2 = q1;
    q1 = q;
    bufB[i] = q;
  }
  storeState(st, sa, x1, x2, y1, y2);
  storeState(st, sb, p1, p2, q1, q2);
  clearIfNonFinite(st, sa, bufA, n);
  clearIfNonFinite(st, sb, bufB, n);
}

/** The first non-identity section at or after s (ns when none). */
function nextActive(c: Float64Array, s: number, ns: number): number {
  while (s < ns && isIdentity(c, s * 5)) s++;
  return s;
}

/**
 * Runs sections 0 .. ns − 1 (coefficients from c[0]) over one channel's buf[0..n), state at
 * st[base + 4s]: consecutive non-identity sections two per pass, identity sections skipped with exact
 * state. Blocks of one frame run section by section (an identity's older state sample is its own).
 */
export function runCascade(c: Float64Array, ns: number, st: Float64Array, base: number, buf: Float64Array, n: number): void {
  let s = 0;
  while (s < ns) {
    const s2 = isIdentity(c, s * 5) || n < 2 ? ns : nextActive(c, s + 1, ns);
    if (s2 >= ns) {
      runSection(c, s * 5, st, base + s * 4, buf, n);
      s++;
      continue;
    }
    runPair(c, s * 5, s2 * 5, st, base + s * 4, base + s2 * 4, buf, n);
    s = s2 + 1;
  }
}

/**
 * runCascade for two channels with the same coefficients (A: buffer bufA, state base sa; B: bufB, sb),
 * each pass running a pair of sections of both channels.
 */
export function runCascadeStereo(c: Float64Array, ns: number, st: Float64Array, sa: number, sb: number,
  bufA: Float64Array, bufB: Float64Array, n: number): void {
  let s = 0;
  while (s < ns) {
    const s2 = isIdentity(c, s * 5) || n < 2 ? ns : nextActive(c, s + 1, ns);
    if (s2 >= ns) {
      if (isIdentity(c, s * 5)) {
        runSection(c, s * 5, st, sa + s * 4, bufA, n);
        runSection(c, s * 5, st, sb + s * 4, bufB, n);
      } else {
        runSectionStereo(c, s * 5, st, sa + s * 4, sb + s * 4, bufA, bufB, n);
      }
      s++;
      continue;
    }
    runPairStereo(c, s * 5, s2 * 5, st, sa + s * 4, sa + s2 * 4, sb + s * 4, sb + s2 * 4, bufA, bufB, n);
    s = s2 + 1;
  }
}
