/**
 * WebAssembly kernels (AssemblyScript, 128-bit SIMD) for the hot loops that scalar JavaScript cannot
 * vectorize. Built by assembly/build.mjs into src/core/wasm/kernels-binary.ts; loaded by
 * src/core/wasm/kernels.ts, which keeps every caller's JavaScript path as the fallback and the oracle.
 *
 * Every kernel does the arithmetic of the JavaScript loop it replaces, in the same order, without fused
 * multiply-adds (WebAssembly has none outside relaxed SIMD), so both give the same bits: a kernel is a
 * speed-up, never a different filter. The tests compare the two paths sample for sample.
 *
 * Stereo is carried as f64x2 (lane 0 left, lane 1 right): one instruction does both channels.
 */

/** Start of the memory the JavaScript loader manages (after this module's own static data). */
export function scratchBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** x, or 0 where x is NaN or ±Infinity (x − x is 0 only for finite x), per lane. */
// @ts-ignore: decorator
@inline function finiteOrZero(x: v128): v128 {
  return v128.and(x, f64x2.eq(f64x2.sub(x, x), f64x2.splat(0)));
}

/**
 * One DF-I section's output for input x: ((((b0·x + b1·x1) + b2·x2) − a2·y2) − a1·y1), biquad-kernels.ts's
 * order. a1·y1 comes last: y1 is the previous frame's output, so the recursion's serial chain is one
 * multiply and one subtract (the rest is computed ahead).
 */
// @ts-ignore: decorator
@inline function df1(c: usize, x: v128, x1: v128, x2: v128, y1: v128, y2: v128): v128 {
  return f64x2.sub(f64x2.sub(f64x2.add(f64x2.add(
    f64x2.mul(v128.load(c), x), f64x2.mul(v128.load(c, 16), x1)), f64x2.mul(v128.load(c, 32), x2)),
    f64x2.mul(v128.load(c, 64), y2)), f64x2.mul(v128.load(c, 48), y1));
}

/** Bytes per section: coefficients b0, b1, b2, a1, a2, each splatted to both lanes. */
const COEF_BYTES: usize = 80;
/** Bytes per section: state x1, x2, y1, y2 as [left, right]. */
const STATE_BYTES: usize = 64;

/** One section in place over the interleaved stereo work buffer (f64x2 per frame). */
function pass1(c: usize, st: usize, w: usize, n: i32): void {
  let x1 = v128.load(st), x2 = v128.load(st, 16), y1 = v128.load(st, 32), y2 = v128.load(st, 48);
  for (let i = 0; i < n; i++) {
    const p = w + (<usize>i << 4);
    const x = v128.load(p);
    const y = df1(c, x, x1, x2, y1, y2);
    x2 = x1; x1 = x; y2 = y1; y1 = y;
    v128.store(p, y);
  }
  v128.store(st, x1); v128.store(st, x2, 16); v128.store(st, y1, 32); v128.store(st, y2, 48);
}

/** Two consecutive sections in one pass (independent recursions the CPU overlaps). */
function pass2(c: usize, st: usize, w: usize, n: i32): void {
  const c2 = c + COEF_BYTES, s2 = st + STATE_BYTES;
  let x1 = v128.load(st), x2 = v128.load(st, 16), y1 = v128.load(st, 32), y2 = v128.load(st, 48);
  let u1 = v128.load(s2), u2 = v128.load(s2, 16), v1 = v128.load(s2, 32), v2 = v128.load(s2, 48);
  for (let i = 0; i < n; i++) {
    const p = w + (<usize>i << 4);
    const x = v128.load(p);
    const y = df1(c, x, x1, x2, y1, y2);
    x2 = x1; x1 = x; y2 = y1; y1 = y;
    const v = df1(c2, y, u1, u2, v1, v2);
    u2 = u1; u1 = y; v2 = v1; v1 = v;
    v128.store(p, v);
  }
  v128.store(st, x1); v128.store(st, x2, 16); v128.store(st, y1, 32); v128.store(st, y2, 48);
  v128.store(s2, u1); v128.store(s2, u2, 16); v128.store(s2, v1, 32); v128.store(s2, v2, 48);
}

/** Four consecutive sections in one pass. */
function pass4(c: usize, st: usize, w: usize, n: i32): void {
  const c2 = c + COEF_BYTES, c3 = c2 + COEF_BYTES, c4 = c3 + COEF_BYTES;
  const s2 = st + STATE_BYTES, s3 = s2 + STATE_BYTES, s4 = s3 + STATE_BYTES;
  let x1 = v128.load(st), x2 = v128.load(st, 16), y1 = v128.load(st, 32), y2 = v128.load(st, 48);
  let u1 = v128.load(s2), u2 = v128.load(s2, 16), v1 = v128.load(s2, 32), v2 = v128.load(s2, 48);
  let p1 = v128.load(s3), p2 = v128.load(s3, 16), q1 = v128.load(s3, 32), q2 = v128.load(s3, 48);
  let r1 = v128.load(s4), r2 = v128.load(s4, 16), t1 = v128.load(s4, 32), t2 = v128.load(s4, 48);
  for (let i = 0; i < n; i++) {
    const p = w + (<usize>i << 4);
    const x = v128.load(p);
    const y = df1(c, x, x1, x2, y1, y2);
    x2 = x1; x1 = x; y2 = y1; y1 = y;
    const v = df1(c2, y, u1, u2, v1, v2);
    u2 = u1; u1 = y; v2 = v1; v1 = v;
    const q = df1(c3, v, p1, p2, q1, q2);
    p2 = p1; p1 = v; q2 = q1; q1 = q;
    const t = df1(c4, q, r1, r2, t1, t2);
    r2 = r1; r1 = q; t2 = t1; t1 = t;
    v128.store(p, t);
  }
  v128.store(st, x1); v128.store(st, x2, 16); v128.store(st, y1, 32); v128.store(st, y2, 48);
  v128.store(s2, u1); v128.store(s2, u2, 16); v128.store(s2, v1, 32); v128.store(s2, v2, 48);
  v128.store(s3, p1); v128.store(s3, p2, 16); v128.store(s3, q1, 32); v128.store(s3, q2, 48);
  v128.store(s4, r1); v128.store(s4, r2, 16); v128.store(s4, t1, 32); v128.store(s4, t2, 48);
}

/**
 * pass4 when each section's input history equals the previous section's output history (x1, x2 of
 * section k + 1 are y1, y2 of section k: it read what that one wrote), which holds unless a caller set
 * state by hand: ten state vectors instead of sixteen, so they stay in registers. Same arithmetic.
 */
function pass4Chained(c: usize, st: usize, w: usize, n: i32): void {
  const c2 = c + COEF_BYTES, c3 = c2 + COEF_BYTES, c4 = c3 + COEF_BYTES;
  const s2 = st + STATE_BYTES, s3 = s2 + STATE_BYTES, s4 = s3 + STATE_BYTES;
  let x1 = v128.load(st), x2 = v128.load(st, 16), y1 = v128.load(st, 32), y2 = v128.load(st, 48);
  let v1 = v128.load(s2, 32), v2 = v128.load(s2, 48);
  let q1 = v128.load(s3, 32), q2 = v128.load(s3, 48);
  let t1 = v128.load(s4, 32), t2 = v128.load(s4, 48);
  for (let i = 0; i < n; i++) {
    const p = w + (<usize>i << 4);
    const x = v128.load(p);
    const y = df1(c, x, x1, x2, y1, y2);
    const v = df1(c2, y, y1, y2, v1, v2);
    const q = df1(c3, v, v1, v2, q1, q2);
    const t = df1(c4, q, q1, q2, t1, t2);
    x2 = x1; x1 = x; y2 = y1; y1 = y; v2 = v1; v1 = v; q2 = q1; q1 = q; t2 = t1; t1 = t;
    v128.store(p, t);
  }
  v128.store(st, x1); v128.store(st, x2, 16); v128.store(st, y1, 32); v128.store(st, y2, 48);
  v128.store(s2, y1); v128.store(s2, y2, 16); v128.store(s2, v1, 32); v128.store(s2, v2, 48);
  v128.store(s3, v1); v128.store(s3, v2, 16); v128.store(s3, q1, 32); v128.store(s3, q2, 48);
  v128.store(s4, q1); v128.store(s4, q2, 16); v128.store(s4, t1, 32); v128.store(s4, t2, 48);
}

