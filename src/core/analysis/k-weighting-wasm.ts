/**
 * LoudnessMeter's stereo push through the WebAssembly kernel (assembly/kernels.ts kWeightPair: both
 * channels in one f64x2 lane pair, every 10 ms bin of a push in one call). The same expressions in the
 * same order as filterPair, segment by segment as push() would call it, so the same bits (tested), at
 * about a third of the cost. The meter plans the segments (kwPlan) and closes its bins from kwOut.
 */
import { scratchRegions, wasmKernels } from '../wasm/kernels.js';

/** Most frames per kernel call. */
export const KW_MAX_FRAMES = 1 << 16;
/** Most segments per kernel call (bins are at least 80 frames: 8 kHz). */
export const KW_MAX_SEGMENTS = 1024;
/** The plan of one call: segment lengths, and 1 where a segment closes a bin. */
export const kwSegments = new Int32Array(KW_MAX_SEGMENTS);
export const kwEnds = new Uint8Array(KW_MAX_SEGMENTS);
/** After a call: Σk² of channels a, b per segment that closed a bin (2j, 2j+1); the open bin's sums last (2·count). */
export const kwOut = new Float64Array(2 * KW_MAX_SEGMENTS + 2);
/** The kernel's block: 17 f64x2 slots and one f64 (see kWeightPair). */
const BLOCK_BYTES = 17 * 16 + 8;

const regions = scratchRegions((k) => ({
  block: k.reserve(BLOCK_BYTES), inA: k.reserve(KW_MAX_FRAMES * 4), inB: k.reserve(KW_MAX_FRAMES * 4),
  segs: k.reserve(KW_MAX_SEGMENTS * 4), ends: k.reserve(KW_MAX_SEGMENTS), out: k.reserve(KW_MAX_SEGMENTS * 16),
}));

/** Whether the kernel can run on this thread. */
export function kWeightWasmAvailable(): boolean {
  return wasmKernels() !== null;
}

/**
 * K-weights xa, xb [offset, offset + frames) in the `count` segments of kwSegments (summing to `frames`),
 * with the coefficients `coef` (sb0, sb1, sb2, sa1, sa2, ha1, ha2) and the state st[sa .. sa+5],
 * st[sb .. sb+5] (x1, x2, s1, s2, k1, k2: updated and flushed); starts Σk² from sums[ca], sums[cb] and
 * leaves the bins' sums in kwOut; adds the raw statistics to raw (max |x|, Σx, Σx² at 3c) and with
 * `cross` the sum Σ xa·xb to raw's last element.
 * @returns false when it did nothing (no kernels): run the JavaScript loop
 */
export function kWeightPairWasm(coef: Float64Array, st: Float64Array, sa: number, sb: number, sums: Float64Array, ca: number, cb: number,
  raw: Float64Array, cross: boolean, xa: Float32Array, xb: Float32Array, offset: number, frames: number, count: number): boolean {
  const k = wasmKernels();
  if (k === null || frames > KW_MAX_FRAMES || count > KW_MAX_SEGMENTS) return false;
  const r = regions(k);
  const f64 = k.f64;
  const b = r.block >> 3;
  for (let m = 0; m < 7; m++) f64[b + 2 * m] = f64[b + 2 * m + 1] = coef[m];
  for (let m = 0; m < 6; m++) {
    f64[b + 14 + 2 * m] = st[sa + m];
    f64[b + 15 + 2 * m] = st[sb + m];
  }
  f64[b + 26] = sums[ca]; f64[b + 27] = sums[cb];
  for (let m = 0; m < 3; m++) {
    f64[b + 28 + 2 * m] = raw[3 * ca + m];
    f64[b + 29 + 2 * m] = raw[3 * cb + m];
  }
  f64[b + 34] = cross ? raw[raw.length - 1] : 0;
  const f32 = k.f32;
  f32.set(xa.subarray(offset, offset + frames), r.inA >> 2);
  f32.set(xb.subarray(offset, offset + frames), r.inB >> 2);
  k.i32.set(kwSegments.subarray(0, count), r.segs >> 2);
  k.u8.set(kwEnds.subarray(0, count), r.ends);
  k.exports.kWeightPair(r.block, r.inA, r.inB, r.segs, r.ends, r.out, count);
  for (let m = 0; m < 6; m++) {
    st[sa + m] = f64[b + 14 + 2 * m];
    st[sb + m] = f64[b + 15 + 2 * m];
  }
  const o = r.out >> 3;
  for (let j = 0; j < count; j++) {
    if (kwEnds[j] === 0) continue;
    kwOut[2 * j] = f64[o + 2 * j];
    kwOut[2 * j + 1] = f64[o + 2 * j + 1];
  }
  kwOut[2 * count] = f64[b + 26];
  kwOut[2 * count + 1] = f64[b + 27];
  for (let m = 0; m < 3; m++) {
    raw[3 * ca + m] = f64[b + 28 + 2 * m];
    raw[3 * cb + m] = f64[b + 29 + 2 * m];
  }
  if (cross) raw[raw.length - 1] = f64[b + 34];
  return true;
}
