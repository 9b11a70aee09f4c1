/**
 * The true-peak meter's per-sample passes through the WebAssembly kernels (assembly/kernels.ts tpLoad,
 * tpFeatures): the float32 → float64 copy of a chunk with its maximum |x| (the chunk-level bound), and the
 * 8-block maxima of |Δ²x| and |x| (bounds 0 and 1), two samples per instruction; and the scan itself
 * (tpScan: the bounds of each group, interval and phase, and the 32-tap filter where they fail). They
 * compute what TruePeakMeter's JavaScript loops compute, value for value; the meter keeps its history.
 */
import { scratchRegions, type WasmKernels } from '../wasm/kernels.js';

/** A chunk buffer in kernel memory (float64: history, then the chunk) and the kernels over it. */
export interface TruePeakChunk {
  /** View of the chunk buffer (valid until the kernel memory next grows: take a new chunk per push). */
  buf: Float64Array;
  /** Copies x[from .. from + n) after `hist` samples of history; returns max |buf| over history and chunk. */
  load(x: Float32Array, from: number, hist: number, n: number): number;
  /** Features of buf[0 .. len): |Δ²x| block maxima into bd2[0 .. blocks), |x| 8-block maxima from `from` into bx[0 .. groups). */
  features(len: number, blocks: number, bd2: Float64Array, from: number, groups: number, bx: Float64Array): void;
  /**
   * The features, then the meter's scan of the chunk's n intervals (scanGroups) with the meter's table
   * (TruePeakMeter.wasmTable: see tpScan): the chunk's new peak, starting from `peak`.
   */
  scan(len: number, blocks: number, from: number, groups: number, n: number, peak: number, table: Float64Array): number;
  /** Full-filter outputs the scans of this thread have computed so far. */
  evaluations(): number;
}

interface Regions {
  buf: number; x: number; bd2: number; bx: number; s2: number; bd6: number; table: number;
  bufLen: number; xLen: number; blocksLen: number;
  /** The meter table now in the table region (rewritten when a meter with another table scans). */
  written: Float64Array | null;
}

/** Most table values (factor 8, 32 taps: 8 + 2·(2·20 + 5) + 256 = 354). */
const TABLE_VALUES = 512;

const regions = scratchRegions((k, bufLen: number, xLen: number, blocksLen: number): Regions => ({
  bufLen, xLen, blocksLen, written: null,
  buf: k.reserve(bufLen * 8), x: k.reserve(xLen * 4), bd2: k.reserve(blocksLen * 8), bx: k.reserve(blocksLen * 8),
  s2: k.reserve(blocksLen * 8 * 8), bd6: k.reserve(blocksLen * 8), table: k.reserve(TABLE_VALUES * 8),
}));

/**
 * The kernels over this thread's chunk region, reserved on first use for the meter's sizes (every meter
 * uses the same ones).
 * @param bufLen float64 samples of history and chunk; xLen float32 samples of a chunk; blocksLen 8-blocks
 */
export function truePeakChunk(k: WasmKernels, bufLen: number, xLen: number, blocksLen: number): TruePeakChunk {
  const r = regions(k, bufLen, xLen, blocksLen);
  if (r.bufLen < bufLen || r.xLen < xLen || r.blocksLen < blocksLen) throw new RangeError('truePeakChunk: sizes changed');
  const buf = new Float64Array(k.exports.memory.buffer, r.buf, bufLen);
  const f32 = k.f32;
  const f64 = k.f64;
  const e = k.exports;
  return {
    buf,
    load(x, from, hist, n) {
      f32.set(x.subarray(from, from + n), r.x >> 2);
      return e.tpLoad(r.buf, r.x, hist, n);
    },
    features(len, blocks, bd2, from, groups, bx) {
      e.tpFeatures(r.buf, len, r.bd2, blocks, r.bx, from, groups);
      bd2.set(f64.subarray(r.bd2 >> 3, (r.bd2 >> 3) + blocks));
      bx.set(f64.subarray(r.bx >> 3, (r.bx >> 3) + groups));
    },
    scan(len, blocks, from, groups, n, peak, table) {
      if (table.length > TABLE_VALUES) throw new RangeError('truePeakChunk: table too long');
      if (r.written !== table) {
        f64.set(table, r.table >> 3);
        r.written = table;
      }
      e.tpFeatures(r.buf, len, r.bd2, blocks, r.bx, from, groups);
      return e.tpScan(r.buf, n, peak, r.bd2, r.bx, r.s2, r.bd6, r.table, len - 1);
    },
    evaluations: () => e.tpEvaluationCount(),
  };
}