/** Whether sections s and s + 1 (state at st) are chained: s + 1's x1, x2 are s's y1, y2, bit for bit. */
// @ts-ignore: decorator
@inline function chained(st: usize): bool {
  const a = v128.xor(v128.load(st, 32), v128.load(st + STATE_BYTES));
  const b = v128.xor(v128.load(st, 48), v128.load(st + STATE_BYTES, 16));
  return !v128.any_true(v128.or(a, b));
}

/** State values below this magnitude are flushed to 0 at the end of each run (biquad-kernels.ts's DENORMAL). */
const DENORMAL: f64 = 1e-30;

/** The state of `count` sections after a run: values below DENORMAL flushed to 0; returns whether all are finite. */
function flushState(st: usize, count: i32): bool {
  const tiny = f64x2.splat(DENORMAL);
  let finite = true;
  for (let s = 0; s < count; s++) {
    const p = st + <usize>s * STATE_BYTES;
    for (let k: usize = 0; k < 64; k += 16) {
      const v = v128.load(p + k);
      v128.store(p + k, v128.andnot(v, f64x2.lt(f64x2.abs(v), tiny)));
    }
    // clearIfNonFinite's test, y1 + y2 + x1 + x2 per lane.
    const sum = f64x2.add(f64x2.add(f64x2.add(v128.load(p, 32), v128.load(p, 48)), v128.load(p)), v128.load(p, 16));
    if (!v128.all_true<i64>(f64x2.eq(f64x2.sub(sum, sum), f64x2.splat(0)))) finite = false;
  }
  return finite;
}

/**
 * A stereo cascade of `count` sections (no identity sections: the caller leaves those out) over n frames,
 * in runs of `run` frames as BiquadCascade's JavaScript path does them: float32 planar in (non-finite
 * samples read as 0), float64 through every section, float32 planar out (may be the input); after each run
 * the state is flushed below DENORMAL. `work` holds `run` frames of f64x2.
 * @returns 1 when every run ended with finite state, 0 when some did not (the caller then discards the
 *   result and lets the JavaScript path apply its overflow rules)
 */
export function cascadeStereo(coef: usize, st: usize, count: i32, inL: usize, inR: usize, outL: usize, outR: usize, work: usize, n: i32, run: i32): i32 {
  let ok = true;
  for (let done = 0; done < n; done += run) {
    const m = min(run, n - done);
    const off = <usize>done << 2;
    // Two frames per step: [L0 L1] and [R0 R1] become [L0 R0] and [L1 R1] (an odd last frame converts
    // one more: work and the inputs have room for it).
    for (let i = 0; i < m; i += 2) {
      const o = off + (<usize>i << 2);
      const l = f64x2.promote_low_f32x4(v128.load64_zero(inL + o));
      const r = f64x2.promote_low_f32x4(v128.load64_zero(inR + o));
      const w = work + (<usize>i << 4);
      v128.store(w, finiteOrZero(v128.shuffle<i64>(l, r, 0, 2)));
      v128.store(w, finiteOrZero(v128.shuffle<i64>(l, r, 1, 3)), 16);
    }
    let s = 0;
    while (s < count) {
      const c = coef + <usize>s * COEF_BYTES, t = st + <usize>s * STATE_BYTES;
      if (count - s >= 4) { if (chained(t) && chained(t + STATE_BYTES) && chained(t + 2 * STATE_BYTES)) pass4Chained(c, t, work, m); else pass4(c, t, work, m); s += 4; }
      else if (count - s >= 2) { pass2(c, t, work, m); s += 2; }
      else { pass1(c, t, work, m); s += 1; }
    }
    let i = 0;
    for (; i + 1 < m; i += 2) {
      const o = off + (<usize>i << 2);
      const w = work + (<usize>i << 4);
      const y0 = v128.load(w), y1 = v128.load(w, 16);
      v128.store64_lane(outL + o, f32x4.demote_f64x2_zero(v128.shuffle<i64>(y0, y1, 0, 2)), 0);
      v128.store64_lane(outR + o, f32x4.demote_f64x2_zero(v128.shuffle<i64>(y0, y1, 1, 3)), 0);
    }
    if (i < m) {
      const o = off + (<usize>i << 2);
      const y = v128.load(work + (<usize>i << 4));
      store<f32>(outL + o, <f32>f64x2.extract_lane(y, 0));
      store<f32>(outR + o, <f32>f64x2.extract_lane(y, 1));
    }
    if (!flushState(st, count)) ok = false;
  }
  return ok ? 1 : 0;
}

/** v, or 0 when |v| <= 1e-30 or v is not finite (loudness-meter.ts's flush), per lane. */
// @ts-ignore: decorator
@inline function flushMeter(v: v128): v128 {
  const a = f64x2.abs(v);
  return v128.and(v, v128.and(f64x2.gt(a, f64x2.splat(1e-30)), f64x2.lt(a, f64x2.splat(Infinity))));
}

/**
 * The loudness meter's K-weighting and raw statistics for a channel pair over consecutive segments
 * (LoudnessMeter.push with its filterPair loop: the same expressions in the same order, so the same bits).
 * Segment j has segs[j] frames of float32 planar input; the state is flushed after each (filterPair's
 * flush, per call). A segment with ends[j] = 1 closes a 10 ms bin: its Σk² pair goes to out[j] (f64x2)
 * and the sums restart at 0.
 * Layout at `k` (f64x2 each, 16 bytes): 0..6 the coefficients sb0, sb1, sb2, sa1, sa2, ha1, ha2
 * (splatted); 7..12 the state x1, x2, s1, s2, k1, k2; 13 Σk²; 14 max |x|; 15 Σx; 16 Σx²; then one f64,
 * Σ x_a·x_b, which each segment adds its own sum to (filterPair's rounding).
 */
export function kWeightPair(k: usize, inA: usize, inB: usize, segs: usize, ends: usize, out: usize, count: i32): void {
  const sb0 = v128.load(k), sb1 = v128.load(k, 16), sb2 = v128.load(k, 32), sa1 = v128.load(k, 48), sa2 = v128.load(k, 64);
  const ha1 = v128.load(k, 80), ha2 = v128.load(k, 96);
  let x1 = v128.load(k, 112), x2 = v128.load(k, 128), s1 = v128.load(k, 144), s2 = v128.load(k, 160), k1 = v128.load(k, 176), k2 = v128.load(k, 192);
  let sum = v128.load(k, 208), peak = v128.load(k, 224), rs = v128.load(k, 240), rq = v128.load(k, 256);
  let cross = load<f64>(k, 272);
  const two = f64x2.splat(2);
  let pa = inA, pb = inB;
  for (let j = 0; j < count; j++) {
    const n = load<i32>(segs + (<usize>j << 2));
    let xab: f64 = 0;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      const a = <f64>load<f32>(pa + o), b = <f64>load<f32>(pb + o);
      const x0 = f64x2(a, b);
      const s0 = f64x2.sub(f64x2.sub(f64x2.add(f64x2.add(f64x2.mul(sb0, x0), f64x2.mul(sb1, x1)), f64x2.mul(sb2, x2)), f64x2.mul(sa2, s2)), f64x2.mul(sa1, s1));
      const k0 = f64x2.sub(f64x2.sub(f64x2.add(f64x2.sub(s0, f64x2.mul(two, s1)), s2), f64x2.mul(ha2, k2)), f64x2.mul(ha1, k1));
      x2 = x1; x1 = x0; s2 = s1; s1 = s0; k2 = k1; k1 = k0;
      sum = f64x2.add(sum, f64x2.mul(k0, k0));
      const ax = f64x2.abs(x0);
      peak = v128.bitselect(ax, peak, f64x2.gt(ax, peak)); // aa > pa ? aa : pa
      rs = f64x2.add(rs, x0);
      rq = f64x2.add(rq, f64x2.mul(x0, x0));
      xab += a * b;
    }
    pa += <usize>n << 2;
    pb += <usize>n << 2;
    cross += xab;
    x1 = flushMeter(x1); x2 = flushMeter(x2); s1 = flushMeter(s1); s2 = flushMeter(s2); k1 = flushMeter(k1); k2 = flushMeter(k2);
    if (load<u8>(ends + <usize>j) !== 0) {
      v128.store(out + (<usize>j << 4), sum);
      sum = f64x2.splat(0);
    }
  }
  v128.store(k, x1, 112); v128.store(k, x2, 128); v128.store(k, s1, 144); v128.store(k, s2, 160); v128.store(k, k1, 176); v128.store(k, k2, 192);
  v128.store(k, sum, 208); v128.store(k, peak, 224); v128.store(k, rs, 240); v128.store(k, rq, 256);
  store<f64>(k, cross, 272);
}

