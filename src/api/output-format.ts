/** Output format from the file extension and --bit-depth (shared/DESIGN.md "Common" options). */
import { extname } from 'node:path';
import { AudioFileError } from '../io/audio-reader.js';
import { encodedFormatOf } from '../io/encoders.js';

export type BitDepth = '16' | '24' | '32f';
export type WavSampleFormat = 'pcm16' | 'pcm24' | 'float32';

/** Maps a bit depth to the WAV sample format. */
export function wavSampleFormat(bits: BitDepth): WavSampleFormat {
  return bits === '16' ? 'pcm16' : bits === '24' ? 'pcm24' : 'float32';
}

/** Refuses an output extension we cannot write (before any work is done): .wav, .flac or .mp3 (io/encoders.ts). */
export function assertWritableFormat(output: string): void {
  if (encodedFormatOf(output)) return;
  throw new AudioFileError(output, `cannot write ${extname(output) || 'files without an extension'} (use .wav, .flac or .mp3)`, 'unsupported-output');
}

/** Options every command that renders an output file shares (process, mix). */
export interface RenderOptions {
  /** Overwrite an existing output (refused otherwise). */
  force?: boolean;
  /** Treat a truncated input as an error instead of a warning. */
  strict?: boolean;
  /** Output bit depth (default: 16 when the source is 16-bit PCM, else 24). */
  bitDepth?: BitDepth;
  /**
   * TPDF dither when quantizing to 16/24-bit PCM (default true). false rounds instead: for material
   * already on the output's grid (a unity pass of 16-bit stems to 16 bits stays bit-for-bit).
   */
  dither?: boolean;
  /** Output sample rate in Hz (sources are resampled); default: the source's. */
  sampleRate?: number;
  /** Analyze the output (for --json). Default false. */
  analyze?: boolean;
  /** Frames per processing block (any size gives the same result). */
  blockFrames?: number;
  /** Called after each block with frames done and the total (null when unknown). */
  onProgress?: (file: string, framesDone: number, framesTotal: number | null) => void;
}
