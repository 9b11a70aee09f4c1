/** Helpers of the tests that compare two paths bit for bit (the WebAssembly kernels and their JavaScript oracles). */

/** Deterministic uniform numbers in [0, 1) (a 32-bit LCG). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Index of the first element where a and b differ (Object.is: -0 and NaN count), or -1; 0 when the lengths differ. */
export function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