/** Math.log and Math.exp of the JavaScript engine, for the rare arguments the table paths leave to them. */
declare function jsLog(x: f64): f64;
declare function jsExp(x: f64): f64;

/*
 * The compressor's linked fast path for a stereo pair without lookahead (compressor-linked.ts: targets(),
 * then apply()), with the tables of fastLog and fastExp (gain-computer.ts) copied into this memory.
 * Table layout at `tab` (f64): EXP_POW2 [0, 2046), EXP_FRAC [2046, 2110), LOG_C [2110, 2366),
 * LOG_R_SCALE [2366, 2622), then both interleaved, LOG_R_SCALE[j] and LOG_C[j] at 2622 + 2j and + 1, then
 * EXP_POW2[(n >> 6) + 1022] · EXP_FRAC[n & 63] for n in [−2^14, 2^14) at 3134 + 2^14 + n (EXP_DIRECT).
 * Block at `blk` (f64): 0 thresholdDb, 1 slope, 2 kneeDb, 3 makeupDb, 4 power (0/1), 5 msGain, 6 up,
 * 7 down, 8 reductionDb, 9 ms0, 10 ms1, 11 meterDb (state: 8-11), then constants from JavaScript:
 * 12 skip level, 13 dB per neper of the level, 14 knee/2, 15 1/(2·knee) or 0, 16 makeup as a linear
 * gain, 17 NEPER_PER_DB, 18 N_BY_LN2, 19 LN2_BY_N, 20 MS_FLOOR, 21 FLUSH_DB.
 */

/** fastLog (gain-computer.ts). */
// @ts-ignore: decorator
@inline function fastLog(tab: usize, x: f64): f64 {
  if (!(x >= 1.1754943508222875e-38 && x <= 3.4028234663852886e38)) return jsLog(x);
  const b = reinterpret<i32>(<f32>x);
  const j = <usize>((b >> 15) & 255);
  const r = <f64>(b & 32767) * load<f64>(tab + ((2366 + j) << 3));
  return <f64>((b >> 23) - 127) * Math.LN2 + load<f64>(tab + ((2110 + j) << 3)) + r * (1 - r * (1.0 / 2 - r * (1.0 / 3)));
}

/** One smoother step, y + (c − y)·step (GainSmoother's), the step by a vector bit select (see the caller). */
// @ts-ignore: decorator
@inline function smooth(y: f64, c: f64, upV: v128, downV: v128): f64 {
  const yv = f64x2.splat(y), cv = f64x2.splat(c);
  return f64x2.extract_lane(f64x2.add(yv, f64x2.mul(f64x2.sub(cv, yv), v128.bitselect(upV, downV, f64x2.gt(cv, yv)))), 0);
}

/** fastExp (gain-computer.ts) with its tables at `tab`. */
// @ts-ignore: decorator
@inline function expGain(tab: usize, e: f64, nByLn2: f64, ln2ByN: f64): f64 {
  if (!(e > -700 && e < 700)) return jsExp(e);
  const en = Math.floor(e * nByLn2 + 0.5);
  const r = e - en * ln2ByN;
  const ei = <i32>en;
  return load<f64>(tab + (<usize>((ei >> 6) + 1022) << 3)) * load<f64>(tab + (<usize>(2046 + (ei & 63)) << 3)) * (1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6))));
}

/**
 * fastLog of both lanes: the bit manipulation and the polynomial as vectors, the table reads per lane.
 * Lanes outside fastLog's table range take the scalar function (and so the engine's Math.log).
 */
// @ts-ignore: decorator
@inline function fastLog2(tab: usize, x: v128): v128 {
  const inRange = v128.and(f64x2.ge(x, f64x2.splat(1.1754943508222875e-38)), f64x2.le(x, f64x2.splat(3.4028234663852886e38)));
  if (!v128.all_true<i64>(inRange)) return f64x2(fastLog(tab, f64x2.extract_lane(x, 0)), fastLog(tab, f64x2.extract_lane(x, 1)));
  return fastLog2InRange(tab, x);
}

/** fastLog2 for lanes known to be in fastLog's table range (normal float32 magnitudes). */
// @ts-ignore: decorator
@inline function fastLog2InRange(tab: usize, x: v128): v128 {
  const b = f32x4.demote_f64x2_zero(x); // the float32 bits of both lanes, in i32 lanes 0 and 1
  const j = v128.and(i32x4.shr_s(b, 15), i32x4.splat(255));
  const j0 = <usize>i32x4.extract_lane(j, 0), j1 = <usize>i32x4.extract_lane(j, 1);
  const f = f64x2.convert_low_i32x4_s(v128.and(b, i32x4.splat(32767)));
  const e = f64x2.convert_low_i32x4_s(i32x4.sub(i32x4.shr_s(b, 23), i32x4.splat(127)));
  // (scale, c) of each lane from the interleaved table at 2622, regrouped as (scale0, scale1), (c0, c1).
  const p0 = v128.load(tab + ((2622 + (j0 << 1)) << 3)), p1 = v128.load(tab + ((2622 + (j1 << 1)) << 3));
  const r = f64x2.mul(f, v128.shuffle<i64>(p0, p1, 0, 2));
  const c = v128.shuffle<i64>(p0, p1, 1, 3);
  const poly = f64x2.sub(f64x2.splat(1), f64x2.mul(r, f64x2.sub(f64x2.splat(1.0 / 2), f64x2.mul(r, f64x2.splat(1.0 / 3)))));
  return f64x2.add(f64x2.add(f64x2.mul(e, f64x2.splat(Math.LN2)), c), f64x2.mul(r, poly));
}

/** linkedTargets() flags: some level passed the knee's lower edge (targets() true); some input sample is NaN or infinite. */
const ACTIVE: i32 = 1;
const NON_FINITE: i32 = 2;

/**
 * Targets and gain of one block: out = x·gain for both channels (non-finite x read as 0), levels from
 * the same input. `work` holds n + 1 f64 (the targets); the inputs are readable one frame past n. Returns 1 when some level passed the knee's lower
 * edge (targets() true), else 0.
 */
export function compressorLinked(blk: usize, tab: usize, inL: usize, inR: usize, outL: usize, outR: usize, work: usize, n: i32): i32 {
  const flags = linkedTargets(blk, tab, inL, inR, work, n);
  linkedApply(blk, tab, inL, inR, outL, outR, work, n, flags);
  return flags & ACTIVE;
}

/**
 * compressorLinked for two tracks at once, A (settings and state at blkA, work at workA) and B: the same
 * arithmetic per track, so the same bits as two calls, with the two smoothers' serial chains run side by
 * side as the lanes of one f64x2 (one chain's latency per frame for both). `io` holds eight i32 addresses:
 * A's inL, inR, outL, outR, then B's. Returns A's compressorLinked result plus 2 × B's.
 */
export function compressorLinkedPair(blkA: usize, blkB: usize, tab: usize, io: usize, workA: usize, workB: usize, n: i32): i32 {
  const inAL = <usize>load<i32>(io), inAR = <usize>load<i32>(io, 4), outAL = <usize>load<i32>(io, 8), outAR = <usize>load<i32>(io, 12);
  const inBL = <usize>load<i32>(io, 16), inBR = <usize>load<i32>(io, 20), outBL = <usize>load<i32>(io, 24), outBR = <usize>load<i32>(io, 28);
  const fA = linkedTargets(blkA, tab, inAL, inAR, workA, n);
  const fB = linkedTargets(blkB, tab, inBL, inBR, workB, n);
  // A compressor at rest (nothing above the knee, no reduction left) takes linkedApply's cheap copy.
  if ((!(fA & ACTIVE) && load<f64>(blkA, 64) == 0) || (!(fB & ACTIVE) && load<f64>(blkB, 64) == 0)) {
    linkedApply(blkA, tab, inAL, inAR, outAL, outAR, workA, n, fA);
    linkedApply(blkB, tab, inBL, inBR, outBL, outBR, workB, n, fB);
  } else {
    linkedApplyPair(blkA, blkB, tab, inAL, inAR, outAL, outAR, inBL, inBR, outBL, outBR, workA, workB, n, fA, fB);
  }
  return (fA & ACTIVE) | ((fB & ACTIVE) << 1);
}

/**
 * compressorLinked's passes 1 and 2: the levels, then the static curve's targets (dB) into `work`.
 * Returns ACTIVE and NON_FINITE flags.
 */
