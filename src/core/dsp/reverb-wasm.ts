/**
 * Reverb.process() through the WebAssembly kernel (assembly/reverb-kernels.ts): the same arithmetic in
 * the same order, so the same bits and state (tested), in about a third of the time.
 *
 * Where the state lives: the delay lines and pre-delay rings (about 250 KB at 48 kHz) stay in the
 * kernels' memory for the reverb's life (ReverbRings), because copying them in and out around each call
 * would cost more than the kernel saves; the JavaScript path works on views of the same memory, so either
 * path can run any block. Growing the memory (WasmKernels.reserve) detaches those views but keeps their
 * contents, so the reverb renews them before each use, and everything is reserved in prepare(), never in
 * process() (a mix worker's KernelArena forbids growth mid-block). The kernels' memory is never freed, so
 * a ring region returns to a free list when its ReverbRings is garbage collected, for the next reverb
 * prepared at the same rate. The small state (coefficients, filter states, positions, DC blocker) is
 * copied per call into the reverb's kernel block, at the start of its region.
 */
import { scratchRegions, wasmKernels, type WasmKernels } from '../wasm/kernels.js';
import type { LinearRamp } from './gain.js';

/** The Reverb fields the kernel reads and updates (reverb.ts; per line unless noted). */
export interface ReverbState {
  /** Delay length and write position, frames. */
  readonly lens: Int32Array;
  readonly pos: Int32Array;
  /** Loss per pass, then the absorption shelf's coefficients and state (transposed DF2). */
  readonly gain: Float64Array;
  readonly b0: Float64Array;
  readonly b1: Float64Array;
  readonly a1: Float64Array;
  readonly fz: Float64Array;
  /** DC blocker: pole, and [left, right] last input and output. */
  readonly dcCoef: number;
  readonly dcX: Float64Array;
  readonly dcY: Float64Array;
  /** Pre-delay, frames, and the rings' write position. */
  readonly preLen: number;
  prePos: number;
  /** Dry/wet, advanced one step per frame. */
  readonly mix: LinearRamp;
}

const N = 8;
/** Longest call to the kernel (longer blocks run in pieces: the chunking never changes a bit). */
const MAX_FRAMES = 4096;
/** reverb-kernels.ts: block layout (bytes) and work area (10 rows of CHUNK + 2 f64). */
const BLOCK_BYTES = 544;
const F64 = { gain: 0, b0: 8, b1: 16, a1: 24, fz: 32, dcX: 40, dcY: 42, dcA: 44, h: 45, outScale: 46 };
const I32 = { pos: 96, len: 104, size: 112, line: 120, preL: 128, preR: 129, preSize: 130, preLen: 131, prePos: 132 };
const WORK_BYTES = 10 * 258 * 8;

const regions = scratchRegions((k) => ({
  work: k.reserve(WORK_BYTES),
  // Inputs and the mix values have a frame of slack: the kernel reads one past an odd count.
  xl: k.reserve((MAX_FRAMES + 2) * 4), xr: k.reserve((MAX_FRAMES + 2) * 4),
  yl: k.reserve(MAX_FRAMES * 4), yr: k.reserve(MAX_FRAMES * 4), mix: k.reserve((MAX_FRAMES + 2) * 8),
}));

/** A region of the kernels' memory (byte offset, length). */
export interface Region { kernels: WasmKernels; at: number; bytes: number }
/** Regions of collected ReverbRings, free for reuse. */
const free: Region[] = [];
const collected = new FinalizationRegistry<Region>((r) => { free.push(r); });

/** A reverb's delay lines and pre-delay rings (float32) in the kernels' memory, and its kernel block. */
export class ReverbRings {
  /** Views of the memory, renewed in place by renew() (so holders of these arrays see the new ones). */
  readonly lines: Float32Array[] = [];
  readonly pre: Float32Array[] = [];
  /** Byte offsets of the lines, then of the two pre-delay rings. */
  readonly offsets: number[] = [];
  /** Byte offset of the kernel block (reverb-kernels.ts); its constant part is written here, once. */
  readonly block: number;
  private buffer: ArrayBufferLike | null = null;

  constructor(readonly kernels: WasmKernels, readonly region: Region, readonly sizes: readonly number[], readonly preSize: number) {
    this.block = region.at;
    let at = region.at + BLOCK_BYTES;
    for (const n of [...sizes, preSize, preSize]) {
      this.offsets.push(at);
      at += (n * 4 + 15) & ~15;
    }
    const f64 = kernels.f64, i32 = kernels.i32;
    const b = this.block >> 3, bi = this.block >> 2;
    f64[b + F64.h] = 1 / Math.sqrt(N); // reverb.ts mixLines()'s h and OUT_SCALE, computed as it does
    f64[b + F64.outScale] = 1 / Math.sqrt(N);
    for (let j = 0; j < N; j++) {
      i32[bi + I32.size + j] = sizes[j];
      i32[bi + I32.line + j] = this.offsets[j];
    }
    i32[bi + I32.preL] = this.offsets[N]; i32[bi + I32.preR] = this.offsets[N + 1]; i32[bi + I32.preSize] = preSize;
    this.renew();
  }

