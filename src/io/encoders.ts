/**
 * Audio encoders for the outputs of master (and any command): WAV (wav-writer.ts), FLAC (libflacjs,
 * libFLAC compiled to wasm) and MP3 (wasm-media-encoders, LAME compiled to wasm). One streaming
 * interface, atomic writes (temp file beside the target, renamed on close), memory independent of
 * length. The format comes from the output file's extension.
 */
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { TpdfDither } from '../core/dsp/tpdf-dither.js';
import { createAtomicFile, ioError, type AtomicFile } from './atomic-file.js';
import { hasInfoFrame, mp3InfoFrame, Mp3FrameCounter, mpeg1FrameBytes } from './mp3-info-tag.js';
import { AudioFileError } from './audio-reader.js';
import { createWavWriter } from './wav-writer.js';

export type EncodedFormat = 'wav' | 'flac' | 'mp3';
export type EncoderBitDepth = '16' | '24' | '32f';

/** The output format for a path from its extension, or null when we cannot write it. */
export function encodedFormatOf(path: string): EncodedFormat | null {
  const ext = extname(path).toLowerCase();
  return ext === '.wav' ? 'wav' : ext === '.flac' ? 'flac' : ext === '.mp3' ? 'mp3' : null;
}

/** Whether a format is lossy (its decoded peaks can overshoot the encoded signal's). */
export function isLossy(format: EncodedFormat): boolean {
  return format === 'mp3';
}

export interface EncoderOptions {
  sampleRate: number;
  channels: number;
  /** PCM depth (WAV, FLAC; FLAC has no float: '32f' is refused). Ignored for MP3. */
  bitDepth: EncoderBitDepth;
  /** WAV channel mask. */
  channelMask?: number;
  /** MP3 constant bit rate, kbit/s (default 320). */
  mp3BitrateKbps?: 128 | 160 | 192 | 224 | 256 | 320;
  /** TPDF dither when quantizing (default true). */
  dither?: boolean;
  force?: boolean;
}

export interface AudioEncoder {
  readonly format: EncodedFormat;
  /**
   * Samples beyond full scale so far: clipped when quantized (WAV and FLAC PCM), or handed to the MP3
   * encoder, whose decoders clip them. 0 for float WAV.
   */
  readonly clippedSamples: number;
  write(channels: readonly Float32Array[], frames: number): Promise<void>;
  /** Finishes the stream and renames the temp file over the target. */
  close(): Promise<void>;
  /** Removes the temp file; the target is untouched. */
  abort(): Promise<void>;
}

/** MP3 (MPEG-1/2/2.5 layer III) sample rates. */
const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

/**
 * Refuses before any work an output the format cannot hold (with a one-line reason).
 * @throws AudioFileError
 */
export function assertEncodable(path: string, sampleRate: number, channels: number, bitDepth: EncoderBitDepth): EncodedFormat {
  const format = encodedFormatOf(path);
  if (!format) throw new AudioFileError(path, `cannot write ${extname(path) || 'files without an extension'} (use .wav, .flac or .mp3)`, 'unsupported-output');
  if (format === 'flac' && bitDepth === '32f') throw new AudioFileError(path, 'FLAC holds integer samples only: use --bit-depth 16 or 24', 'unsupported-output');
  if (format === 'flac' && channels > 8) throw new AudioFileError(path, `FLAC holds at most 8 channels (got ${channels})`, 'unsupported-output');
  if (format === 'mp3' && channels > 2) throw new AudioFileError(path, `MP3 holds mono or stereo only (got ${channels} channels)`, 'unsupported-output');
  if (format === 'mp3' && !MP3_RATES.includes(sampleRate)) throw new AudioFileError(path, `MP3 cannot hold ${sampleRate} Hz (use --sample-rate 44100 or 48000)`, 'unsupported-output');
  return format;
}

/**
 * Opens an encoder for `path` (format from the extension).
 * @throws AudioFileError for an unsupported format/layout or when the output exists without force
 */
export async function createEncoder(path: string, opts: EncoderOptions): Promise<AudioEncoder> {
  const format = assertEncodable(path, opts.sampleRate, opts.channels, opts.bitDepth);
  if (format === 'wav') {
    const w = await createWavWriter(path, {
      sampleRate: opts.sampleRate, channels: opts.channels, channelMask: opts.channelMask, force: opts.force, dither: opts.dither ?? true,
      format: opts.bitDepth === '16' ? 'pcm16' : opts.bitDepth === '24' ? 'pcm24' : 'float32',
    });
    return { format, get clippedSamples() { return w.clippedSamples; }, write: (c, n) => w.write(c, n), close: () => w.close(), abort: () => w.abort() };
  }
  const file = await createAtomicFile(path, { force: opts.force });
  try {
    return format === 'flac' ? await FlacEncoder.open(file, opts) : await Mp3Encoder.open(file, opts);
  } catch (e) {
    await file.abort();
    throw e;
  }
}

/** Bytes of the stream start kept in memory: "fLaC" + block header + the 34-byte STREAMINFO. */
const HEAD_KEEP = 42;

