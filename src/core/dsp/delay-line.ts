/**
 * A small integer-frame ring-buffer delay with per-channel state (a compressor's lookahead: the
 * audio is delayed while the detector sees the undelayed signal).
 */
export class DelayLine {
  private bufs: Float32Array[] = [];
  private pos = new Int32Array(0);
  private delay = 0;

  /** Delay in frames (fixed by prepare()). */
  get delayFrames(): number {
    return this.delay;
  }

  /**
   * Allocates the ring buffers.
   * @param channels number of channels
   * @param delayFrames delay in whole frames (>= 0)
   */
  prepare(channels: number, delayFrames: number): void {
    this.delay = Math.max(0, Math.round(delayFrames));
    this.bufs = [];
    for (let c = 0; c < channels; c++) this.bufs.push(new Float32Array(Math.max(1, this.delay)));
    this.pos = new Int32Array(channels);
  }

  /** Clears the buffers (silence history). */
  reset(): void {
    for (const b of this.bufs) b.fill(0);
    this.pos.fill(0);
  }

  /**
   * output[outOffset + i] = input[inOffset + i − delay]; input and output may alias (each sample is
   * read before the same index is written). Non-finite samples become 0.
   */
  process(ch: number, input: Float32Array, inOffset: number, output: Float32Array, outOffset: number, frames: number): void {
    const d = this.delay;
    if (d === 0) {
      for (let i = 0; i < frames; i++) {
        const x = input[inOffset + i];
        output[outOffset + i] = x - x === 0 ? x : 0;
      }
      return;
    }
    const buf = this.bufs[ch];
    let p = this.pos[ch];
    for (let i = 0; i < frames; i++) {
      const x = input[inOffset + i];
      const y = buf[p];
      buf[p] = x - x === 0 ? x : 0;
      output[outOffset + i] = y;
      if (++p === d) p = 0;
    }
    this.pos[ch] = p;
  }
}
