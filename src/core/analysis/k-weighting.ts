/**
 * K-weighting filter design (ITU-R BS.1770-4/5, Annex 1) for any sample rate.
 *
 * BS.1770 publishes the two biquads only for 48 kHz. For other rates we design them from the analogue
 * prototype the 48 kHz table was derived from (the approach of libebur128 and pyloudnorm): a high-shelf
 * ("pre-filter", acoustic effect of the head) and a second-order high-pass (RLB weighting), each
 * discretised with the bilinear transform prewarped at its own centre frequency. At 48 kHz this reproduces
 * the published coefficients to ~1e-15. Known property (shared with libebur128): the bilinear transform
 * compresses frequency away from f0, and the RLB numerator kept as exactly (1, -2, 1) has a high-frequency
 * gain of 1 + K/Q + K² (+0.04 dB at 48 kHz, part of the standard; +0.26 dB at 8 kHz), so low rates
 * deviate from the 48 kHz response by up to ~0.26 dB (0.13 dB at 22.05 kHz); 1 kHz stays within 0.04 dB.
 */

import { cascadeMagnitudeDb } from '../dsp/biquad-design.js';

/** Biquad coefficients (b0,b1,b2,a1,a2; a0 = 1) of the two K-weighting stages designed for fs (8 kHz..384 kHz). */
export interface KWeightingCoefficients {
  shelf: [number, number, number, number, number];
  highpass: [number, number, number, number, number];
}

// Analogue prototype parameters fitted to the BS.1770 48 kHz table (values as published in libebur128
// and pyloudnorm; Brecht De Man, "Evaluation of implementations of the EBU R128 loudness measurement", 2014).
/** Shelf centre frequency, Hz. */
const SHELF_F0_HZ = 1681.974450955533;
/** Shelf high-frequency gain, dB (+4 dB). */
const SHELF_GAIN_DB = 3.999843853973347;
/** Shelf quality factor. */
const SHELF_Q = 0.7071752369554196;
/** Exponent giving the shelf's mid-band gain Vb = Vh^x from its high gain Vh (fitted; ≈ 0.5). */
const SHELF_VB_EXPONENT = 0.4996667741545416;
/** RLB high-pass corner frequency, Hz. */
const HIGHPASS_F0_HZ = 38.13547087602444;
/** RLB high-pass quality factor. */
const HIGHPASS_Q = 0.5003270373238773;

/**
 * Designs the two K-weighting biquads for a sample rate.
 * @param sampleRate sample rate in Hz (8000..384000; any positive rate above 2·1682 Hz works).
 * @returns the shelf and high-pass coefficients, each [b0, b1, b2, a1, a2] with a0 normalised to 1.
 * Reference: ITU-R BS.1770-5 Annex 1, Tables 1 and 2 (48 kHz values this design reproduces).
 */
export function designKWeighting(sampleRate: number): KWeightingCoefficients {
  // Stage 1: high shelf. K = tan(π f0 / fs) is the prewarped bilinear-transform frequency.
  let k = Math.tan((Math.PI * SHELF_F0_HZ) / sampleRate);
  const vh = Math.pow(10, SHELF_GAIN_DB / 20);
  const vb = Math.pow(vh, SHELF_VB_EXPONENT);
  let a0 = 1 + k / SHELF_Q + k * k;
  const shelf: [number, number, number, number, number] = [
    (vh + (vb * k) / SHELF_Q + k * k) / a0,
    (2 * (k * k - vh)) / a0,
    (vh - (vb * k) / SHELF_Q + k * k) / a0,
    (2 * (k * k - 1)) / a0,
    (1 - k / SHELF_Q + k * k) / a0,
  ];
  // Stage 2: RLB high-pass. BS.1770 gives the numerator as exactly (1, -2, 1) (unnormalised, so the
  // passband gain is 1/a0 of the normalised form ≈ 1.0; we keep the standard's convention).
  k = Math.tan((Math.PI * HIGHPASS_F0_HZ) / sampleRate);
  a0 = 1 + k / HIGHPASS_Q + k * k;
  const highpass: [number, number, number, number, number] = [
    1,
    -2,
    1,
    (2 * (k * k - 1)) / a0,
    (1 - k / HIGHPASS_Q + k * k) / a0,
  ];
  return { shelf, highpass };
}

/**
 * Power gains of the K-weighting filter at some frequencies: what K-weighting does to the bands of a
 * spectrum (loudness estimates from band levels). The design is evaluated, not approximated.
 * @param freqHz frequencies, Hz (0..sampleRate/2)
 * @param sampleRate sample rate, Hz
 * @returns |H(f)|² of both stages per frequency (linear power; about 1.17 at 1 kHz, 1.0 at 200 Hz, 0.5 near 40 Hz)
 */
export function kWeightingPowers(freqHz: readonly number[], sampleRate: number): number[] {
  const { shelf, highpass } = designKWeighting(sampleRate);
  return cascadeMagnitudeDb(Float64Array.from([...shelf, ...highpass]), freqHz, sampleRate).map((db) => Math.pow(10, db / 10));
}
