/** Output format from the file extension and --bit-depth (shared/DESIGN.md "Common" options). */
import { extname } from 'node:path';
import { AudioFileError } from '../io/audio-reader.js';

export type BitDepth = '16' | '24' | '32f';
export type WavSampleFormat = 'pcm16' | 'pcm24' | 'float32';

/** Maps a bit depth to the WAV sample format. */
export function wavSampleFormat(bits: BitDepth): WavSampleFormat {
  return bits === '16' ? 'pcm16' : bits === '24' ? 'pcm24' : 'float32';
}

/** Refuses an output extension we cannot write (before any work is done). */
export function assertWritableFormat(output: string): void {
  const ext = extname(output).toLowerCase();
  if (ext === '.wav') return;
  throw new AudioFileError(output, `cannot write ${ext || 'files without an extension'} yet (use .wav)`, 'unsupported-output');
}
