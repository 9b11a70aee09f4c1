/**
 * Interleaved PCM to float32 planar through the WebAssembly kernels (assembly/kernels.ts): 24-bit mono
 * and stereo (int24Planar: four samples per 16-byte load, split into channels by shuffles), float32 and
 * 16-bit stereo (f32StereoPlanar, int16StereoPlanar). The same values as the JavaScript conversions
 * (exact in float32; tested), several times faster. Data goes in through one scratch region, CALL_FRAMES
 * at a time, and out through it too unless the output already lives in the kernels' memory.
 */
import { scratchRegions, wasmKernels, type WasmKernels } from '../core/wasm/kernels.js';

/** Frames per kernel call. */
const CALL_FRAMES = 8192;

const regions = scratchRegions((k) => ({
  src: k.reserve(CALL_FRAMES * 8 + 16), outL: k.reserve(CALL_FRAMES * 4), outR: k.reserve(CALL_FRAMES * 4),
}));

/** One kernel call; module-level functions, so a conversion (per block and track in a mix) allocates nothing. */
type Kernel = (k: WasmKernels, src: number, n: number, outL: number, outR: number, stereo: boolean) => void;

const int24: Kernel = (k, s, n, l, r, stereo) => k.exports.int24Planar(s, n, stereo ? 1 : 0, l, r);
const f32Stereo: Kernel = (k, s, n, l, r) => k.exports.f32StereoPlanar(s, n, l, r);
const int16Stereo: Kernel = (k, s, n, l, r) => k.exports.int16StereoPlanar(s, n, l, r);

/**
 * Runs `kernel` over `frames` frames of `bytesPerFrame` interleaved bytes from bytes[byteStart], into
 * out[0] (and out[1] when `stereo`) from `off`.
 * @returns false when the kernels are unavailable (nothing written)
 */
function convert(kernel: Kernel, bytesPerFrame: number, stereo: boolean, bytes: Uint8Array, byteStart: number, frames: number, out: readonly Float32Array[], off: number): boolean {
  const k = wasmKernels();
  if (k === null) return false;
  const r = regions(k);
  // Outputs in the kernels' memory (a mix worker's KernelArena) are written in place (when they are long
  // enough: the kernel does not check, and the copy below throws instead of writing past them).
  const end = off + frames;
  const inPlace = k.holds(out[0]) && out[0].length >= end && (!stereo || (k.holds(out[1]) && out[1].length >= end));
  for (let done = 0; done < frames;) {
    const n = Math.min(CALL_FRAMES, frames - done);
    const from = byteStart + done * bytesPerFrame;
    k.u8.set(bytes.subarray(from, from + n * bytesPerFrame), r.src);
    if (inPlace) {
      kernel(k, r.src, n, out[0].byteOffset + 4 * (off + done), stereo ? out[1].byteOffset + 4 * (off + done) : r.outR, stereo);
    } else {
      kernel(k, r.src, n, r.outL, r.outR, stereo);
      const f32 = k.f32;
      out[0].set(f32.subarray(r.outL >> 2, (r.outL >> 2) + n), off + done);
      if (stereo) out[1].set(f32.subarray(r.outR >> 2, (r.outR >> 2) + n), off + done);
    }
    done += n;
  }
  return true;
}

/** 24-bit, `channels` 1 or 2 (else false). */
export function int24PlanarWasm(bytes: Uint8Array, byteStart: number, frames: number, channels: number, out: readonly Float32Array[], off: number): boolean {
  if (channels > 2) return false;
  return convert(int24, 3 * channels, channels === 2, bytes, byteStart, frames, out, off);
}

/** Float32 stereo. */
export function f32StereoPlanarWasm(bytes: Uint8Array, byteStart: number, frames: number, out: readonly Float32Array[], off: number): boolean {
  return convert(f32Stereo, 8, true, bytes, byteStart, frames, out, off);
}

/** 16-bit stereo. */
export function int16StereoPlanarWasm(bytes: Uint8Array, byteStart: number, frames: number, out: readonly Float32Array[], off: number): boolean {
  return convert(int16Stereo, 4, true, bytes, byteStart, frames, out, off);
}