  /** Rebuilds the views when the memory has grown since the last call (cheap when it has not). */
  renew(): void {
    const b = this.kernels.exports.memory.buffer;
    if (b === this.buffer) return;
    this.buffer = b;
    this.sizes.forEach((n, j) => { this.lines[j] = new Float32Array(b, this.offsets[j], n); });
    for (let c = 0; c < 2; c++) this.pre[c] = new Float32Array(b, this.offsets[N + c], this.preSize);
  }
}

/**
 * Rings for a reverb being prepared: `old` when it has these sizes, else a free region or a new one.
 * Also reserves the kernel's scratch, so that process() never grows the memory.
 * @returns null without the kernels: the reverb keeps its rings in plain arrays and runs the JavaScript path
 */
export function reverbRings(old: ReverbRings | null, sizes: ArrayLike<number>, preSize: number): ReverbRings | null {
  const k = wasmKernels();
  if (k === null) return null;
  const s = Array.from(sizes);
  if (old !== null && old.kernels === k && old.preSize === preSize && s.every((n, j) => n === old.sizes[j])) return old;
  regions(k);
  const bytes = [...s, preSize, preSize].reduce((a, n) => a + ((n * 4 + 15) & ~15), BLOCK_BYTES);
  const i = free.findIndex((r) => r.kernels === k && r.bytes >= bytes);
  const region = i >= 0 ? free.splice(i, 1)[0] : { kernels: k, at: k.reserve(bytes), bytes };
  const rings = new ReverbRings(k, region, s, preSize);
  collected.register(rings, region);
  return rings;
}

/**
 * Reverb.process()'s first two channels through the kernel: frames [0, n) of xl, xr (xr may be xl) into
 * yl and yr (null: mono; the outputs may be the inputs), with the state `st` and the rings (updated).
 * @returns false when it did nothing (kernels switched off): run the JavaScript path
 */
export function reverbProcessWasm(st: ReverbState, rings: ReverbRings, xl: Float32Array, xr: Float32Array, yl: Float32Array, yr: Float32Array | null, n: number): boolean {
  const k = wasmKernels();
  if (k !== rings.kernels) return false;
  const r = regions(k);
  const f64 = k.f64, f32 = k.f32, i32 = k.i32;
  const b = rings.block >> 3, bi = rings.block >> 2;
  // The block's settings and state (plain loops: a call per small array costs more at short blocks).
  for (let j = 0; j < N; j++) {
    f64[b + F64.gain + j] = st.gain[j]; f64[b + F64.b0 + j] = st.b0[j]; f64[b + F64.b1 + j] = st.b1[j];
    f64[b + F64.a1 + j] = st.a1[j]; f64[b + F64.fz + j] = st.fz[j];
    i32[bi + I32.pos + j] = st.pos[j]; i32[bi + I32.len + j] = st.lens[j];
  }
  f64[b + F64.dcX] = st.dcX[0]; f64[b + F64.dcX + 1] = st.dcX[1]; f64[b + F64.dcY] = st.dcY[0]; f64[b + F64.dcY + 1] = st.dcY[1];
  f64[b + F64.dcA] = st.dcCoef;
  i32[bi + I32.preLen] = st.preLen; i32[bi + I32.prePos] = st.prePos;
  const mono = xr === xl;
  for (let off = 0; off < n; off += MAX_FRAMES) {
    const m = Math.min(MAX_FRAMES, n - off);
    copyIn(f32, r.xl >> 2, xl, off, m);
    if (!mono) copyIn(f32, r.xr >> 2, xr, off, m);
    // The mix per frame while it ramps (output()'s mix.next() calls), else one value (stride 0).
    let stride = 0;
    if (st.mix.isRamping) {
      const mx = r.mix >> 3;
      for (let i = 0; i < m; i++) f64[mx + i] = st.mix.next();
      stride = 8;
    } else {
      f64[r.mix >> 3] = st.mix.value;
    }
    k.exports.reverbProcess(rings.block, r.xl, mono ? r.xl : r.xr, r.yl, yr === null ? 0 : r.yr, r.mix, stride, r.work, m);
    copyOut(f32, r.yl >> 2, yl, off, m);
    if (yr !== null) copyOut(f32, r.yr >> 2, yr, off, m);
  }
  for (let j = 0; j < N; j++) {
    st.fz[j] = f64[b + F64.fz + j];
    st.pos[j] = i32[bi + I32.pos + j];
  }
  st.dcX[0] = f64[b + F64.dcX]; st.dcX[1] = f64[b + F64.dcX + 1]; st.dcY[0] = f64[b + F64.dcY]; st.dcY[1] = f64[b + F64.dcY + 1];
  st.prePos = i32[bi + I32.prePos];
  return true;
}

/** Below this many frames a copy loop beats subarray() and set() (an allocation and a call). */
const LOOP_COPY = 64;

/** x[off, off + m) to f32[at ..]. */
function copyIn(f32: Float32Array, at: number, x: Float32Array, off: number, m: number): void {
  if (m < LOOP_COPY) for (let i = 0; i < m; i++) f32[at + i] = x[off + i];
  else f32.set(x.subarray(off, off + m), at);
}

/** f32[at, at + m) to y[off ..]. */
function copyOut(f32: Float32Array, at: number, y: Float32Array, off: number, m: number): void {
  if (m < LOOP_COPY) for (let i = 0; i < m; i++) y[off + i] = f32[at + i];
  else y.set(f32.subarray(at, at + m), off);
}
