/**
 * The compressor's linked fast path for a stereo pair without lookahead or external sidechain
 * (compressor-linked.ts LinkedGain: targets() then apply()) through the WebAssembly kernel
 * (assembly/kernels.ts compressorLinked): the same arithmetic in the same order, with copies of
 * fastLog's and fastExp's tables, so the same bits (tested), at about half the cost. Two such compressors
 * on buffers in the kernels' memory can run as one pair kernel (linkedStereoPairWasm), their serial
 * smoothers side by side.
 */
import { scratchRegions, wasmKernels } from '../wasm/kernels.js';
import { DB_PER_NEPER, FLUSH_DB, kneeEdgeLevel, NEPER_PER_DB, type LinkedGain } from './compressor-linked.js';
import { MS_FLOOR } from './envelope-follower.js';
import { EXP_FRAC, EXP_POW2, fastExp, LN2_BY_N, LOG_C, LOG_R_SCALE, N_BY_LN2 } from './gain-computer.js';

/** Most frames per call (the compressor's blocks are at most this long, or run in pieces). */
const MAX_FRAMES = 4096;
const BLOCK_VALUES = 22;
/** Half the length of the multiplied-out exponential table (assembly/kernels.ts expPair). */
const EXP_DIRECT_HALF = 1 << 14;

const regions = scratchRegions((k) => {
  // fastExp's and fastLog's four tables are copied in; after them the kernel (compressorTables) fills
  // LOG_R_SCALE and LOG_C interleaved (scale, c per entry: one vector load per lane), and fastExp's two
  // table factors multiplied out (as fastExp multiplies them) for |n| < 2^14, so that the kernel reads one
  // value where fastExp reads two.
  const tables = [EXP_POW2, EXP_FRAC, LOG_C, LOG_R_SCALE];
  const derived = 2 * LOG_C.length + 2 * EXP_DIRECT_HALF;
  const tab = k.reserve((tables.reduce((a, t) => a + t.length, 0) + derived) * 8);
  const r = {
    blk: k.reserve(BLOCK_VALUES * 8), tab, inL: k.reserve(MAX_FRAMES * 4 + 8), inR: k.reserve(MAX_FRAMES * 4 + 8),
    outL: k.reserve(MAX_FRAMES * 4), outR: k.reserve(MAX_FRAMES * 4), work: k.reserve(MAX_FRAMES * 8 + 16),
    // linkedStereoPairWasm's second kernel and the eight buffer addresses
    blkB: k.reserve(BLOCK_VALUES * 8), workB: k.reserve(MAX_FRAMES * 8 + 16), io: k.reserve(8 * 4),
  };
  let at = tab >> 3;
  for (const t of tables) { k.f64.set(t, at); at += t.length; }
  k.exports.compressorTables(tab);
  return r;
});

/**
 * LinkedGain.targets(inL, inR, off, ·, n) then apply(·, ·, inL, inR, off, outL, outR, off, n) with the
 * kernel `g`'s settings and state (updated). The outputs may be the inputs.
 * @returns false when it did nothing (no kernels, too long a block): run the JavaScript kernel
 */
export function linkedStereoWasm(g: LinkedGain, inL: Float32Array, inR: Float32Array, outL: Float32Array, outR: Float32Array, off: number, n: number): boolean {
  if (n > MAX_FRAMES) return false;
  const k = wasmKernels();
  if (k === null) return false;
  const r = regions(k);
  const f64 = k.f64;
  const b = r.blk >> 3;
  loadBlock(f64, b, g);
  const end = off + n;
  if (k.holds(inL) && k.holds(inR) && k.holds(outL) && k.holds(outR) && Math.min(inL.length, inR.length, outL.length, outR.length) >= end) {
    // In the kernels' memory already (a mix worker's KernelArena): in place, no copies. The kernel reads
    // one frame past n for an odd n, which the arena's slack provides.
    const o = 4 * off;
    k.exports.compressorLinked(r.blk, r.tab, inL.byteOffset + o, inR.byteOffset + o, outL.byteOffset + o, outR.byteOffset + o, r.work, n);
    storeBlock(f64, b, g);
    return true;
  }
  const f32 = k.f32;
  f32.set(inL.subarray(off, off + n), r.inL >> 2);
  f32.set(inR.subarray(off, off + n), r.inR >> 2);
  k.exports.compressorLinked(r.blk, r.tab, r.inL, r.inR, r.outL, r.outR, r.work, n);
  storeBlock(f64, b, g);
  outL.set(f32.subarray(r.outL >> 2, (r.outL >> 2) + n), off);
  outR.set(f32.subarray(r.outR >> 2, (r.outR >> 2) + n), off);
  return true;
}