function linkedTargets(blk: usize, tab: usize, inL: usize, inR: usize, work: usize, n: i32): i32 {
  const thr = load<f64>(blk), s = load<f64>(blk, 8), w = load<f64>(blk, 16);
  const power = load<f64>(blk, 32) !== 0;
  const skip = load<f64>(blk, 96), dbPerNeper = load<f64>(blk, 104), halfW = load<f64>(blk, 112), inv2w = load<f64>(blk, 120);
  const msFloor = load<f64>(blk, 160);
  // Pass 1: levels (LinkedGain.peaks / meanSquares), peaks two frames at a time. For an odd n the pair
  // passes handle frame n too (work holds n + 1 values): its level is set to 0 below, its target unused.
  // Also whether some level is beyond fastLog's table range (only absurd inputs): pass 2 then checks
  // every pair, as fastLog2 does; else it skips those checks.
  const fltMax: f64 = 3.4028234663852886e38;
  let huge = false;
  // And whether some input sample is NaN or infinite: pass 3 then zeroes those; else it skips the masks.
  let nonFinite = false;
  if (power) {
    const k = load<f64>(blk, 40);
    let ms0 = load<f64>(blk, 72), ms1 = load<f64>(blk, 80);
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      let x0 = <f64>load<f32>(inL + o), x1 = <f64>load<f32>(inR + o);
      if (!(x0 - x0 == 0)) { x0 = 0; nonFinite = true; }
      if (!(x1 - x1 == 0)) { x1 = 0; nonFinite = true; }
      ms0 += k * (x0 * x0 - ms0);
      if (ms0 < msFloor) ms0 = 0;
      ms1 += k * (x1 * x1 - ms1);
      if (ms1 < msFloor) ms1 = 0;
      const level = 0.5 * (ms0 + ms1 + Math.abs(ms0 - ms1));
      if (level > fltMax) huge = true;
      store<f64>(work + (<usize>i << 3), level);
    }
    store<f64>(blk, ms0, 72);
    store<f64>(blk, ms1, 80);
  } else {
    const inf = f64x2.splat(Infinity), half = f64x2.splat(0.5), maxV = f64x2.splat(fltMax);
    let big = i64x2.splat(0), finite = i64x2.splat(-1);
    for (let i = 0; i < n; i += 2) {
      const o = <usize>i << 2;
      let a0 = f64x2.abs(f64x2.promote_low_f32x4(v128.load64_zero(inL + o)));
      let a1 = f64x2.abs(f64x2.promote_low_f32x4(v128.load64_zero(inR + o)));
      const f0 = f64x2.lt(a0, inf), f1 = f64x2.lt(a1, inf);
      a0 = v128.and(a0, f0); // NaN or Inf: silence
      a1 = v128.and(a1, f1);
      finite = v128.and(finite, v128.and(f0, f1));
      const level = f64x2.mul(half, f64x2.add(f64x2.add(a0, a1), f64x2.abs(f64x2.sub(a0, a1))));
      big = v128.or(big, f64x2.gt(level, maxV));
      v128.store(work + (<usize>i << 3), level);
    }
    huge = v128.any_true(big);
    nonFinite = !v128.all_true<i64>(finite);
  }
  if (n & 1) store<f64>(work + (<usize>n << 3), 0); // the pair's unused half: below the knee
  // Pass 2: the static curve (reductionTargets, curvePair), two frames at a time.
  let anyAbove = i64x2.splat(0);
  const checked = huge || !(skip >= 1.1754943508222875e-38 && skip <= fltMax);
  {
    const skipV = f64x2.splat(skip), dpn = f64x2.splat(dbPerNeper), thrV = f64x2.splat(thr), wV = f64x2.splat(w);
    const negW = f64x2.splat(-w), sV = f64x2.splat(s), halfWV = f64x2.splat(halfW), inv2wV = f64x2.splat(inv2w), two = f64x2.splat(2);
    let i = 0;
    if (!checked) {
      // Four frames per step when no log needs checking: two independent pairs for the CPU to overlap.
      for (; i + 3 < n; i += 4) {
        const p = work + (<usize>i << 3);
        const a = v128.load(p), b = v128.load(p, 16);
        const aboveA = f64x2.gt(a, skipV), aboveB = f64x2.gt(b, skipV);
        anyAbove = v128.or(anyAbove, v128.or(aboveA, aboveB));
        v128.store(p, curvePair(tab, a, aboveA, false, skipV, dpn, thrV, wV, negW, sV, halfWV, inv2wV, two));
        v128.store(p, curvePair(tab, b, aboveB, false, skipV, dpn, thrV, wV, negW, sV, halfWV, inv2wV, two), 16);
      }
    }
    for (; i < n; i += 2) {
      const p = work + (<usize>i << 3);
      const a = v128.load(p);
      const above = f64x2.gt(a, skipV);
      anyAbove = v128.or(anyAbove, above);
      v128.store(p, curvePair(tab, a, above, checked, skipV, dpn, thrV, wV, negW, sV, halfWV, inv2wV, two));
    }
  }
  return (v128.any_true(anyAbove) ? ACTIVE : 0) | (nonFinite ? NON_FINITE : 0);
}

/**
 * A bound on |e| (nepers) for every frame of a block: the largest reduction possible (levels are at most
 * float32's maximum, about 771 dB; the state may start higher) plus the makeup.
 */
// @ts-ignore: decorator
@inline function exponentBound(blk: usize): f64 {
  return load<f64>(blk, 136) * (Math.abs(load<f64>(blk, 24)) + Math.max(load<f64>(blk, 64), 800 - load<f64>(blk)));
}

/** fastExp's range (|e| < 700) holds for a whole block when exponentBound is under it: else expPair checks (NaN bound: checks). */
// @ts-ignore: decorator
@inline function expNeedsCheck(blk: usize): bool {
  return !(exponentBound(blk) < 690);
}

/** f64 index of EXP_DIRECT's n = 0 in the tables (see fastLog's table layout). */
const EXP_DIRECT: i32 = 3134 + (1 << 14);

/**
 * Fills the derived tables from the four copied in (see the layout above): the interleaved LOG_R_SCALE and
 * LOG_C at 2622, and EXP_DIRECT's products (the same IEEE products as fastExp's), here rather than in
 * JavaScript, where the 2^15-entry loop ran in the interpreter in each worker's first block (7-18 ms).
 */
export function compressorTables(tab: usize): void {
  for (let j = 0; j < 256; j++) {
    store<f64>(tab + (<usize>(2622 + 2 * j) << 3), load<f64>(tab + (<usize>(2366 + j) << 3)));
    store<f64>(tab + (<usize>(2623 + 2 * j) << 3), load<f64>(tab + (<usize>(2110 + j) << 3)));
  }
  for (let n = -(1 << 14); n < (1 << 14); n++) {
    const p = load<f64>(tab + (<usize>((n >> 6) + 1022) << 3));
    const f = load<f64>(tab + (<usize>(2046 + (n & 63)) << 3));
    store<f64>(tab + (<usize>(EXP_DIRECT + n) << 3), p * f);
  }
}

/** Whether every frame's exponent of a block stays within EXP_DIRECT (|e| < 2^14·ln2/64 ≈ 177 nepers). */
// @ts-ignore: decorator
@inline function expDirectFits(blk: usize): bool {
  return exponentBound(blk) < 170;
}

/**
 * fastExp of both lanes of e: fastExp's arithmetic as vectors, the table reads per lane (one, from
 * EXP_DIRECT, when `direct`: the same product); lanes outside its range (only when `checked`) take the
 * scalar function. The vector arguments are the splatted constants.
 */
// @ts-ignore: decorator
@inline function expPair(tab: usize, e: v128, checked: bool, direct: bool, nByLn2: f64, ln2ByN: f64, nByLn2V: v128, ln2ByNV: v128, halfV: v128, magic: v128, one: v128, c2: v128, c6: v128): v128 {
  if (checked && !v128.all_true<i64>(v128.and(f64x2.gt(e, f64x2.splat(-700)), f64x2.lt(e, f64x2.splat(700))))) {
    return f64x2(expGain(tab, f64x2.extract_lane(e, 0), nByLn2, ln2ByN), expGain(tab, f64x2.extract_lane(e, 1), nByLn2, ln2ByN));
  }
  const en = f64x2.floor(f64x2.add(f64x2.mul(e, nByLn2V), halfV));
  const r = f64x2.sub(e, f64x2.mul(en, ln2ByNV));
  // The integers en in two's complement from the bits of en + 1.5·2^52 (exact: |en| < 2^31),
  // cheaper than checked float-to-int conversions.
  const bits = f64x2.add(en, magic);
  const e0 = <i32>i64x2.extract_lane(bits, 0), e1 = <i32>i64x2.extract_lane(bits, 1);
  const poly = f64x2.add(one, f64x2.mul(r, f64x2.add(one, f64x2.mul(r, f64x2.add(c2, f64x2.mul(r, c6))))));
  if (direct) return f64x2.mul(f64x2(load<f64>(tab + (<usize>(EXP_DIRECT + e0) << 3)), load<f64>(tab + (<usize>(EXP_DIRECT + e1) << 3))), poly);
  const pow2 = f64x2(load<f64>(tab + (<usize>((e0 >> 6) + 1022) << 3)), load<f64>(tab + (<usize>((e1 >> 6) + 1022) << 3)));
  const frac = f64x2(load<f64>(tab + (<usize>(2046 + (e0 & 63)) << 3)), load<f64>(tab + (<usize>(2046 + (e1 & 63)) << 3)));
  return f64x2.mul(f64x2.mul(pow2, frac), poly);
}

