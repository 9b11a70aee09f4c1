/**
 * The FDN reverb's process() (src/core/dsp/reverb.ts; called through src/core/dsp/reverb-wasm.ts): the
 * JavaScript stages' arithmetic in their order, chunk by chunk, so the same bits (see kernels.ts).
 *
 * Two passes per chunk. lineStage: input() and readLines() in one loop, so that their serial recursions
 * overlap; lanes [left, right] for the pre-delay and DC blocker, [j, j+1] for the lines' shelves (four
 * independent pairs). mixStage: mixLines() and output(), lanes frames [k, k+1] (no frame depends on
 * another there). Both run between the rings' wraps, without per-sample wrap tests for the lines.
 */

// The block (reverb-wasm.ts writes it; byte offsets). f64 per line (pair p at +16·p): gain, shelf b0, b1,
// a1 and its state; [left, right]: DC blocker x1, y1; then scalars.
const GAIN: usize = 0, B0: usize = 64, B1: usize = 128, A1: usize = 192, FZ: usize = 256;
const DC_X: usize = 320, DC_Y: usize = 336, DC_A: usize = 352, H: usize = 360, OUT_SCALE: usize = 368;
// i32 per line: write position, length (frames), ring size (frames), ring address; the pre-delay rings.
const POS: usize = 384, LEN: usize = 416, SIZE: usize = 448, LINE: usize = 480;
const PRE_L: usize = 512, PRE_R: usize = 516, PRE_SIZE: usize = 520, PRE_LEN: usize = 524, PRE_POS: usize = 528;

/** Longest chunk (reverb.ts CHUNK); the work area holds 8 line outputs and 2 inputs of CHUNK + 2 f64. */
const CHUNK: i32 = 256;
const ROW: usize = (<usize>CHUNK + 2) << 3;

/** x where tiny < |x| < ∞, else +0: reverb.ts's `Math.abs(x) > 1e-25 && x - x === 0` per lane. */
// @ts-ignore: decorator
@inline function flush(x: v128): v128 {
  const a = f64x2.abs(x);
  return v128.and(x, v128.and(f64x2.gt(a, f64x2.splat(1e-25)), f64x2.lt(a, f64x2.splat(Infinity))));
}

/**
 * Reverb.process() over n frames: inputs xl, xr (f32, one readable frame past n; xr may be xl), outputs
 * yl and yr (f32; yr 0 for mono), the dry/wet mix per frame at mix + k·mixStride (f64; stride 0: constant).
 * Reads and updates the block's state and the resident lines.
 */
export function reverbProcess(blk: usize, xl: usize, xr: usize, yl: usize, yr: usize, mix: usize, mixStride: i32, work: usize, n: i32): void {
  let chunk = CHUNK;
  for (let j: usize = 0; j < 8; j++) chunk = min(chunk, load<i32>(blk + LEN + (j << 2)));
  for (let i0 = 0; i0 < n; i0 += chunk) {
    const c = min(chunk, n - i0);
    const o = <usize>i0 << 2;
    lineStage(blk, xl + o, xr + o, work, c);
    mixStage(blk, work, xl + o, xr + o, yl + o, yr === 0 ? 0 : yr + o, mix + <usize>i0 * <usize>mixStride, <usize>mixStride, c);
  }
}

/** Read index of line j (frames) for the chunk starting at its write position. */
// @ts-ignore: decorator
@inline function readIndex(blk: usize, j: usize): i32 {
  const r = load<i32>(blk + POS + (j << 2)) - load<i32>(blk + LEN + (j << 2));
  return r < 0 ? r + load<i32>(blk + SIZE + (j << 2)) : r;
}

/** Line j's next sample address (ring address plus index r). */
/** A ring position `m` frames on, in a ring of `size` (the runs stop at the wrap: it lands on `size` at most). */
// @ts-ignore: decorator
@inline function advance(p: i32, m: i32, size: i32): i32 {
  p += m;
  return p === size ? 0 : p;
}

// @ts-ignore: decorator
@inline function at(blk: usize, j: usize, r: i32): usize {
  return <usize>load<i32>(blk + LINE + (j << 2)) + (<usize>r << 2);
}

/**
 * reverb.ts input() and readLines() for c frames: the pre-delay and DC blocker into rows 8 and 9 of `out`
 * (f64), and each line's delayed read, gain and absorption shelf into its row, in runs between the read
 * indices' wraps.
 */
