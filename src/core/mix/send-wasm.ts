/**
 * A track group's post-fader outputs and sends through the WebAssembly kernel (assembly/kernels.ts
 * sendGroup): the tracks' outputs are read where they are when they live in the kernel's memory
 * (KernelArena), else copied there; the group's partial sums are built there (sub-block by sub-block, two
 * frames per step), then copied into the group memory once per block.
 * The same products and the same order of additions per element as MixRenderer.sendConstant, so the
 * same bits (tested).
 */
import { wasmKernels, type WasmKernels } from '../wasm/kernels.js';

/** Most edges of one track through the kernel (more: the JavaScript path). */
export const MAX_SEND_EDGES = 64;

interface Scratch { kernels: WasmKernels; frames: number; dests: number; tracks: number; xs: number; ptrs: number; counts: number; edges: number; partials: number }
let scratch: Scratch | null = null;

/**
 * Reserves now the scratch of groups of up to `dests` destinations and `tracks` tracks, blocks of up to
 * `frames`: later blocks then reserve nothing (what KernelArena's views need).
 */
export function reserveSendScratch(dests: number, tracks: number, frames: number): void {
  const k = wasmKernels();
  if (k !== null) regions(k, dests, tracks, frames);
}

/** Scratch for the given sizes (grown, never shrunk: module-level). */
function regions(k: WasmKernels, dests: number, tracks: number, frames: number): Scratch {
  const s = scratch !== null && scratch.kernels === k ? scratch : null;
  if (s && s.frames >= frames && s.dests >= dests && s.tracks >= tracks) return s;
  const f = Math.max(frames, s?.frames ?? 0), d = Math.max(dests, s?.dests ?? 0), t = Math.max(tracks, s?.tracks ?? 0);
  scratch = {
    kernels: k, frames: f, dests: d, tracks: t,
    xs: k.reserve(t * 2 * (f + 2) * 4), ptrs: k.reserve(t * 8), counts: k.reserve(t * 4), edges: k.reserve(t * MAX_SEND_EDGES * 32),
    partials: k.reserve(d * 2 * (f + 2) * 8),
  };
  return scratch;
}

/** One group's sends for one block: begin, add each track in order, end. */
export class GroupSendsWasm {
  private s: Scratch | null = null;
  private frames = 0;
  private dests = 0;
  private tracks = 0;
  private edgeCount = 0;

  /**
   * Starts a block of n frames for at most `tracks` tracks and `dests` destinations.
   * @returns false when the kernels are unavailable: use the JavaScript path for the whole block
   */
  begin(dests: number, tracks: number, n: number): boolean {
    const k = wasmKernels();
    if (k === null) return false;
    this.s = regions(k, dests, tracks, n);
    this.frames = n;
    this.dests = dests;
    this.tracks = 0;
    this.edgeCount = 0;
    return true;
  }

  /**
   * Adds a track: x (left, right: the same array twice for mono) times each edge's (gain, level) into its
   * destination. `table` holds `count` (at most MAX_SEND_EDGES) edges of 4 values: destination index,
   * left gain, right gain, level.
   */
  add(xL: Float32Array, xR: Float32Array, table: Float64Array, count: number): void {
    const s = this.s!;
    const k = s.kernels;
    const n = this.frames;
    const ptr = (s.ptrs >> 2) + 2 * this.tracks;
    if (k.holds(xL) && k.holds(xR) && Math.min(xL.length, xR.length) >= n) {
      // In place (the pair step's extra frame is read from the arena's slack; its sum is never copied out).
      k.i32[ptr] = xL.byteOffset;
      k.i32[ptr + 1] = xR.byteOffset;
    } else {
      const row = s.frames + 2;
      const at = (s.xs >> 2) + this.tracks * 2 * row;
      const f32 = k.f32;
      f32.set(xL.subarray(0, n), at);
      f32.set(xR.subarray(0, n), at + row);
      f32[at + n] = 0; // the pair step's extra frame
      f32[at + row + n] = 0;
      k.i32[ptr] = at << 2;
      k.i32[ptr + 1] = (at + row) << 2;
    }
    k.i32[(s.counts >> 2) + this.tracks] = count;
    k.f64.set(table.subarray(0, 4 * count), (s.edges >> 3) + 4 * this.edgeCount);
    this.tracks++;
    this.edgeCount += count;
  }

  /** Runs the kernel and copies the partials out: dest d's channel c into partial[d][c][0, n). */
  end(partial: readonly (readonly Float64Array[])[], sub: number): void {
    const s = this.s!;
    const k = s.kernels;
    const n = this.frames;
    const stride = s.frames + 2;
    const p = s.partials >> 3;
    const f64 = k.f64;
    for (let d = 0; d < 2 * this.dests; d++) f64.fill(0, p + d * stride, p + d * stride + n + 1);
    k.exports.sendGroup(s.ptrs, this.tracks, s.counts, s.edges, s.partials, stride, n, sub);
    for (let d = 0; d < partial.length; d++) {
      for (let c = 0; c < 2; c++) {
        const from = p + (2 * d + c) * stride;
        partial[d][c].set(f64.subarray(from, from + n));
      }
    }
    this.s = null;
  }
}
