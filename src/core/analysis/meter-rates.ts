/** Sample rates the loudness meter (and so every analysis) takes, Hz: K-weighting's shelf at 1.68 kHz needs a Nyquist above it, with room. */
export const METER_MIN_RATE_HZ = 8000;
export const METER_MAX_RATE_HZ = 384000;