function lineStage(blk: usize, xl: usize, xr: usize, out: usize, c: i32): void {
  let r0 = readIndex(blk, 0), r1 = readIndex(blk, 1), r2 = readIndex(blk, 2), r3 = readIndex(blk, 3);
  let r4 = readIndex(blk, 4), r5 = readIndex(blk, 5), r6 = readIndex(blk, 6), r7 = readIndex(blk, 7);
  const s0 = load<i32>(blk + SIZE), s1 = load<i32>(blk + SIZE, 4), s2 = load<i32>(blk + SIZE, 8), s3 = load<i32>(blk + SIZE, 12);
  const s4 = load<i32>(blk + SIZE, 16), s5 = load<i32>(blk + SIZE, 20), s6 = load<i32>(blk + SIZE, 24), s7 = load<i32>(blk + SIZE, 28);
  let f01 = v128.load(blk + FZ), f23 = v128.load(blk + FZ, 16), f45 = v128.load(blk + FZ, 32), f67 = v128.load(blk + FZ, 48);
  // Pre-delay rings: write and read positions; DC blocker state [left, right].
  const preL = <usize>load<i32>(blk + PRE_L), preR = <usize>load<i32>(blk + PRE_R), preSize = load<i32>(blk + PRE_SIZE);
  let pw = load<i32>(blk + PRE_POS);
  let pr = pw - load<i32>(blk + PRE_LEN);
  if (pr < 0) pr += preSize;
  let x1 = v128.load(blk + DC_X), y1 = v128.load(blk + DC_Y);
  const dcA = f64x2.splat(load<f64>(blk + DC_A));
  const g01 = v128.load(blk + GAIN), g23 = v128.load(blk + GAIN, 16), g45 = v128.load(blk + GAIN, 32), g67 = v128.load(blk + GAIN, 48);
  const b01 = v128.load(blk + B0), b23 = v128.load(blk + B0, 16), b45 = v128.load(blk + B0, 32), b67 = v128.load(blk + B0, 48);
  const c01 = v128.load(blk + B1), c23 = v128.load(blk + B1, 16), c45 = v128.load(blk + B1, 32), c67 = v128.load(blk + B1, 48);
  const a01 = v128.load(blk + A1), a23 = v128.load(blk + A1, 16), a45 = v128.load(blk + A1, 32), a67 = v128.load(blk + A1, 48);
  for (let k = 0; k < c;) {
    // Frames until the first read index wraps.
    let m = c - k;
    m = min(m, min(min(s0 - r0, s1 - r1), min(s2 - r2, s3 - r3)));
    m = min(m, min(min(s4 - r4, s5 - r5), min(s6 - r6, s7 - r7)));
    const p0 = at(blk, 0, r0), p1 = at(blk, 1, r1), p2 = at(blk, 2, r2), p3 = at(blk, 3, r3);
    const p4 = at(blk, 4, r4), p5 = at(blk, 5, r5), p6 = at(blk, 6, r6), p7 = at(blk, 7, r7);
    const o = out + (<usize>k << 3), xo = <usize>k << 2;
    for (let i = 0; i < m; i++) {
      const q = <usize>i << 2, e = o + (<usize>i << 3);
      // Input: NaN, ±Inf → 0, into the rings (a pre-delay of 0 reads what was just written).
      let v = v128.load32_lane(xr + xo + q, v128.load32_zero(xl + xo + q), 1);
      v = v128.and(v, f32x4.eq(f32x4.sub(v, v), f32x4.splat(0)));
      v128.store32_lane(preL + (<usize>pw << 2), v, 0);
      v128.store32_lane(preR + (<usize>pw << 2), v, 1);
      const d = f64x2.promote_low_f32x4(v128.load32_lane(preR + (<usize>pr << 2), v128.load32_zero(preL + (<usize>pr << 2)), 1));
      pw = pw + 1 === preSize ? 0 : pw + 1;
      pr = pr + 1 === preSize ? 0 : pr + 1;
      // DC blocker: y = x − x1 + a·y1.
      const h = flush(f64x2.add(f64x2.sub(d, x1), f64x2.mul(dcA, y1)));
      x1 = d; y1 = h;
      v128.store64_lane(e + 8 * ROW, h, 0);
      v128.store64_lane(e + 9 * ROW, h, 1);
      f01 = shelf(g01, b01, c01, a01, v128.load32_lane(p1 + q, v128.load32_zero(p0 + q), 1), f01, e);
      f23 = shelf(g23, b23, c23, a23, v128.load32_lane(p3 + q, v128.load32_zero(p2 + q), 1), f23, e + 2 * ROW);
      f45 = shelf(g45, b45, c45, a45, v128.load32_lane(p5 + q, v128.load32_zero(p4 + q), 1), f45, e + 4 * ROW);
      f67 = shelf(g67, b67, c67, a67, v128.load32_lane(p7 + q, v128.load32_zero(p6 + q), 1), f67, e + 6 * ROW);
    }
    k += m;
    r0 = advance(r0, m, s0);
    r1 = advance(r1, m, s1);
    r2 = advance(r2, m, s2);
    r3 = advance(r3, m, s3);
    r4 = advance(r4, m, s4);
    r5 = advance(r5, m, s5);
    r6 = advance(r6, m, s6);
    r7 = advance(r7, m, s7);
  }
  v128.store(blk + FZ, f01); v128.store(blk + FZ, f23, 16); v128.store(blk + FZ, f45, 32); v128.store(blk + FZ, f67, 48);
  store<i32>(blk + PRE_POS, pw);
  v128.store(blk + DC_X, x1);
  v128.store(blk + DC_Y, y1);
}

