/**
 * BiquadCascade's stereo steady run through the WebAssembly kernel (assembly/kernels.ts: both channels
 * in one f64x2 lane pair, four sections per pass): about twice as fast as runCascadeStereo plus its
 * float32 conversions, and bit-identical to them (same arithmetic, same order; tested).
 *
 * The kernel runs only the non-identity sections and flushes their state below DENORMAL after each run,
 * as biquad-kernels.ts does. This wrapper then sets each identity section's state from the signal it saw
 * (the last two samples of the preceding section's output, or of the input). When any section's
 * state ends non-finite (overflow), it writes nothing and returns false: the JavaScript kernels then run
 * the block from the untouched state and apply their overflow rules.
 */
import { scratchRegions, wasmKernels } from '../wasm/kernels.js';
import { isIdentity, tiny } from './biquad-kernels.js';

/** Most frames per call: the kernel runs them in runs of `run` frames, as the JavaScript path would. */
export const WASM_MAX_FRAMES = 4096;
/** Most non-identity sections per call (more: the JavaScript path). */
const MAX_SECTIONS = 64;
/** Longest run (BiquadCascade's STEADY_CHUNK at most). */
const MAX_RUN = 256;

/** Per call: the non-identity sections' indices. */
const active = new Int32Array(MAX_SECTIONS);

const regions = scratchRegions((k) => ({
  coef: k.reserve(MAX_SECTIONS * 80), state: k.reserve(MAX_SECTIONS * 64),
  // The inputs have room for one more frame: the kernel converts pairs of frames.
  inL: k.reserve(WASM_MAX_FRAMES * 4 + 8), inR: k.reserve(WASM_MAX_FRAMES * 4 + 8),
  outL: k.reserve(WASM_MAX_FRAMES * 4), outR: k.reserve(WASM_MAX_FRAMES * 4),
  work: k.reserve(MAX_RUN * 16),
}));

/**
 * Runs sections 0..ns−1 (coefficients c, 5 per section) over frames [start, start+n) of inL/inR into
 * outL/outR (may be the inputs), with channel A's state at st[sa + 4s ..] and B's at st[sb + 4s ..], in
 * runs of `run` frames (state flushed after each, as runCascadeStereo per call).
 * @returns false when it did nothing (no kernels, an unsupported shape, or overflow): run the JavaScript path
 */
export function runCascadeStereoWasm(c: Float64Array, ns: number, st: Float64Array, sa: number, sb: number,
  inL: Float32Array, inR: Float32Array, outL: Float32Array, outR: Float32Array, start: number, n: number, run: number): boolean {
  if (n < 2 || n > WASM_MAX_FRAMES || run > MAX_RUN) return false;
  const k = wasmKernels();
  if (k === null) return false;
  let count = 0;
  for (let s = 0; s < ns; s++) {
    if (isIdentity(c, s * 5)) continue;
    if (count === MAX_SECTIONS) return false;
    active[count++] = s;
  }
  if (count === 0) return false;
  const r = regions(k);
  const f64 = k.f64, f32 = k.f32;
  for (let j = 0; j < count; j++) {
    const s = active[j];
    const co = (r.coef >> 3) + j * 10;
    for (let m = 0; m < 5; m++) f64[co + 2 * m] = f64[co + 2 * m + 1] = c[s * 5 + m];
    const so = (r.state >> 3) + j * 8;
    for (let m = 0; m < 4; m++) {
      f64[so + 2 * m] = st[sa + s * 4 + m];
      f64[so + 2 * m + 1] = st[sb + s * 4 + m];
    }
  }
  // Inputs in the kernels' memory (a mix worker's KernelArena) are read in place; the outputs always go
  // through scratch, so that an overflow leaves the inputs intact for the JavaScript path.
  let pL = r.inL, pR = r.inR;
  if (k.holds(inL) && k.holds(inR) && Math.min(inL.length, inR.length) >= start + n) {
    pL = inL.byteOffset + 4 * start;
    pR = inR.byteOffset + 4 * start;
  } else {
    f32.set(inL.subarray(start, start + n), r.inL >> 2);
    f32.set(inR.subarray(start, start + n), r.inR >> 2);
  }
  // Overflow: leave everything untouched for the JavaScript path and its rules (clearIfNonFinite).
  if (k.exports.cascadeStereo(r.coef, r.state, count, pL, pR, r.outL, r.outR, r.work, n, run) === 0) return false;
  // Store the state (the kernel flushed it, as storeState does), identity sections from the signal they saw.
  let j = 0;
  for (let s = 0; s < ns; s++) {
    for (let lane = 0; lane < 2; lane++) {
      const base = (lane === 0 ? sa : sb) + s * 4;
      if (j < count && active[j] === s) {
        const so = (r.state >> 3) + j * 8 + lane;
        st[base] = f64[so];
        st[base + 1] = f64[so + 2];
        st[base + 2] = f64[so + 4];
        st[base + 3] = f64[so + 6];
        continue;
      }
      let l1: number, l2: number;
      if (j > 0) {
        const so = (r.state >> 3) + (j - 1) * 8 + lane;
        l1 = f64[so + 4];
        l2 = f64[so + 6];
      } else {
        const x = lane === 0 ? inL : inR;
        l1 = x[start + n - 1];
        l2 = x[start + n - 2];
        if (!(l1 - l1 === 0)) l1 = 0;
        if (!(l2 - l2 === 0)) l2 = 0;
      }
      st[base] = st[base + 2] = tiny(l1);
      st[base + 1] = st[base + 3] = tiny(l2);
    }
    if (j < count && active[j] === s) j++;
  }
  outL.set(f32.subarray(r.outL >> 2, (r.outL >> 2) + n), start);
  outR.set(f32.subarray(r.outR >> 2, (r.outR >> 2) + n), start);
  return true;
}
