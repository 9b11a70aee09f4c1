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
  sendGroup(xs: number, xStride: number, tracks: number, counts: number, edges: number, partials: number, stride: number, n: number, sub: number): void;
  int24Planar(src: number, frames: number, stereo: number, outL: number, outR: number): void;
}

export class WasmKernels {
  private next: number;
  private buffer: ArrayBuffer;
  private f32View: Float32Array;
  private f64View: Float64Array;
  private u8View: Uint8Array;
  private i32View: Int32Array;

  constructor(readonly exports: Exports) {
    this.next = exports.scratchBase();
    this.buffer = exports.memory.buffer;
    this.f32View = new Float32Array(this.buffer);
    this.f64View = new Float64Array(this.buffer);
    this.u8View = new Uint8Array(this.buffer);
    this.i32View = new Int32Array(this.buffer);
  }

  /** Reserves `bytes` of scratch (16-byte aligned); returns its byte offset. Grows the memory as needed. */
  reserve(bytes: number): number {
    const at = this.next;
    this.next = (at + bytes + 15) & ~15;
    const mem = this.exports.memory;
    const need = this.next - mem.buffer.byteLength;
    if (need > 0) mem.grow(Math.ceil(need / 65536));
    return at;
  }

  /** The memory as float32 (index = byte offset / 4); a fresh view after the memory grew. */
  get f32(): Float32Array {
    if (this.exports.memory.buffer !== this.buffer) this.refresh();
    return this.f32View;
  }

  /** The memory as float64 (index = byte offset / 8). */
  get f64(): Float64Array {
    if (this.exports.memory.buffer !== this.buffer) this.refresh();
    return this.f64View;
  }

  /** The memory as int32 (index = byte offset / 4). */
  get i32(): Int32Array {
    if (this.exports.memory.buffer !== this.buffer) this.refresh();
    return this.i32View;
  }

  /** The memory as bytes. */
  get u8(): Uint8Array {
    if (this.exports.memory.buffer !== this.buffer) this.refresh();
    return this.u8View;
  }

  private refresh(): void {
    this.buffer = this.exports.memory.buffer;
    this.f32View = new Float32Array(this.buffer);
    this.f64View = new Float64Array(this.buffer);
    this.u8View = new Uint8Array(this.buffer);
    this.i32View = new Int32Array(this.buffer);
  }
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

/** The module's bytes (the generated base64). */
function moduleBytes(): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(KERNELS_WASM_BASE64), (ch) => ch.charCodeAt(0));
}

function fromModule(module: WebAssembly.Module): WasmKernels {
  // The engine's own Math.log and Math.exp, so the kernels' rare fallbacks give the JavaScript paths' bits.
  const imports = { kernels: { jsLog: Math.log, jsExp: Math.exp }, env: { abort: () => { throw new Error('wasm kernel abort'); } } };
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
