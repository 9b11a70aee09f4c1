/**
 * An AudioReader that resamples another one to a target rate, streaming, with libsamplerate
 * (@alexanderolsen/libsamplerate-js, the `full` API, which keeps the filter state between calls).
 *
 * The output is aligned with the input (libsamplerate compensates its filter delay) and has
 * round(inputFrames · outRate / inRate) frames: the wrapper never signals end of input, so at the end we
 * feed silence until the filter has released the last input frames, then cut to that length.
 * Quality: SRC_SINC_MEDIUM_QUALITY by default (libsamplerate: 97 dB SNR, 90 % bandwidth), `best` on request.
 */
import type * as Libsamplerate from '@alexanderolsen/libsamplerate-js';
import { AudioFileError, type AudioInfo, type AudioReader } from './audio-reader.js';

export interface ResamplingOptions {
  /** Converter quality (default 'medium'). */
  quality?: 'best' | 'medium' | 'fastest';
}

type Lib = typeof Libsamplerate;
let lib: Promise<Lib> | null = null;

/**
 * libsamplerate, loaded at the first resampling: its module and WebAssembly cost tens of ms of start-up
 * that a run without resampling need not pay. The package is CommonJS: Node's ESM loader exposes it as
 * the default export only (bundlers and vitest also give named exports), so take whichever exists.
 */
function loadLib(): Promise<Lib> {
  lib ??= import('@alexanderolsen/libsamplerate-js').then((m) => (m as unknown as { default?: Lib }).default ?? m);
  return lib;
}

/** Input frames per call into libsamplerate. */
const CHUNK_FRAMES = 8192;

class ResamplingReader implements AudioReader {
  readonly info: AudioInfo;
  private queue = new Float32Array(0);
  private qStart = 0;
  private qEnd = 0;
  private inFrames = 0;
  private produced = 0;
  private delivered = 0;
  private expected = -1;
  private out: Float32Array[] = [];
  private readonly pad: Float32Array;

  constructor(private readonly inner: AudioReader, private readonly src: Awaited<ReturnType<Lib['create']>>, outRate: number) {
    const ratio = outRate / inner.info.sampleRate;
    this.info = { ...inner.info, sampleRate: outRate, frames: inner.info.frames === null ? null : Math.round(inner.info.frames * ratio) };
    this.pad = new Float32Array(CHUNK_FRAMES * inner.info.channels);
  }

  get path(): string { return this.inner.path; }
  get warnings() { return this.inner.warnings; }

  private append(data: Float32Array): void {
    const ch = this.info.channels;
    this.produced += data.length / ch;
    const need = this.qEnd - this.qStart + data.length;
    if (need > this.queue.length - this.qStart) {
      const next = need > this.queue.length ? new Float32Array(Math.max(need, 2 * this.queue.length)) : this.queue;
      next.set(this.queue.subarray(this.qStart, this.qEnd), 0);
      this.queue = next;
      this.qEnd -= this.qStart;
      this.qStart = 0;
    }
    this.queue.set(data, this.qEnd);
    this.qEnd += data.length;
  }

  private async fill(frames: number): Promise<void> {
    const ch = this.info.channels;
    while ((this.qEnd - this.qStart) / ch < frames) {
      if (this.expected >= 0 && this.produced >= this.expected) return;
      const blk = this.expected < 0 ? await this.inner.read(CHUNK_FRAMES) : null;
      if (blk) {
        const n = blk[0].length;
        this.inFrames += n;
        const inter = new Float32Array(n * ch);
        for (let c = 0; c < ch; c++) { const x = blk[c]; for (let i = 0; i < n; i++) inter[i * ch + c] = x[i]; }
        this.append(this.src.full(inter));
      } else {
        if (this.expected < 0) this.expected = Math.round(this.inFrames * (this.info.sampleRate / this.inner.info.sampleRate));
        const before = this.produced;
        this.append(this.src.full(this.pad));
        // The filter releases at least something per chunk of silence; stop if it never does.
        if (this.produced === before && this.produced < this.expected) throw new AudioFileError(this.path, 'resampler stalled');
      }
    }
  }

  async read(maxFrames: number): Promise<Float32Array[] | null> {
    await this.fill(maxFrames);
    const ch = this.info.channels;
    let n = Math.min(maxFrames, (this.qEnd - this.qStart) / ch);
    if (this.expected >= 0) n = Math.min(n, this.expected - this.delivered);
    if (n <= 0) return null;
    if (this.out.length === 0 || this.out[0].length < n) this.out = Array.from({ length: ch }, () => new Float32Array(Math.max(n, maxFrames)));
    const q = this.queue;
    const s = this.qStart;
    for (let c = 0; c < ch; c++) { const y = this.out[c]; for (let i = 0; i < n; i++) y[i] = q[s + i * ch + c]; }
    this.qStart += n * ch;
    this.delivered += n;
    return this.out.map((y) => y.subarray(0, n));
  }

  async close(): Promise<void> {
    this.src.destroy();
    await this.inner.close();
  }
}

/** The highest rate, in or out, the resampler (libsamplerate-js) converts, Hz. */
export const MAX_RESAMPLE_HZ = 192000;

/**
 * Refuses a conversion the resampler cannot do, naming the file (checked before any work where the
 * rates are known up front).
 * @throws AudioFileError
 */
export function assertResamplable(path: string, fromHz: number, toHz: number): void {
  if (fromHz === toHz || (fromHz <= MAX_RESAMPLE_HZ && toHz <= MAX_RESAMPLE_HZ)) return;
  throw new AudioFileError(path, `cannot resample ${fromHz} Hz to ${toHz} Hz: the resampler works up to ${MAX_RESAMPLE_HZ} Hz`, 'unsupported-rate');
}

/**
 * Wraps `inner` so it yields audio at `sampleRate`; returns `inner` itself when the rates already match.
 * @param sampleRate target rate in Hz.
 */
export async function resampleReader(inner: AudioReader, sampleRate: number, opts: ResamplingOptions = {}): Promise<AudioReader> {
  if (inner.info.sampleRate === sampleRate) return inner;
  assertResamplable(inner.path, inner.info.sampleRate, sampleRate);
  const q = opts.quality ?? 'medium';
  const { ConverterType, create } = await loadLib();
  const converterType = q === 'best' ? ConverterType.SRC_SINC_BEST_QUALITY : q === 'fastest' ? ConverterType.SRC_SINC_FASTEST : ConverterType.SRC_SINC_MEDIUM_QUALITY;
  const src = await create(inner.info.channels, inner.info.sampleRate, sampleRate, { converterType });
  return new ResamplingReader(inner, src, sampleRate);
}