/** Writes the kernel `g`'s settings and state into the kernel block at f64 index b (the layout of assembly/kernels.ts compressorLinked). */
function loadBlock(f64: Float64Array, b: number, g: LinkedGain): void {
  const w = g.kneeDb;
  const power = g.power;
  // reductionTargets()'s derived values, computed as it computes them.
  f64[b] = g.thresholdDb; f64[b + 1] = g.slope; f64[b + 2] = w; f64[b + 3] = g.makeupDb;
  f64[b + 4] = power ? 1 : 0; f64[b + 5] = g.msGain; f64[b + 6] = g.up; f64[b + 7] = g.down;
  f64[b + 8] = g.reductionDb; f64[b + 9] = g.ms0; f64[b + 10] = g.ms1; f64[b + 11] = g.meterDb;
  f64[b + 12] = kneeEdgeLevel(g.thresholdDb, w, power);
  f64[b + 13] = power ? DB_PER_NEPER / 2 : DB_PER_NEPER;
  f64[b + 14] = w / 2;
  f64[b + 15] = w > 0 ? 1 / (2 * w) : 0;
  f64[b + 16] = fastExp(NEPER_PER_DB * g.makeupDb);
  f64[b + 17] = NEPER_PER_DB; f64[b + 18] = N_BY_LN2; f64[b + 19] = LN2_BY_N; f64[b + 20] = MS_FLOOR; f64[b + 21] = FLUSH_DB;
}

/** Reads the kernel's state back from the block at f64 index b into `g`. */
function storeBlock(f64: Float64Array, b: number, g: LinkedGain): void {
  g.reductionDb = f64[b + 8]; g.ms0 = f64[b + 9]; g.ms1 = f64[b + 10]; g.meterDb = f64[b + 11];
}

/**
 * linkedStereoWasm for two kernels at once, each on its own stereo buffers processed in place (a and b:
 * [left, right], frames [off, off + n)): the pair kernel, the same bits as two linkedStereoWasm calls.
 * Only for buffers in the kernels' memory (a mix worker's KernelArena).
 * @returns false when it did nothing (no kernels, too long a block, buffers elsewhere): process them apart
 */
export function linkedStereoPairWasm(ga: LinkedGain, gb: LinkedGain, a: readonly Float32Array[], b: readonly Float32Array[], off: number, n: number): boolean {
  if (n > MAX_FRAMES) return false;
  const k = wasmKernels();
  if (k === null) return false;
  const end = off + n;
  if (!k.holds(a[0]) || !k.holds(a[1]) || !k.holds(b[0]) || !k.holds(b[1]) || Math.min(a[0].length, a[1].length, b[0].length, b[1].length) < end) return false;
  const r = regions(k);
  const f64 = k.f64;
  loadBlock(f64, r.blk >> 3, ga);
  loadBlock(f64, r.blkB >> 3, gb);
  const io = r.io >> 2;
  const o = 4 * off;
  const i32 = k.i32;
  i32[io] = a[0].byteOffset + o; i32[io + 1] = a[1].byteOffset + o; i32[io + 2] = a[0].byteOffset + o; i32[io + 3] = a[1].byteOffset + o;
  i32[io + 4] = b[0].byteOffset + o; i32[io + 5] = b[1].byteOffset + o; i32[io + 6] = b[0].byteOffset + o; i32[io + 7] = b[1].byteOffset + o;
  k.exports.compressorLinkedPair(r.blk, r.blkB, r.tab, r.io, r.work, r.workB, n);
  storeBlock(f64, r.blk >> 3, ga);
  storeBlock(f64, r.blkB >> 3, gb);
  return true;
}