/** Frames o/4 and o/4 + 1 of a channel pair times g (one lane per frame): (x − x = 0 ? x : 0)·g, or x·g when no sample is non-finite. */
// @ts-ignore: decorator
@inline function scale2(inL: usize, inR: usize, outL: usize, outR: usize, o: usize, g: v128, masked: bool): void {
  const l = f64x2.promote_low_f32x4(v128.load64_zero(inL + o));
  const r = f64x2.promote_low_f32x4(v128.load64_zero(inR + o));
  if (masked) {
    const zero = f64x2.splat(0);
    v128.store64_lane(outL + o, f32x4.demote_f64x2_zero(f64x2.mul(v128.and(l, f64x2.eq(f64x2.sub(l, l), zero)), g)), 0);
    v128.store64_lane(outR + o, f32x4.demote_f64x2_zero(f64x2.mul(v128.and(r, f64x2.eq(f64x2.sub(r, r), zero)), g)), 0);
  } else {
    v128.store64_lane(outL + o, f32x4.demote_f64x2_zero(f64x2.mul(l, g)), 0);
    v128.store64_lane(outR + o, f32x4.demote_f64x2_zero(f64x2.mul(r, g)), 0);
  }
}

/** One frame of a channel pair times g: (x − x = 0 ? x : 0)·g. */
// @ts-ignore: decorator
@inline function scale1(inL: usize, inR: usize, outL: usize, outR: usize, o: usize, g: f64): void {
  const x0 = <f64>load<f32>(inL + o), x1 = <f64>load<f32>(inR + o);
  store<f32>(outL + o, <f32>((x0 - x0 == 0 ? x0 : 0) * g));
  store<f32>(outR + o, <f32>((x1 - x1 == 0 ? x1 : 0) * g));
}

/**
 * The static curve (reductionTargets) of two levels a, without data-dependent branches (noisy levels
 * around the knee mispredict them): every candidate is computed, masks pick; 0 where not `above` the
 * skip level. The log's argument is at least the skip level (its result is dropped there), never 0;
 * `checked` takes fastLog2's range checks (see linkedTargets).
 */
// @ts-ignore: decorator
@inline function curvePair(tab: usize, a: v128, above: v128, checked: bool, skipV: v128, dpn: v128, thrV: v128, wV: v128, negW: v128, sV: v128, halfWV: v128, inv2wV: v128, two: v128): v128 {
  // max(a, skip) (a is never NaN): a select, where f64x2.max's NaN rules cost several instructions.
  const ac = v128.bitselect(a, skipV, above);
  const lg = checked ? fastLog2(tab, ac) : fastLog2InRange(tab, ac);
  const d = f64x2.sub(f64x2.mul(dpn, lg), thrV);
  const d2 = f64x2.mul(two, d);
  const t = f64x2.add(d, halfWV);
  const knee = f64x2.mul(f64x2.mul(f64x2.mul(sV, t), t), inv2wV);
  let c = v128.bitselect(f64x2.mul(sV, d), knee, f64x2.ge(d2, wV));
  c = v128.andnot(c, f64x2.le(d2, negW));
  return v128.and(c, above);
}

/** compressorLinked's pass 3, smoothing and gain (LinkedGain.apply), with linkedTargets()'s flags. */
function linkedApply(blk: usize, tab: usize, inL: usize, inR: usize, outL: usize, outR: usize, work: usize, n: i32, flags: i32): void {
  const mk = load<f64>(blk, 24), mkLin = load<f64>(blk, 128), neperPerDb = load<f64>(blk, 136);
  const nByLn2 = load<f64>(blk, 144), ln2ByN = load<f64>(blk, 152), flushDb = load<f64>(blk, 168);
  const nonFinite = (flags & NON_FINITE) != 0;
  let y = load<f64>(blk, 64);
  if (!(flags & ACTIVE) && y == 0) {
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      const x0 = <f64>load<f32>(inL + o), x1 = <f64>load<f32>(inR + o);
      store<f32>(outL + o, <f32>((x0 - x0 == 0 ? x0 : 0) * mkLin));
      store<f32>(outR + o, <f32>((x1 - x1 == 0 ? x1 : 0) * mkLin));
    }
    return;
  }
  // The smoother's step, 1 − up while the target is above the state, else 1 − down: picked by a vector
  // compare and bit select (a scalar float select compiles to a branch, which noisy targets mispredict;
  // this is also shorter on the serial chain than a table load).
  const upV = f64x2.splat(1 - load<f64>(blk, 48)), downV = f64x2.splat(1 - load<f64>(blk, 56));
  let meter = load<f64>(blk, 88);
  // Two frames per step: the smoother runs frame by frame (its serial chain), the gains of both frames
  // are computed and applied as one f64x2 (fastExp's arithmetic per lane).
  const neperV = f64x2.splat(neperPerDb), mkV = f64x2.splat(mk);
  const nByLn2V = f64x2.splat(nByLn2), ln2ByNV = f64x2.splat(ln2ByN), halfV = f64x2.splat(0.5), magic = f64x2.splat(6755399441055744.0);
  const one = f64x2.splat(1), c2 = f64x2.splat(1.0 / 2), c6 = f64x2.splat(1.0 / 6);
  const expChecked = expNeedsCheck(blk);
  const direct = expDirectFits(blk);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const ca = load<f64>(work + (<usize>i << 3)), cb = load<f64>(work + (<usize>i << 3), 8);
    y = smooth(y, ca, upV, downV);
    if (y < flushDb) y = 0;
    if (y > meter) meter = y;
    const ya = y;
    y = smooth(y, cb, upV, downV);
    if (y < flushDb) y = 0;
    if (y > meter) meter = y;
    const g = expPair(tab, f64x2.mul(neperV, f64x2.sub(mkV, f64x2(ya, y))), expChecked, direct, nByLn2, ln2ByN, nByLn2V, ln2ByNV, halfV, magic, one, c2, c6);
    scale2(inL, inR, outL, outR, <usize>i << 2, g, nonFinite);
  }
  if (i < n) {
    const c = load<f64>(work + (<usize>i << 3));
    y = smooth(y, c, upV, downV);
    if (y < flushDb) y = 0;
    if (y > meter) meter = y;
    scale1(inL, inR, outL, outR, <usize>i << 2, expGain(tab, neperPerDb * (mk - y), nByLn2, ln2ByN));
  }
  store<f64>(blk, y, 64);
  store<f64>(blk, meter, 88);
}

/** One smoother step of both lanes, y + (c − y)·step, then states under the flush level to 0 (linkedApply's, per lane). */
// @ts-ignore: decorator
@inline function smoothPair(y: v128, c: v128, upV: v128, downV: v128, flushV: v128): v128 {
  const z = f64x2.add(y, f64x2.mul(f64x2.sub(c, y), v128.bitselect(upV, downV, f64x2.gt(c, y))));
  return v128.andnot(z, f64x2.lt(z, flushV));
}

/**
 * linkedApply for two tracks (see compressorLinkedPair): lane 0 is A, lane 1 is B through the smoother and
 * the exponential; two frames per step, the gains then regrouped per track.
 */