/** Sequential writer onto an atomic file, with one positioned patch allowed at the end. */
class FileSink {
  position = 0;
  /** The first HEAD_KEEP bytes of the stream (the temp file is write-only, so patches start from this copy). */
  readonly head = new Uint8Array(HEAD_KEEP);
  private headFill = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  constructor(readonly file: AtomicFile) {}
  push(bytes: Uint8Array): void {
    if (this.headFill < HEAD_KEEP) {
      const n = Math.min(HEAD_KEEP - this.headFill, bytes.length);
      this.head.set(bytes.subarray(0, n), this.headFill);
      this.headFill += n;
    }
    this.pending.push(bytes.slice());
    this.pendingBytes += bytes.length;
  }
  async flush(force = false): Promise<void> {
    if (this.pendingBytes === 0 || (!force && this.pendingBytes < 1 << 20)) return;
    const buf = new Uint8Array(this.pendingBytes);
    let o = 0;
    for (const p of this.pending) { buf.set(p, o); o += p.length; }
    this.pending = [];
    this.pendingBytes = 0;
    try {
      await this.file.handle.write(buf, 0, buf.length, this.position);
    } catch (err) {
      throw ioError(this.file.path, err, 'cannot write output');
    }
    this.position += buf.length;
  }
}

// ---------------------------------------------------------------- FLAC

/** The subset of libflacjs we use. */
interface LibFlac {
  isReady(): boolean;
  on(ev: 'ready', fn: () => void): void;
  create_libflac_encoder(sampleRate: number, channels: number, bps: number, level: number, totalSamples?: number, verify?: boolean, blockSize?: number): number;
  init_encoder_stream(enc: number, write: (data: Uint8Array, n: number) => void, meta?: (m: { total_samples: number; md5sum: string; min_framesize: number; max_framesize: number } | undefined) => void): number;
  FLAC__stream_encoder_process_interleaved(enc: number, buf: Int32Array, frames: number): boolean;
  FLAC__stream_encoder_finish(enc: number): boolean;
  FLAC__stream_encoder_delete(enc: number): void;
}

let flacModule: Promise<LibFlac> | null = null;

/**
 * Loads libflacjs once. Its emscripten loader calls fetch() on a file path when fetch exists (Node ≥ 18),
 * which fails; hiding globalThis.fetch while the module initialises makes it read the wasm from disk.
 */
