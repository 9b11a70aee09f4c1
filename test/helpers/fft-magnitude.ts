/** Test oracle: magnitude spectra by FFT (fft.js), for measuring filters from their impulse responses. */
import FFT from 'fft.js';

/** Magnitudes in dB of the FFT of a real signal of `size` samples (bins 1 .. size/2 − 1; bin 0 left 0). */
export function magnitudeDb(x: Float32Array | Float64Array, size: number): Float64Array {
  const f = new FFT(size);
  const out = f.createComplexArray() as number[];
  f.realTransform(out, Array.from(x));
  const m = new Float64Array(size / 2);
  for (let k = 1; k < size / 2; k++) m[k] = 10 * Math.log10(out[2 * k] ** 2 + out[2 * k + 1] ** 2);
  return m;
}