function linkedApplyPair(blkA: usize, blkB: usize, tab: usize, inAL: usize, inAR: usize, outAL: usize, outAR: usize,
  inBL: usize, inBR: usize, outBL: usize, outBR: usize, workA: usize, workB: usize, n: i32, fA: i32, fB: i32): void {
  // (N_BY_LN2 and LN2_BY_N are the same constants in every block.)
  const nByLn2 = load<f64>(blkA, 144), ln2ByN = load<f64>(blkA, 152);
  const upV = f64x2(1 - load<f64>(blkA, 48), 1 - load<f64>(blkB, 48)), downV = f64x2(1 - load<f64>(blkA, 56), 1 - load<f64>(blkB, 56));
  const flushV = f64x2(load<f64>(blkA, 168), load<f64>(blkB, 168));
  const neperV = f64x2(load<f64>(blkA, 136), load<f64>(blkB, 136)), mkV = f64x2(load<f64>(blkA, 24), load<f64>(blkB, 24));
  const nByLn2V = f64x2.splat(nByLn2), ln2ByNV = f64x2.splat(ln2ByN), halfV = f64x2.splat(0.5), magic = f64x2.splat(6755399441055744.0);
  const one = f64x2.splat(1), c2 = f64x2.splat(1.0 / 2), c6 = f64x2.splat(1.0 / 6);
  const checked = expNeedsCheck(blkA) || expNeedsCheck(blkB);
  const direct = expDirectFits(blkA) && expDirectFits(blkB);
  const maskA = (fA & NON_FINITE) != 0, maskB = (fB & NON_FINITE) != 0;
  let y = f64x2(load<f64>(blkA, 64), load<f64>(blkB, 64));
  let meter = f64x2(load<f64>(blkA, 88), load<f64>(blkB, 88));
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const ta = v128.load(workA + (<usize>i << 3)), tb = v128.load(workB + (<usize>i << 3));
    y = smoothPair(y, v128.shuffle<i64>(ta, tb, 0, 2), upV, downV, flushV);
    // pmax(meter, y) is meter < y ? y : meter: linkedApply's "if (y > meter) meter = y".
    meter = f64x2.pmax(meter, y);
    const y0 = y;
    y = smoothPair(y, v128.shuffle<i64>(ta, tb, 1, 3), upV, downV, flushV);
    meter = f64x2.pmax(meter, y);
    const g0 = expPair(tab, f64x2.mul(neperV, f64x2.sub(mkV, y0)), checked, direct, nByLn2, ln2ByN, nByLn2V, ln2ByNV, halfV, magic, one, c2, c6);
    const g1 = expPair(tab, f64x2.mul(neperV, f64x2.sub(mkV, y)), checked, direct, nByLn2, ln2ByN, nByLn2V, ln2ByNV, halfV, magic, one, c2, c6);
    const o = <usize>i << 2;
    scale2(inAL, inAR, outAL, outAR, o, v128.shuffle<i64>(g0, g1, 0, 2), maskA);
    scale2(inBL, inBR, outBL, outBR, o, v128.shuffle<i64>(g0, g1, 1, 3), maskB);
  }
  if (i < n) {
    y = smoothPair(y, f64x2(load<f64>(workA + (<usize>i << 3)), load<f64>(workB + (<usize>i << 3))), upV, downV, flushV);
    meter = f64x2.pmax(meter, y);
    const e = f64x2.mul(neperV, f64x2.sub(mkV, y));
    const o = <usize>i << 2;
    scale1(inAL, inAR, outAL, outAR, o, expGain(tab, f64x2.extract_lane(e, 0), nByLn2, ln2ByN));
    scale1(inBL, inBR, outBL, outBR, o, expGain(tab, f64x2.extract_lane(e, 1), nByLn2, ln2ByN));
  }
  store<f64>(blkA, f64x2.extract_lane(y, 0), 64);
  store<f64>(blkB, f64x2.extract_lane(y, 1), 64);
  store<f64>(blkA, f64x2.extract_lane(meter, 0), 88);
  store<f64>(blkB, f64x2.extract_lane(meter, 1), 88);
}

/**
 * A track group's post-fader outputs and sends, added into its float64 partial sums (mix-renderer.ts
 * sendConstant: per edge dest += (x·gain)·level, tracks in order, each track's edges in order: the same
 * products and the same order of additions per element, so the same bits).
 * Tracks: float32 planar x, track t's left channel at byte offset xs[2t] (i32), its right at xs[2t + 1]
 * (mono: the left again); counts[t] (i32) edges each, at `edges` one after another, 4 f64 per edge:
 * destination index, left gain, right gain, level. Partials: destination d's left channel at d·2·stride
 * floats (f64), its right `stride` later. Runs in sub-blocks of `sub` frames (a multiple of 2), so the
 * partials being added into stay in the L1 cache; two frames per step (for an odd n the frame after the
 * last is read and written too: callers leave room for it and ignore it).
 */
export function sendGroup(xs: usize, tracks: i32, counts: usize, edges: usize, partials: usize, stride: i32, n: i32, sub: i32): void {
  const rowBytes = <usize>stride << 3;
  for (let s = 0; s < n; s += sub) {
    const end = min(n, s + sub);
    let p = edges;
    for (let t = 0; t < tracks; t++) {
      const xL = <usize>load<i32>(xs + (<usize>t << 3)), xR = <usize>load<i32>(xs + (<usize>t << 3), 4);
      const count = load<i32>(counts + (<usize>t << 2));
      let e = 0;
      // Three edges per pass (x read once for all three; the usual output plus two sends), then one by one.
      for (; e + 3 <= count; e += 3, p += 96) {
        const al = partials + <usize>(<i32>load<f64>(p)) * 2 * rowBytes, ar = al + rowBytes;
        const bl = partials + <usize>(<i32>load<f64>(p, 32)) * 2 * rowBytes, br = bl + rowBytes;
        const cl = partials + <usize>(<i32>load<f64>(p, 64)) * 2 * rowBytes, cr = cl + rowBytes;
        const agl = v128.load64_splat(p, 8), agr = v128.load64_splat(p, 16), alv = v128.load64_splat(p, 24);
        const bgl = v128.load64_splat(p, 40), bgr = v128.load64_splat(p, 48), blv = v128.load64_splat(p, 56);
        const cgl = v128.load64_splat(p, 72), cgr = v128.load64_splat(p, 80), clv = v128.load64_splat(p, 88);
        for (let i = s; i < end; i += 2) {
          const xl = f64x2.promote_low_f32x4(v128.load64_zero(xL + (<usize>i << 2)));
          const xr = f64x2.promote_low_f32x4(v128.load64_zero(xR + (<usize>i << 2)));
          const off = <usize>i << 3;
          // In edge order (two edges into one destination add in turn).
          v128.store(al + off, f64x2.add(v128.load(al + off), f64x2.mul(f64x2.mul(xl, agl), alv)));
          v128.store(ar + off, f64x2.add(v128.load(ar + off), f64x2.mul(f64x2.mul(xr, agr), alv)));
          v128.store(bl + off, f64x2.add(v128.load(bl + off), f64x2.mul(f64x2.mul(xl, bgl), blv)));
          v128.store(br + off, f64x2.add(v128.load(br + off), f64x2.mul(f64x2.mul(xr, bgr), blv)));
          v128.store(cl + off, f64x2.add(v128.load(cl + off), f64x2.mul(f64x2.mul(xl, cgl), clv)));
          v128.store(cr + off, f64x2.add(v128.load(cr + off), f64x2.mul(f64x2.mul(xr, cgr), clv)));
        }
      }
      for (; e < count; e++, p += 32) {
        const dl = partials + <usize>(<i32>load<f64>(p)) * 2 * rowBytes;
        const dr = dl + rowBytes;
        const gl = v128.load64_splat(p, 8), gr = v128.load64_splat(p, 16), lv = v128.load64_splat(p, 24);
        for (let i = s; i < end; i += 2) {
          const xl = f64x2.promote_low_f32x4(v128.load64_zero(xL + (<usize>i << 2)));
          const xr = f64x2.promote_low_f32x4(v128.load64_zero(xR + (<usize>i << 2)));
          const off = <usize>i << 3;
          v128.store(dl + off, f64x2.add(v128.load(dl + off), f64x2.mul(f64x2.mul(xl, gl), lv)));
          v128.store(dr + off, f64x2.add(v128.load(dr + off), f64x2.mul(f64x2.mul(xr, gr), lv)));
        }
      }
    }
  }
}

/**
 * 24-bit little-endian PCM, mono or stereo, to float32 planar (wav-reader.ts convertInt24: the three
 * bytes go to bits 8..31 of an int32, then × 2^−31; exact in float32, so the same bits). Four samples
 * (12 bytes) per 16-byte load: the source needs 4 bytes of slack after its last sample.
 */
