/**
 * A track group's post-fader outputs and sends through the WebAssembly kernel (assembly/kernels.ts
 * sendAdd): the group's partial sums are built in the kernel's memory, two frames per step, then copied
 * into the group memory once per block. The same products and the same order of additions per element as
 * MixRenderer.sendConstant, so the same bits (tested).
 */
import { wasmKernels, type WasmKernels } from '../wasm/kernels.js';

/** Most edges of one track through the kernel (more: the JavaScript path). */
export const MAX_SEND_EDGES = 64;

interface Scratch { kernels: WasmKernels; xL: number; xR: number; edges: number; partials: number; frames: number; dests: number }
let scratch: Scratch | null = null;

/** Scratch for `dests` destinations of `frames` frames (grown, never shrunk: module-level). */
function regions(k: WasmKernels, dests: number, frames: number): Scratch {
  if (scratch === null || scratch.kernels !== k || scratch.frames < frames || scratch.dests < dests) {
    const f = Math.max(frames, scratch?.kernels === k ? scratch.frames : 0);
    const d = Math.max(dests, scratch?.kernels === k ? scratch.dests : 0);
    scratch = {
      kernels: k, frames: f, dests: d,
      xL: k.reserve((f + 2) * 4), xR: k.reserve((f + 2) * 4), edges: k.reserve(MAX_SEND_EDGES * 32),
      partials: k.reserve(d * 2 * (f + 2) * 8),
    };
  }
  return scratch;
}

/** One group's sends for one block: begin, add each track in order, end. */
export class GroupSendsWasm {
  private s: Scratch | null = null;
  private stride = 0;
  private frames = 0;

  /**
   * Starts a block of n frames for `dests` destinations (partials zeroed).
   * @returns false when the kernels are unavailable: use the JavaScript path for the whole block
   */
  begin(dests: number, n: number): boolean {
    const k = wasmKernels();
    if (k === null) return false;
    const s = regions(k, dests, n);
    this.s = s;
    this.stride = s.frames + 2;
    this.frames = n;
    const f64 = k.f64;
    const p = s.partials >> 3;
    for (let d = 0; d < 2 * dests; d++) f64.fill(0, p + d * this.stride, p + d * this.stride + n + 1);
    return true;
  }

  /**
   * Adds a track: x (left, right: the same array twice for mono) times each edge's (gain, level) into its
   * destination. `table` holds `count` edges of 4 values: destination index, left gain, right gain, level.
   * @returns false for more than MAX_SEND_EDGES edges (nothing added)
   */
  add(xL: Float32Array, xR: Float32Array, table: Float64Array, count: number): boolean {
    if (count > MAX_SEND_EDGES) return false;
    const s = this.s!;
    const k = s.kernels;
    const n = this.frames;
    const f32 = k.f32;
    f32.set(xL.subarray(0, n), s.xL >> 2);
    f32.set(xR.subarray(0, n), s.xR >> 2);
    if (n & 1) { f32[(s.xL >> 2) + n] = 0; f32[(s.xR >> 2) + n] = 0; }
    k.f64.set(table.subarray(0, 4 * count), s.edges >> 3);
    k.exports.sendAdd(s.xL, s.xR, n, s.edges, count, s.partials, this.stride);
    return true;
  }

  /** Copies the partials out: dest d's channel c into partial[d][c][0, n). */
  end(partial: readonly (readonly Float64Array[])[]): void {
    const s = this.s!;
    const f64 = s.kernels.f64;
    const p = s.partials >> 3;
    const n = this.frames;
    for (let d = 0; d < partial.length; d++) {
      for (let c = 0; c < 2; c++) {
        const at = p + (2 * d + c) * this.stride;
        partial[d][c].set(f64.subarray(at, at + n));
      }
    }
    this.s = null;
  }
}
