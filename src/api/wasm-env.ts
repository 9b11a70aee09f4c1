/**
 * MIXMASTER_NO_WASM=1 switches the WebAssembly kernels off (core/wasm/kernels.ts): every hot loop then
 * runs its JavaScript version, which computes the same bits. A fallback should an engine misbehave, and
 * the benchmarks' baseline. Applied by the CLI and by each worker thread (threads have their own modules).
 */
import { setWasmKernels } from '../core/wasm/kernels.js';

export { setWasmKernels };

/** Applies MIXMASTER_NO_WASM to this thread. */
export function applyWasmEnv(): void {
  if (process.env.MIXMASTER_NO_WASM === '1') setWasmKernels(false);
}