export function int24Planar(src: usize, frames: i32, stereo: i32, outL: usize, outR: usize): void {
  // Byte k of each sample to byte k + 1 of its int32 lane; index 16+ (out of range) gives 0.
  const spread = i8x16(-1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11);
  const scale = f32x4.splat(1.0 / 2147483648.0);
  let i = 0;
  if (stereo) {
    // Four frames (24 bytes) per step: [L0 R0 L1 R1] and [L2 R2 L3 R3], then split into L and R.
    for (; i + 4 <= frames; i += 4) {
      const p = src + <usize>i * 6;
      const a = i8x16.swizzle(v128.load(p), spread);
      const b = i8x16.swizzle(v128.load(p, 12), spread);
      const o = <usize>i << 2;
      v128.store(outL + o, f32x4.mul(f32x4.convert_i32x4_s(v128.shuffle<i32>(a, b, 0, 2, 4, 6)), scale));
      v128.store(outR + o, f32x4.mul(f32x4.convert_i32x4_s(v128.shuffle<i32>(a, b, 1, 3, 5, 7)), scale));
    }
    for (; i < frames; i++) {
      const p = src + <usize>i * 6;
      store<f32>(outL + (<usize>i << 2), <f32>(<f64>((<i32>load<u8>(p) << 8) | (<i32>load<u8>(p, 1) << 16) | (<i32>load<u8>(p, 2) << 24)) * (1.0 / 2147483648.0)));
      store<f32>(outR + (<usize>i << 2), <f32>(<f64>((<i32>load<u8>(p, 3) << 8) | (<i32>load<u8>(p, 4) << 16) | (<i32>load<u8>(p, 5) << 24)) * (1.0 / 2147483648.0)));
    }
    return;
  }
  for (; i + 4 <= frames; i += 4) {
    v128.store(outL + (<usize>i << 2), f32x4.mul(f32x4.convert_i32x4_s(i8x16.swizzle(v128.load(src + <usize>i * 3), spread)), scale));
  }
  for (; i < frames; i++) {
    const p = src + <usize>i * 3;
    store<f32>(outL + (<usize>i << 2), <f32>(<f64>((<i32>load<u8>(p) << 8) | (<i32>load<u8>(p, 1) << 16) | (<i32>load<u8>(p, 2) << 24)) * (1.0 / 2147483648.0)));
  }
}

/*
 * True-peak meter (src/core/analysis/true-peak-meter.ts): the per-sample passes of one chunk. The meter's
 * bounds only decide which outputs to skip; every output it reports is still computed in JavaScript.
 */

/** |x| per lane, then the larger per lane. */
// @ts-ignore: decorator
@inline function absMaxInto(m: v128, x: v128): v128 {
  return f64x2.max(m, f64x2.abs(x));
}

/**
 * buf[hist + i] = x[i] widened to float64, i < n (the chunk after the history); returns max |buf[i]| over
 * buf[0 .. hist + n) (the chunk-level bound's input).
 */
export function tpLoad(buf: usize, x: usize, hist: i32, n: i32): f64 {
  const dst = buf + (<usize>hist << 3);
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(dst + (<usize>i << 3), f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>i << 2))));
  for (; i < n; i++) store<f64>(dst + (<usize>i << 3), <f64>load<f32>(x + (<usize>i << 2)));
  const len = hist + n;
  let m0 = f64x2.splat(0);
  let m1 = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= len; j += 4) {
    const p = buf + (<usize>j << 3);
    m0 = absMaxInto(m0, v128.load(p));
    m1 = absMaxInto(m1, v128.load(p, 16));
  }
  for (; j + 2 <= len; j += 2) m0 = absMaxInto(m0, v128.load(buf + (<usize>j << 3)));
  const m = f64x2.max(m0, m1);
  let r = max<f64>(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1));
  if (j < len) r = max<f64>(r, abs<f64>(load<f64>(buf + (<usize>j << 3))));
  return r;
}

/** max |Δ²x| over buf[8b .. 8b + 7], Δ² = x[i−1] − 2·x[i] + x[i+1] counted as 0 outside [1, last). */
function blockAbsD2(buf: usize, b: i32, last: i32): f64 {
  let m: f64 = 0;
  for (let i = b << 3; i < (b + 1) << 3; i++) {
    if (i >= 1 && i < last) {
      const p = buf + (<usize>i << 3);
      m = max<f64>(m, abs<f64>(load<f64>(p - 8) - 2 * load<f64>(p) + load<f64>(p, 8)));
    }
  }
  return m;
}

/**
 * The meter's computeFeatures over buf[0 .. len): bd2[b] = max |Δ²x| over 8-block b, b < blocks (Δ² as 0
 * outside [1, len − 1)); bx[g] = max |buf[from + 8g .. from + 8g + 7]|, g < groups.
 */
export function tpFeatures(buf: usize, len: i32, bd2: usize, blocks: i32, bx: usize, from: i32, groups: i32): void {
  const last = len - 1;
  // Blocks 1 .. inner − 1 lie inside [1, last): two frames per step, no edge tests.
  const inner = min<i32>(blocks, max<i32>(1, (last - 8) / 8 + 1));
  const two = f64x2.splat(2);
  store<f64>(bd2, blockAbsD2(buf, 0, last));
  for (let b = 1; b < inner; b++) {
    const p = buf + (<usize>b << 6);
    let m = f64x2.splat(0);
    for (let k: usize = 0; k < 64; k += 16) {
      const c = v128.load(p + k);
      m = absMaxInto(m, f64x2.add(f64x2.sub(v128.load(p + k - 8), f64x2.mul(two, c)), v128.load(p + k + 8)));
    }
    store<f64>(bd2 + (<usize>b << 3), max<f64>(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1)));
  }
  for (let b = inner; b < blocks; b++) store<f64>(bd2 + (<usize>b << 3), blockAbsD2(buf, b, last));
  // The JavaScript blockAbsMax8's tree (max(a, b) as a + b + |a − b|, which can round an ulp away from
  // the maximum), two of its pairs per vector: these values also seed the peak.
  for (let g = 0; g < groups; g++) {
    const p = buf + (<usize>(from + (g << 3)) << 3);
    const a01 = f64x2.abs(v128.load(p));
    const a23 = f64x2.abs(v128.load(p, 16));
    const a45 = f64x2.abs(v128.load(p, 32));
    const a67 = f64x2.abs(v128.load(p, 48));
    const b01 = max2x(v128.shuffle<f64>(a01, a23, 0, 2), v128.shuffle<f64>(a01, a23, 1, 3));
    const b23 = max2x(v128.shuffle<f64>(a45, a67, 0, 2), v128.shuffle<f64>(a45, a67, 1, 3));
    const c01 = max2x(v128.shuffle<f64>(b01, b23, 0, 2), v128.shuffle<f64>(b01, b23, 1, 3));
    const c0 = f64x2.extract_lane(c01, 0);
    const c1 = f64x2.extract_lane(c01, 1);
    store<f64>(bx + (<usize>g << 3), 0.125 * (c0 + c1 + abs<f64>(c0 - c1)));
  }
}

/** 2·max per lane as (a + b) + |a − b|. */
// @ts-ignore: decorator
@inline function max2x(a: v128, b: v128): v128 {
  return f64x2.add(f64x2.add(a, b), f64x2.abs(f64x2.sub(a, b)));
}

/** Interleaved float32 stereo to planar: lanes moved by shuffles, bits unchanged. */
export function f32StereoPlanar(src: usize, frames: i32, outL: usize, outR: usize): void {
  let i = 0;
  for (; i + 4 <= frames; i += 4) {
    const p = src + (<usize>i << 3);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const o = <usize>i << 2;
    v128.store(outL + o, v128.shuffle<f32>(a, b, 0, 2, 4, 6));
    v128.store(outR + o, v128.shuffle<f32>(a, b, 1, 3, 5, 7));
  }
  for (; i < frames; i++) {
    store<f32>(outL + (<usize>i << 2), load<f32>(src + (<usize>i << 3)));
    store<f32>(outR + (<usize>i << 2), load<f32>(src + (<usize>i << 3), 4));
  }
}

/** Interleaved int16 stereo to planar float32, x · 2^-15 (exact in float32, as the JavaScript loop). */
export function int16StereoPlanar(src: usize, frames: i32, outL: usize, outR: usize): void {
  const scale = f32x4.splat(1.0 / 32768.0);
  let i = 0;
  for (; i + 4 <= frames; i += 4) {
    const v = v128.load(src + (<usize>i << 2)); // L0 R0 L1 R1 L2 R2 L3 R3
    const lr = v128.shuffle<i16>(v, v, 0, 2, 4, 6, 1, 3, 5, 7);
    const o = <usize>i << 2;
    v128.store(outL + o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lr)), scale));
    v128.store(outR + o, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lr)), scale));
  }
  for (; i < frames; i++) {
    store<f32>(outL + (<usize>i << 2), <f32>(<f64>load<i16>(src + (<usize>i << 2)) * (1.0 / 32768.0)));
    store<f32>(outR + (<usize>i << 2), <f32>(<f64>load<i16>(src + (<usize>i << 2), 2) * (1.0 / 32768.0)));
  }
}

