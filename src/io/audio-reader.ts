/** A streaming source of decoded planar audio: memory does not grow with file length. */
export interface AudioInfo {
  sampleRate: number;
  channels: number;
  /** Frames the file says it holds; null when unknown (streamed WAV, some compressed formats). */
  frames: number | null;
  /** Container/codec and sample format, e.g. "wav pcm 24-bit", "flac 16-bit". */
  format: string;
  /** Bits per sample of the source when it is PCM (for the default output bit depth); null for float or lossy. */
  pcmBits: number | null;
  /** WAVE_FORMAT_EXTENSIBLE channel mask, when present. */
  channelMask?: number;
}

/**
 * Most channels a file may have: beyond what any production format carries (Atmos ADM BWF beds and objects
 * reach 128), and a bound on the per-channel state analysis and processing keep (a 10-frame file claiming
 * 65535 channels made analysis allocate tens of GB).
 */
export const MAX_CHANNELS = 256;

export interface AudioReader {
  readonly path: string;
  readonly info: AudioInfo;
  /**
   * Next block of at most maxFrames frames, planar Float32; null at end of stream.
   * The returned arrays may be reused by the next call: copy what you keep.
   */
  read(maxFrames: number): Promise<Float32Array[] | null>;
  /**
   * Optional: decodes the next block of at most maxFrames frames straight into `dest` (one array per
   * channel, each at least maxFrames long) and returns the frames written, 0 at end of stream. Saves a
   * copy for a caller with buffers of its own (the analysis ring).
   */
  readInto?(dest: readonly Float32Array[], maxFrames: number): Promise<number>;
  /**
   * Optional, on readers that read with blocking calls (WAV and AIFF opened with `syncReads`): readInto()
   * without a promise, into `dest` from frame `offset` on. Returns fewer than maxFrames only at the end.
   */
  readIntoSync?(dest: readonly Float32Array[], offset: number, maxFrames: number): number;
  /** Warnings met while reading (truncated data, ...), each reported once. */
  readonly warnings: { code: string; message: string }[];
  close(): Promise<void>;
}

/** An error about one input or output file; the CLI prints `mixmaster: <file>: <message>` and exits 1. */
export class AudioFileError extends Error {
  constructor(public readonly file: string, message: string, public readonly code = 'bad-audio') {
    super(message);
    this.name = 'AudioFileError';
  }
}

/** The error for a file we cannot read as audio: `f: not a supported audio file (<why>)`. */
export function unsupportedAudio(path: string, why: string): AudioFileError {
  return new AudioFileError(path, `not a supported audio file (${why})`);
}

/** The message for a file holding fewer frames than its header promises (warning, or error when strict). */
export function truncatedMessage(declaredFrames: number, presentFrames: number): string {
  return `file is truncated: header promises ${declaredFrames} frames, ${presentFrames} present`;
}

/**
 * The first `frames` frames of each planar output buffer, as the block a reader returns: `views` again when
 * it already is that (no allocation per read), else new subarrays.
 */
export function blockViews(out: readonly Float32Array[], frames: number, views: Float32Array[]): Float32Array[] {
  if (views.length === out.length && views.length > 0 && views[0].length === frames) return views;
  return out.map((ch) => (ch.length === frames ? ch : ch.subarray(0, frames)));
}