function loadFlac(): Promise<LibFlac> {
  flacModule ??= new Promise<LibFlac>((resolve, reject) => {
    const saved = globalThis.fetch;
    (globalThis as { fetch?: unknown }).fetch = undefined;
    const restore = () => { globalThis.fetch = saved; };
    try {
      const require = createRequire(import.meta.url);
      const flac = (require('libflacjs') as (variant: string) => LibFlac)('wasm');
      if (flac.isReady()) { restore(); resolve(flac); return; }
      flac.on('ready', () => { restore(); resolve(flac); });
      setTimeout(() => { if (!flac.isReady()) { restore(); reject(new Error('libflacjs did not initialise')); } }, 20000).unref();
    } catch (e) {
      restore();
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
  return flacModule;
}

class FlacEncoder implements AudioEncoder {
  readonly format = 'flac' as const;
  private inter = new Int32Array(0);
  private meta: { total_samples: number; md5sum: string; min_framesize: number; max_framesize: number } | null = null;
  private readonly dither: TpdfDither;
  private failed = false;
  clippedSamples = 0;

  private constructor(private readonly flac: LibFlac, private readonly enc: number, private readonly sink: FileSink,
    private readonly channels: number, private readonly bits: number, ditherOn: boolean) {
    this.dither = new TpdfDither({ channels, enabled: ditherOn });
  }

  static async open(file: AtomicFile, opts: EncoderOptions): Promise<FlacEncoder> {
    const flac = await loadFlac();
    const bits = opts.bitDepth === '16' ? 16 : 24;
    const enc = flac.create_libflac_encoder(opts.sampleRate, opts.channels, bits, 5, 0, false, 0);
    if (!enc) throw new AudioFileError(file.path, 'FLAC encoder could not be created', 'encode');
    const sink = new FileSink(file);
    const self = new FlacEncoder(flac, enc, sink, opts.channels, bits, opts.dither ?? true);
    const status = flac.init_encoder_stream(enc, (data) => sink.push(data), (m) => { if (m) self.meta = m; });
    if (status !== 0) {
      flac.FLAC__stream_encoder_delete(enc);
      throw new AudioFileError(file.path, `FLAC encoder init failed (status ${status})`, 'encode');
    }
    return self;
  }

  async write(channels: readonly Float32Array[], frames: number): Promise<void> {
    const nc = this.channels;
    if (this.inter.length < frames * nc) this.inter = new Int32Array(frames * nc);
    for (let c = 0; c < nc; c++) this.clippedSamples += this.dither.quantizeToInt(channels[c], frames, this.bits, this.inter, c, nc, c);
    if (!this.flac.FLAC__stream_encoder_process_interleaved(this.enc, this.inter, frames)) {
      this.failed = true;
      throw new AudioFileError(this.sink.file.path, 'FLAC encoding failed', 'encode');
    }
    await this.sink.flush();
  }

  async close(): Promise<void> {
    try {
      this.flac.FLAC__stream_encoder_finish(this.enc);
      this.flac.FLAC__stream_encoder_delete(this.enc);
      await this.sink.flush(true);
      if (this.meta && !this.failed) await this.patchStreamInfo(this.meta);
      await this.sink.file.commit();
    } catch (e) {
      await this.sink.file.abort();
      throw e;
    }
  }

  /**
   * A stream encoder cannot seek back, so libFLAC leaves total samples, MD5 and frame sizes unknown in
   * the STREAMINFO it wrote first; patch them in place (offset 8: after "fLaC" and the block header).
   * STREAMINFO layout: FLAC format spec (RFC 9639 §8.2).
   */
  private async patchStreamInfo(m: { total_samples: number; md5sum: string; min_framesize: number; max_framesize: number }): Promise<void> {
    const h = this.sink.file.handle;
    const info = this.sink.head.slice(8, 42);
    info[4] = (m.min_framesize >>> 16) & 0xff; info[5] = (m.min_framesize >>> 8) & 0xff; info[6] = m.min_framesize & 0xff;
    info[7] = (m.max_framesize >>> 16) & 0xff; info[8] = (m.max_framesize >>> 8) & 0xff; info[9] = m.max_framesize & 0xff;
    // Total samples: 36 bits starting at the low nibble of byte 13.
    const t = m.total_samples;
    info[13] = (info[13] & 0xf0) | (Math.floor(t / 2 ** 32) & 0x0f);
    info[14] = (t >>> 24) & 0xff; info[15] = (t >>> 16) & 0xff; info[16] = (t >>> 8) & 0xff; info[17] = t & 0xff;
    if (/^[0-9a-f]{32}$/i.test(m.md5sum)) for (let i = 0; i < 16; i++) info[18 + i] = parseInt(m.md5sum.slice(2 * i, 2 * i + 2), 16);
    await h.write(info, 0, 34, 8);
  }

  async abort(): Promise<void> {
    try { this.flac.FLAC__stream_encoder_delete(this.enc); } catch { /* already gone */ }
    await this.sink.file.abort();
  }
}

// ---------------------------------------------------------------- MP3

interface WasmMp3 {
  configure(p: { channels: 1 | 2; sampleRate: number; bitrate: number }): void;
  encode(samples: readonly Float32Array[]): Uint8Array;
  finalize(): Uint8Array;
}

class Mp3Encoder implements AudioEncoder {
  readonly format = 'mp3' as const;
  private views: Float32Array[] = [];
  clippedSamples = 0;
  /** Samples per channel encoded so far. */
  private samples = 0;
  private constructor(private readonly enc: WasmMp3, private readonly sink: FileSink, private readonly channels: number,
    /** Follows the frames for the Info frame (null at rates that get none). */
    private readonly counter: Mp3FrameCounter | null) {}

  static async open(file: AtomicFile, opts: EncoderOptions): Promise<Mp3Encoder> {
    const { createMp3Encoder } = await import('wasm-media-encoders');
    const enc = (await createMp3Encoder()) as unknown as WasmMp3;
    const kbps = opts.mp3BitrateKbps ?? 320;
    enc.configure({ channels: opts.channels as 1 | 2, sampleRate: opts.sampleRate, bitrate: kbps });
    const sink = new FileSink(file);
    // Room for the Info frame (gapless trimming), written over this placeholder at close().
    const tagged = hasInfoFrame(opts.sampleRate);
    if (tagged) sink.push(new Uint8Array(mpeg1FrameBytes(kbps, opts.sampleRate)));
    return new Mp3Encoder(enc, sink, opts.channels, tagged ? new Mp3FrameCounter() : null);
  }

  async write(channels: readonly Float32Array[], frames: number): Promise<void> {
    this.views.length = 0;
    for (let c = 0; c < this.channels; c++) {
      const x = channels[c];
      this.views.push(x.subarray(0, frames));
      for (let i = 0; i < frames; i++) if (!(Math.abs(x[i]) <= 1)) this.clippedSamples++;
    }
    // The returned bytes are a view into wasm memory: FileSink.push copies them.
    const bytes = this.enc.encode(this.views);
    this.counter?.push(bytes);
    this.sink.push(bytes);
    this.samples += frames;
    await this.sink.flush();
  }

  async close(): Promise<void> {
    try {
      const last = this.enc.finalize();
      this.counter?.push(last);
      this.sink.push(last);
      await this.sink.flush(true);
      const c = this.counter;
      if (c?.firstHeader) {
        const info = mp3InfoFrame(c.firstHeader, c.frames, c.bytes, c.crc, this.samples);
        await this.sink.file.handle.write(info, 0, info.length, 0);
      }
      await this.sink.file.commit();
    } catch (e) {
      await this.sink.file.abort();
      throw e;
    }
  }

  async abort(): Promise<void> {
    await this.sink.file.abort();
  }
}