/**
 * One frame of two lines (lanes): x = b0·(g·line) + z, flushed; z = b1·(g·line) − a1·x. Stores x in the
 * lines' rows at e, e + ROW; returns z.
 */
// @ts-ignore: decorator
@inline function shelf(g: v128, b0: v128, b1: v128, a1: v128, line: v128, z: v128, e: usize): v128 {
  const v = f64x2.mul(g, f64x2.promote_low_f32x4(line));
  const x = flush(f64x2.add(f64x2.mul(b0, v), z));
  v128.store64_lane(e, x, 0);
  v128.store64_lane(e + ROW, x, 1);
  return f64x2.sub(f64x2.mul(b1, v), f64x2.mul(a1, x));
}

/**
 * reverb.ts mixLines() and output() for c frames, two at a time, in runs between the write positions'
 * wraps: wet sums, Hadamard mix plus input into the lines, out = (1 − mix)·dry + mix·wet·OUT_SCALE.
 */
function mixStage(blk: usize, work: usize, xl: usize, xr: usize, yl: usize, yr: usize, mix: usize, stride: usize, c: i32): void {
  let p0 = load<i32>(blk + POS), p1 = load<i32>(blk + POS, 4), p2 = load<i32>(blk + POS, 8), p3 = load<i32>(blk + POS, 12);
  let p4 = load<i32>(blk + POS, 16), p5 = load<i32>(blk + POS, 20), p6 = load<i32>(blk + POS, 24), p7 = load<i32>(blk + POS, 28);
  const s0 = load<i32>(blk + SIZE), s1 = load<i32>(blk + SIZE, 4), s2 = load<i32>(blk + SIZE, 8), s3 = load<i32>(blk + SIZE, 12);
  const s4 = load<i32>(blk + SIZE, 16), s5 = load<i32>(blk + SIZE, 20), s6 = load<i32>(blk + SIZE, 24), s7 = load<i32>(blk + SIZE, 28);
  for (let k = 0; k < c;) {
    // Frames until the first write position wraps.
    let m = c - k;
    m = min(m, min(min(s0 - p0, s1 - p1), min(s2 - p2, s3 - p3)));
    m = min(m, min(min(s4 - p4, s5 - p5), min(s6 - p6, s7 - p7)));
    const w0 = at(blk, 0, p0), w1 = at(blk, 1, p1), w2 = at(blk, 2, p2), w3 = at(blk, 3, p3);
    const w4 = at(blk, 4, p4), w5 = at(blk, 5, p5), w6 = at(blk, 6, p6), w7 = at(blk, 7, p7);
    let i = 0;
    for (; i + 1 < m; i += 2) mixFrames(blk, work, xl, xr, yl, yr, mix, stride, k + i, w0, w1, w2, w3, w4, w5, w6, w7, <usize>i << 2, true);
    if (i < m) mixFrames(blk, work, xl, xr, yl, yr, mix, stride, k + i, w0, w1, w2, w3, w4, w5, w6, w7, <usize>i << 2, false);
    k += m;
    p0 = advance(p0, m, s0);
    p1 = advance(p1, m, s1);
    p2 = advance(p2, m, s2);
    p3 = advance(p3, m, s3);
    p4 = advance(p4, m, s4);
    p5 = advance(p5, m, s5);
    p6 = advance(p6, m, s6);
    p7 = advance(p7, m, s7);
  }
  store<i32>(blk + POS, p0); store<i32>(blk + POS, p1, 4); store<i32>(blk + POS, p2, 8); store<i32>(blk + POS, p3, 12);
  store<i32>(blk + POS, p4, 16); store<i32>(blk + POS, p5, 20); store<i32>(blk + POS, p6, 24); store<i32>(blk + POS, p7, 28);
}

/**
 * Frames k and k+1 of mixStage (only frame k unless `two`; lane 1 then reads slack past the data), the
 * lines written at w0..w7 + q.
 */
