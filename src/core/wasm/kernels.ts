/**
 * The WebAssembly kernels (assembly/kernels.ts), instantiated once per thread on first use. Callers keep
 * their JavaScript loop and use it whenever wasmKernels() returns null: no WebAssembly SIMD (an old
 * engine), a browser main thread that refuses to compile synchronously, or setWasmKernels(false) (tests
 * compare both paths; benchmarks measure both).
 *
 * Memory: callers reserve() fixed scratch regions once (offsets in bytes) and copy their data in and out
 * around each call; nothing is freed, so only module-level scratch should be reserved, never per object.
 */
import { KERNELS_WASM_BASE64 } from './kernels-binary.js';

interface Exports {
  memory: WebAssembly.Memory;
  scratchBase(): number;
  cascadeStereo(coef: number, st: number, count: number, inL: number, inR: number, outL: number, outR: number, work: number, n: number, run: number): number;
  kWeightPair(k: number, inA: number, inB: number, segs: number, ends: number, out: number, count: number): void;
  compressorLinked(blk: number, tab: number, inL: number, inR: number, outL: number, outR: number, work: number, n: number): number;
  compressorLinkedPair(blkA: number, blkB: number, tab: number, io: number, workA: number, workB: number, n: number): number;
  compressorTables(tab: number): void;
  sendGroup(xs: number, tracks: number, counts: number, edges: number, partials: number, stride: number, n: number, sub: number): void;
  int24Planar(src: number, frames: number, stereo: number, outL: number, outR: number): void;
  f32StereoPlanar(src: number, frames: number, outL: number, outR: number): void;
  int16StereoPlanar(src: number, frames: number, outL: number, outR: number): void;
  tpLoad(buf: number, x: number, hist: number, n: number): number;
  tpFeatures(buf: number, len: number, bd2: number, blocks: number, bx: number, from: number, groups: number): void;
  tpScan(buf: number, n: number, peak: number, bd2: number, bx: number, s2: number, bd6: number, tab: number, last: number): number;
  tpEvaluationCount(): number;
  reverbProcess(blk: number, xl: number, xr: number, yl: number, yr: number, mix: number, mixStride: number, work: number, n: number): void;
}

export class WasmKernels {
  private next: number;
  /*
   * Views of the memory (index = byte offset / element size). Only reserve() grows the memory (the
   * kernels allocate nothing), so it is the one place that renews them; read them after reserving.
   */
  f32!: Float32Array;
  f64!: Float64Array;
  i32!: Int32Array;
  u8!: Uint8Array;

  constructor(readonly exports: Exports) {
    this.next = exports.scratchBase();
    this.views();
  }

  /** Reserves `bytes` of scratch (16-byte aligned); returns its byte offset. Grows the memory as needed. */
  reserve(bytes: number): number {
    const at = this.next;
    this.next = (at + bytes + 15) & ~15;
    const mem = this.exports.memory;
    const need = this.next - mem.buffer.byteLength;
    if (need > 0) {
      mem.grow(Math.ceil(need / 65536));
      this.views(); // growing detached the old ones
    }
    return at;
  }

  /**
   * Grows the memory (once) so that `bytes` more can be reserved without growing it again: what keeps
   * views of the memory taken now (KernelArena) valid while scratch regions are reserved on first use.
   */
  ensureCapacity(bytes: number): void {
    const mem = this.exports.memory;
    const need = this.next + bytes - mem.buffer.byteLength;
    if (need > 0) {
      mem.grow(Math.ceil(need / 65536));
      this.views();
    }
  }

  /** Whether `x` is a view of this memory (as it is now): the kernels can then work on it in place. */
  holds(x: Float32Array): boolean {
    return x.buffer === this.exports.memory.buffer;
  }

  private views(): void {
    const b = this.exports.memory.buffer;
    this.f32 = new Float32Array(b);
    this.f64 = new Float64Array(b);
    this.i32 = new Int32Array(b);
    this.u8 = new Uint8Array(b);
  }
}

/**
 * A module's scratch regions: `reserveAll` reserves them on first use with a kernels instance, and the
 * same offsets come back afterwards (module-level, so reserved once per thread). Extra arguments (sizes)
 * reach `reserveAll` on that first use only.
 */
export function scratchRegions<T, A extends unknown[] = []>(reserveAll: (k: WasmKernels, ...args: A) => T): (k: WasmKernels, ...args: A) => T {
  let owner: WasmKernels | null = null;
  let regions: T | null = null;
  return (k, ...args) => {
    if (owner !== k || regions === null) {
      regions = reserveAll(k, ...args);
      owner = k;
    }
    return regions;
  };
}

let instance: WasmKernels | null | undefined;
let enabled = true;

/** The kernels, or null when WebAssembly SIMD is unavailable or they are switched off. */
export function wasmKernels(): WasmKernels | null {
  if (!enabled) return null;
  if (instance === undefined) instance = instantiate();
  return instance;
}

/** Switches the kernels on or off for this thread (off: every caller takes its JavaScript path). */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

/**
 * The module's bytes, decoded from the generated base64 by a table loop: start-up cost in every thread
 * (Uint8Array.from(atob(..)) with a per-byte callback took 6-8 ms in a fresh process, this well under 1).
 */
function moduleBytes(): Uint8Array<ArrayBuffer> {
  const s = KERNELS_WASM_BASE64;
  const table = new Uint8Array(128);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < s.length; i += 4) {
    const v = (table[s.charCodeAt(i)] << 18) | (table[s.charCodeAt(i + 1)] << 12) | (table[s.charCodeAt(i + 2)] << 6) | table[s.charCodeAt(i + 3)];
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

function fromModule(module: WebAssembly.Module): WasmKernels {
  // The engine's own Math.log and Math.exp, so the kernels' rare fallbacks give the JavaScript paths' bits.
  const imports = { kernels: { jsLog: Math.log, jsExp: Math.exp } };
  return new WasmKernels(new WebAssembly.Instance(module, imports).exports as unknown as Exports);
}

function instantiate(): WasmKernels | null {
  try {
    const bytes = moduleBytes();
    if (!WebAssembly.validate(bytes)) return null; // no SIMD in this engine
    return fromModule(new WebAssembly.Module(bytes));
  } catch {
    return null; // e.g. a browser main thread refusing synchronous compilation (modules over 4 KiB)
  }
}

/**
 * Compiles the kernels asynchronously, for a browser main thread (which refuses to compile modules over
 * 4 KiB synchronously, so wasmKernels() alone would leave it on the JavaScript paths). Node and workers
 * need no call. Resolves to whether the kernels are available.
 */
export async function loadWasmKernels(): Promise<boolean> {
  if (instance) return true;
  try {
    const bytes = moduleBytes();
    instance = WebAssembly.validate(bytes) ? fromModule(await WebAssembly.compile(bytes)) : null;
  } catch {
    instance = null;
  }
  return instance !== null;
}
