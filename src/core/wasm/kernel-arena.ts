/**
 * Float32 planar buffers inside the WebAssembly kernels' memory (kernels.ts), so that a chain of kernels
 * (decode, EQ, compressor, sends) works on them in place instead of copying each block in and out.
 *
 * Growing a WebAssembly memory detaches every view of it. The arena therefore leaves `headroom` bytes of
 * capacity for the scratch regions the kernels' wrappers reserve on first use, and renew() rebuilds its
 * views (in the arrays it handed out, so holders see them) when the memory grew anyway; stale() tells a
 * caller that it grew during its work (the mix renderer then stops with an error rather than write a mix
 * from detached views, which read as silence).
 */
import type { WasmKernels } from './kernels.js';

/** Slack after each buffer, in frames: the kernels read (and may write) one frame past a pair step. */
const SLACK_FRAMES = 2;

interface Planar { array: Float32Array[]; offsets: number[]; frames: number }

export class KernelArena {
  private readonly planars: Planar[] = [];
  private buffer: ArrayBufferLike | null = null;

  /**
   * @param headroom bytes the kernels' wrappers may still reserve on first use without growing the memory
   */
  constructor(private readonly kernels: WasmKernels, private readonly headroom: number) {}

  /** `channels` buffers of `frames` floats (each with slack after it), views of the kernels' memory. */
  planar(channels: number, frames: number): Float32Array[] {
    const offsets = Array.from({ length: channels }, () => this.kernels.reserve((frames + SLACK_FRAMES) * 4));
    const p: Planar = { array: [], offsets, frames };
    this.planars.push(p);
    this.kernels.ensureCapacity(this.headroom);
    this.renew();
    if (p.array.length === 0) views(p, this.buffer!);
    return p.array;
  }

  /**
   * Whether the memory grew since the last renew(): the views are detached. A detached view reads as
   * empty and ignores element writes, so a caller that finds this after some work must not trust it.
   */
  stale(): boolean {
    return this.kernels.exports.memory.buffer !== this.buffer;
  }

  /** Rebuilds every view when the memory has grown since the last call (cheap when it has not). */
  renew(): void {
    const b = this.kernels.exports.memory.buffer;
    if (b === this.buffer) return;
    this.buffer = b;
    for (const p of this.planars) views(p, b);
  }
}

function views(p: Planar, b: ArrayBufferLike): void {
  p.offsets.forEach((o, c) => { p.array[c] = new Float32Array(b, o, p.frames); });
}