// @ts-ignore: decorator
@inline function mixFrames(blk: usize, work: usize, xl: usize, xr: usize, yl: usize, yr: usize, mix: usize, stride: usize, k: i32,
  w0: usize, w1: usize, w2: usize, w3: usize, w4: usize, w5: usize, w6: usize, w7: usize, q: usize, two: bool): void {
  const e = <usize>k << 3;
  const a0 = v128.load(work + e), a1 = v128.load(work + ROW + e), a2 = v128.load(work + 2 * ROW + e), a3 = v128.load(work + 3 * ROW + e);
  const a4 = v128.load(work + 4 * ROW + e), a5 = v128.load(work + 5 * ROW + e), a6 = v128.load(work + 6 * ROW + e), a7 = v128.load(work + 7 * ROW + e);
  // Σ ±o_j in line order from 0, as reverb.ts (x + (−y) is x − y exactly).
  const zero = f64x2.splat(0);
  const wl = f64x2.sub(f64x2.add(f64x2.sub(f64x2.add(f64x2.sub(f64x2.add(f64x2.sub(f64x2.add(zero, a0), a1), a2), a3), a4), a5), a6), a7);
  const wr = f64x2.sub(f64x2.sub(f64x2.add(f64x2.add(f64x2.sub(f64x2.sub(f64x2.add(f64x2.add(zero, a0), a1), a2), a3), a4), a5), a6), a7);
  // Butterflies: stride 1, 2, 4.
  const s0 = f64x2.add(a0, a1), s1 = f64x2.sub(a0, a1), s2 = f64x2.add(a2, a3), s3 = f64x2.sub(a2, a3);
  const s4 = f64x2.add(a4, a5), s5 = f64x2.sub(a4, a5), s6 = f64x2.add(a6, a7), s7 = f64x2.sub(a6, a7);
  const t0 = f64x2.add(s0, s2), t2 = f64x2.sub(s0, s2), t1 = f64x2.add(s1, s3), t3 = f64x2.sub(s1, s3);
  const t4 = f64x2.add(s4, s6), t6 = f64x2.sub(s4, s6), t5 = f64x2.add(s5, s7), t7 = f64x2.sub(s5, s7);
  const hs = f64x2.splat(load<f64>(blk + H));
  const hl = v128.load(work + 8 * ROW + e), hr = v128.load(work + 9 * ROW + e);
  store2(w0 + q, f64x2.add(f64x2.mul(hs, f64x2.add(t0, t4)), hl), two);
  store2(w1 + q, f64x2.add(f64x2.mul(hs, f64x2.add(t1, t5)), hr), two);
  store2(w2 + q, f64x2.add(f64x2.mul(hs, f64x2.add(t2, t6)), hl), two);
  store2(w3 + q, f64x2.add(f64x2.mul(hs, f64x2.add(t3, t7)), hr), two);
  store2(w4 + q, f64x2.add(f64x2.mul(hs, f64x2.sub(t0, t4)), hl), two);
  store2(w5 + q, f64x2.add(f64x2.mul(hs, f64x2.sub(t1, t5)), hr), two);
  store2(w6 + q, f64x2.add(f64x2.mul(hs, f64x2.sub(t2, t6)), hl), two);
  store2(w7 + q, f64x2.add(f64x2.mul(hs, f64x2.sub(t3, t7)), hr), two);
  // Output: ((1 − mix)·dry + mix·(wet·OUT_SCALE)), dry being the input with NaN, ±Inf as 0.
  const sc = f64x2.splat(load<f64>(blk + OUT_SCALE));
  const x = <usize>k << 2;
  const mk = mix + <usize>k * stride;
  const m = v128.load64_lane(mk + stride, v128.load64_zero(mk), 1);
  const om = f64x2.sub(f64x2.splat(1), m);
  const dl = finite(f64x2.promote_low_f32x4(v128.load64_zero(xl + x)));
  store2(yl + x, f64x2.add(f64x2.mul(om, dl), f64x2.mul(m, f64x2.mul(wl, sc))), two);
  if (yr !== 0) {
    const dr = finite(f64x2.promote_low_f32x4(v128.load64_zero(xr + x)));
    store2(yr + x, f64x2.add(f64x2.mul(om, dr), f64x2.mul(m, f64x2.mul(wr, sc))), two);
  }
}

/** x, or +0 where x is NaN or ±Infinity (kernels.ts finiteOrZero). */
// @ts-ignore: decorator
@inline function finite(x: v128): v128 {
  return v128.and(x, f64x2.eq(f64x2.sub(x, x), f64x2.splat(0)));
}

/** Frames k (and k+1 when `two`) of v (f64) as f32 to p (and p + 4). */
// @ts-ignore: decorator
@inline function store2(p: usize, v: v128, two: bool): void {
  const f = f32x4.demote_f64x2_zero(v);
  if (two) v128.store64_lane(p, f, 0);
  else v128.store32_lane(p, f, 0);
}