/*
 * The true-peak meter's scan of one chunk (true-peak-meter.ts scanGroups, groupFeatures, scanGroup,
 * scanInterval, evaluate), after tpFeatures: the same bounds and the same sums in the same order, so the
 * same peak. Table at `tab` (f64): 0 factor L, 1 taps T, 2 g2, 3 ring1, 4 ring2, 5 ringRest,
 * 6 maxWeight (Δ² split), 7 maxWeight (Δ⁶ split), then from 8: even, odd (4·(L/2 + 1) each) and
 * weight (L/2 + 1) of the Δ² split, the same of the Δ⁶ split, then the branches (L·T).
 */
const TP_MARGIN: f64 = 1 + 1e-9;

/** max(a, b) for a, b ≥ 0 as the meter's max2: 0.5·(a + b + |a − b|). */
// @ts-ignore: decorator
@inline function max2s(a: f64, b: f64): f64 {
  return 0.5 * (a + b + abs<f64>(a - b));
}

/** Full-filter outputs tpScan has computed (TruePeakMeter.evaluations: tests compare the paths' decisions). */
let tpEvaluations: i32 = 0;

export function tpEvaluationCount(): i32 {
  return tpEvaluations;
}

/** Full branch p at interval s, summed as the meter's evaluate(); the new maximum. */
// @ts-ignore: decorator
@inline function tpEvaluate(buf: usize, br: usize, t: i32, s: i32, p: i32, peak: f64): f64 {
  tpEvaluations++;
  const b = br + (<usize>(p * t) << 3);
  const x = buf + (<usize>s << 3);
  let acc: f64 = 0;
  for (let j = 0; j < t; j++) acc += load<f64>(b + (<usize>j << 3)) * load<f64>(x + (<usize>j << 3));
  if (acc > peak) return acc;
  if (-acc > peak) return -acc;
  return peak;
}

export function tpScan(buf: usize, n: i32, peak: f64, bd2: usize, bx: usize, s2: usize, bd6: usize, tab: usize, last: i32): f64 {
  const l = <i32>load<f64>(tab), t = <i32>load<f64>(tab, 8);
  const g2 = load<f64>(tab, 16), r1 = load<f64>(tab, 24), r2 = load<f64>(tab, 32), ringRest = load<f64>(tab, 40);
  const half = l >> 1;
  const kLen = <usize>(4 * (half + 1)) << 3;
  const wLen = <usize>(half + 1) << 3;
  const split0 = tab + 64;
  const split1 = split0 + 2 * kLen + wLen;
  const br = split1 + 2 * kLen + wLen;
  const c = (t >> 1) - 1;
  const groups = (n + 7) >> 3;
  // Seed: the phase-0 outputs (the samples themselves), bx for the full groups.
  for (let g = 0; g < groups - 1; g++) {
    const v = load<f64>(bx + (<usize>g << 3));
    if (v > peak) peak = v;
  }
  for (let s = (groups - 1) << 3; s < n; s++) {
    const a = abs<f64>(load<f64>(buf + (<usize>(s + c) << 3)));
    if (a > peak) peak = a;
  }
  const near = r1 + r2;
  for (let g = 0; g < groups; g++) {
    const mEnds = max2s(load<f64>(bx + (<usize>g << 3)), abs<f64>(load<f64>(buf + (<usize>((g << 3) + c + 8) << 3))));
    const d = bd2 + (<usize>g << 3);
    const dNear = max2s(max2s(load<f64>(d, 8), load<f64>(d, 16)), load<f64>(d, 24));
    const dAll = max2s(max2s(load<f64>(d), load<f64>(d, 32)), dNear);
    const ringBound = near * dNear + ringRest * dAll;
    const dBound = g2 * dAll < ringBound ? g2 * dAll : ringBound;
    if ((mEnds + dBound) * TP_MARGIN <= peak) continue;
    // groupFeatures: centred Δ² into s2 (buf indices), block maxima of |Δ⁶| into bd6.
    const from = g << 3;
    const to = from + 40;
    for (let i = max<i32>(0, from - 4); i < to; i++) {
      const p = buf + (<usize>i << 3);
      store<f64>(s2 + (<usize>i << 3), i >= 1 && i < last ? load<f64>(p - 8) - 2 * load<f64>(p) + load<f64>(p, 8) : 0);
    }
    for (let b = g; b < g + 5; b++) {
      let m6: f64 = 0;
      for (let i = b << 3; i < (b + 1) << 3; i++) {
        let d6: f64 = 0;
        if (i >= 5 && i < last) {
          const q = s2 + (<usize>i << 3);
          d6 = load<f64>(q - 32) - 4 * load<f64>(q - 24) + 6 * load<f64>(q - 16) - 4 * load<f64>(q - 8) + load<f64>(q);
        }
        m6 = max<f64>(m6, abs<f64>(d6));
      }
      store<f64>(bd6 + (<usize>b << 3), m6);
    }
    // scanGroup: bound 1 per interval; the passing ones get bound 2 with the group's split, then the filter.
    const s0 = g << 3;
    const s1 = min<i32>(n, s0 + 8);
    const rest = ringRest * dAll;
    let kern: usize = 0;
    let dSplit: f64 = 0;
    for (let s = s0; s < s1; s++) {
      const k = s + c;
      const pk = buf + (<usize>k << 3);
      const qk = s2 + (<usize>k << 3);
      const a = max2s(abs<f64>(load<f64>(pk)), abs<f64>(load<f64>(pk, 8)));
      const n1 = max2s(abs<f64>(load<f64>(qk)), abs<f64>(load<f64>(qk, 8)));
      const n2 = max2s(abs<f64>(load<f64>(qk - 8)), abs<f64>(load<f64>(qk, 16)));
      if ((a + r1 * n1 + r2 * n2 + rest) * TP_MARGIN <= peak) continue;
      if (kern === 0) {
        // Once per group: the difference order whose remainder bound is smallest here.
        let best: f64 = Infinity;
        for (let q = 0; q < 2; q++) {
          const bb = (q === 0 ? bd2 : bd6) + (<usize>g << 3);
          const dq = max2s(max2s(max2s(load<f64>(bb), load<f64>(bb, 8)), max2s(load<f64>(bb, 16), load<f64>(bb, 24))), load<f64>(bb, 32));
          const mw = load<f64>(tab + 48 + (<usize>q << 3));
          if (mw * dq < best) {
            best = mw * dq;
            kern = q === 0 ? split0 : split1;
            dSplit = dq;
          }
        }
      }
      // scanInterval: pairs p, L − p from the 8-tap inner kernels in mirror form.
      const ev = kern, od = kern + kLen, wt = kern + 2 * kLen;
      const lo = buf + (<usize>(s + (t >> 1) - 4) << 3);
      const x0 = load<f64>(lo), x1 = load<f64>(lo, 8), x2 = load<f64>(lo, 16), x3 = load<f64>(lo, 24);
      const x4 = load<f64>(lo, 32), x5 = load<f64>(lo, 40), x6 = load<f64>(lo, 48), x7 = load<f64>(lo, 56);
      const u0 = x0 + x7, u1 = x1 + x6, u2 = x2 + x5, u3 = x3 + x4;
      const v0 = x0 - x7, v1 = x1 - x6, v2 = x2 - x5, v3 = x3 - x4;
      for (let p = 1; p <= half; p++) {
        const e4 = ev + (<usize>(4 * p) << 3);
        const o4 = od + (<usize>(4 * p) << 3);
        const e = load<f64>(e4) * u0 + load<f64>(e4, 8) * u1 + load<f64>(e4, 16) * u2 + load<f64>(e4, 24) * u3;
        const o = p === half ? 0 : load<f64>(o4) * v0 + load<f64>(o4, 8) * v1 + load<f64>(o4, 16) * v2 + load<f64>(o4, 24) * v3;
        const slack = load<f64>(wt + (<usize>p << 3)) * dSplit;
        if ((abs<f64>(e + o) + slack) * TP_MARGIN > peak) peak = tpEvaluate(buf, br, t, s, p, peak);
        if (p !== half && (abs<f64>(e - o) + slack) * TP_MARGIN > peak) peak = tpEvaluate(buf, br, t, s, l - p, peak);
      }
    }
  }
  return peak;
}
export { reverbProcess } from './reverb-kernels';
