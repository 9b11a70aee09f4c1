/**
 * The audio buffer type of mixmaster: planar, one Float32Array per channel, nominal range [-1, 1].
 * Frames are counted in samples per channel.
 */
export interface AudioData {
  readonly sampleRate: number;
  readonly channels: Float32Array[];
}

/** Number of frames in a planar buffer (0 when it has no channels). */
export function frameCount(audio: AudioData): number {
  return audio.channels.length > 0 ? audio.channels[0].length : 0;
}

/** Allocate a silent planar buffer. */
export function allocPlanar(channels: number, frames: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  return out;
}

/** Views of the first `frames` frames of each channel, starting at `offset` (no copy). */
export function sliceChannels(channels: readonly Float32Array[], offset: number, frames: number): Float32Array[] {
  return channels.map((ch) => ch.subarray(offset, offset + frames));
}

/** Calls `fn` for each block of at most `blockFrames` frames (views, no copy). */
export function forEachBlock(
  channels: readonly Float32Array[],
  blockFrames: number,
  fn: (block: Float32Array[], frames: number, offset: number) => void,
): void {
  const total = channels.length > 0 ? channels[0].length : 0;
  for (let off = 0; off < total; off += blockFrames) {
    const n = Math.min(blockFrames, total - off);
    fn(sliceChannels(channels, off, n), n, off);
  }
}
