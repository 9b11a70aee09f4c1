/**
 * The error types the API throws, and the input checks that raise them, importable without loading the
 * rest of the API (the CLI loads commands lazily).
 */
import { METER_MAX_RATE_HZ, METER_MIN_RATE_HZ } from '../core/analysis/meter-rates.js';
import { AudioFileError } from '../io/audio-reader.js';

export { AudioFileError };

/** Refuses, naming the file, a sample rate the loudness meter does not take (before any work on it). */
export function assertMeterableRate(file: string, sampleRate: number): void {
  if (!(sampleRate >= METER_MIN_RATE_HZ && sampleRate <= METER_MAX_RATE_HZ)) {
    throw new AudioFileError(file, `sample rate ${sampleRate} Hz: loudness measurement (BS.1770) works at ${METER_MIN_RATE_HZ}-${METER_MAX_RATE_HZ} Hz`, 'unsupported-rate');
  }
}
