/**
 * Formats without a decoder package here (MP4/M4A with AAC or ALAC, CAF, AAC in ADTS, Sun AU, WavPack,
 * Monkey's Audio, WMA), decoded by Debian's ffmpeg when it is installed: shared/DEPENDENCIES.md names
 * ffmpeg as the optional Node path for AAC / M4A. ffprobe gives the stream's rate, channels and length;
 * ffmpeg streams 32-bit float PCM of the first audio stream through a pipe, read block by block (memory
 * stays fixed: the pipe's backpressure holds ffmpeg back). Without ffmpeg the file is refused with a
 * message that says how to install it; an ffprobe or ffmpeg that stops answering is given up on.
 *
 * Length: where the container states it exactly (MP4, CAF, AU, WavPack, Monkey's Audio), that is the
 * stream's length: AAC decoders emit the last frame's padding too, which is cut off, so an M4A decodes to
 * its source's exact length. ADTS and ASF lengths are estimates (from the bit rate, or a header that
 * counts preroll), so those streams are read to their end, their length unknown up front.
 * MIXMASTER_FFMPEG and MIXMASTER_FFPROBE name other binaries (tests use them to play "not installed").
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { resolve } from 'node:path';
import { AudioFileError, blockViews, MAX_CHANNELS, truncatedMessage, unsupportedAudio, type AudioInfo, type AudioReader } from './audio-reader.js';
import { f32StereoPlanarWasm } from './pcm-wasm.js';

/** What the sniffer saw, for messages: "MP4/M4A", "CAF", ... */
export type FfmpegFormat = 'MP4/M4A' | 'CAF' | 'AAC (ADTS)' | 'Sun/NeXT AU' | 'WavPack' | "Monkey's Audio" | 'WMA (ASF)';

/** Containers whose stated length is exact (see the file comment). */
const EXACT_LENGTH = new Set<FfmpegFormat>(['MP4/M4A', 'CAF', 'Sun/NeXT AU', 'WavPack', "Monkey's Audio"]);
/**
 * Seconds without output after which ffmpeg counts as stuck (it decodes these formats at 100x real time or
 * more); MIXMASTER_FFMPEG_STALL_SECONDS overrides it (tests).
 */
const stallSeconds = () => Number(process.env.MIXMASTER_FFMPEG_STALL_SECONDS) || 30;
/** The container part of AudioInfo.format ("mp4 aac", "wavpack wavpack", ...). */
const CONTAINER_NAMES: Record<FfmpegFormat, string> = {
  'MP4/M4A': 'mp4', CAF: 'caf', 'AAC (ADTS)': 'aac', 'Sun/NeXT AU': 'au', WavPack: 'wavpack', "Monkey's Audio": 'ape', 'WMA (ASF)': 'asf',
};
/** Codecs whose decoded samples are exact integers of this many bits (for the default output bit depth). */
const LOSSLESS = new Set(['alac', 'wavpack', 'ape', 'wmalossless', 'pcm_s16le', 'pcm_s16be', 'pcm_s24le', 'pcm_s24be', 'pcm_s32le', 'pcm_s32be', 'pcm_s8', 'pcm_u8']);
/** Stderr kept for messages, bytes. */
const STDERR_LIMIT = 4096;

const ffmpegBin = () => process.env.MIXMASTER_FFMPEG || 'ffmpeg';
const ffprobeBin = () => process.env.MIXMASTER_FFPROBE || 'ffprobe';

interface ProbedStream {
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  time_base?: string;
  duration_ts?: number;
  bits_per_raw_sample?: string;
  bits_per_sample?: number;
}

/** ffmpeg's first message line, without its "[demuxer @ 0x...]" prefix. */
function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? 'unknown error';
  return line.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/, '');
}

/** Runs ffprobe on the file: the first audio stream's parameters. */
function probe(path: string, what: FfmpegFormat): Promise<{ stream: ProbedStream; durationSeconds: number | null }> {
  // An absolute path: ffmpeg reads "name:rest" as a protocol ("take2:final.m4a": "Protocol not found").
  const args = ['-v', 'error', '-select_streams', 'a:0', '-show_entries',
    'stream=codec_name,sample_rate,channels,time_base,duration_ts,bits_per_raw_sample,bits_per_sample:format=duration', '-of', 'json', resolve(path)];
  return new Promise((done, reject) => {
    execFile(ffprobeBin(), args, { maxBuffer: 1 << 20, timeout: stallSeconds() * 1000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(unsupportedAudio(path, `${what} is decoded by ffmpeg, which is not installed; Debian: apt-get install ffmpeg`));
        return;
      }
      if (err && (err as { killed?: boolean }).killed) {
        reject(unsupportedAudio(path, `ffprobe gave no answer in ${stallSeconds()} s`));
        return;
      }
      if (err) {
        reject(unsupportedAudio(path, `ffmpeg cannot read it: ${firstLine(String(stderr))}`));
        return;
      }
      try {
        const j = JSON.parse(String(stdout)) as { streams?: ProbedStream[]; format?: { duration?: string } };
        const stream = j.streams?.[0];
        const d = Number(j.format?.duration);
        if (stream) done({ stream, durationSeconds: Number.isFinite(d) && d > 0 ? d : null });
        else reject(unsupportedAudio(path, `${what} without an audio stream`));
      } catch (e) {
        reject(unsupportedAudio(path, `ffprobe output unreadable: ${firstLine((e as Error).message)}`));
      }
    });
  });
}

/** The stream's length in frames: its duration in its time base, else the container's; null if neither. */
function streamFrames(s: ProbedStream, rate: number, containerSeconds: number | null): number | null {
  const tb = /^(\d+)\/(\d+)$/.exec(s.time_base ?? '');
  if (tb && typeof s.duration_ts === 'number' && s.duration_ts > 0) return Math.round((s.duration_ts * Number(tb[1]) * rate) / Number(tb[2]));
  return containerSeconds === null ? null : Math.round(containerSeconds * rate);
}

export class FfmpegReader implements AudioReader {
  readonly warnings: { code: string; message: string }[] = [];
  private proc: ChildProcessByStdio<null, Readable, Readable> | null = null;
  private chunks: AsyncIterator<Buffer> | null = null;
  private exit: Promise<number | null> | null = null;
  private stderr = '';
  /** Bytes received but not yet converted (a partial frame, or more than a read asked for). */
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  private delivered = 0;
  private out: Float32Array[] = [];
  private views: Float32Array[] = [];
  private closed = false;

  private constructor(readonly path: string, readonly info: AudioInfo, private readonly strict: boolean) {}

  /** Probes `path` (whose format the sniffer named `what`) and starts ffmpeg decoding it. */
  static async open(path: string, what: FfmpegFormat, options: { strict?: boolean } = {}): Promise<FfmpegReader> {
    const { stream, durationSeconds } = await probe(path, what);
    const sampleRate = Number(stream.sample_rate);
    const channels = stream.channels ?? 0;
    if (!(sampleRate > 0) || !(channels > 0)) throw unsupportedAudio(path, `${what} audio stream without a sample rate or channel count`);
    if (channels > MAX_CHANNELS) throw unsupportedAudio(path, `${channels} channels: at most ${MAX_CHANNELS} are supported`);
    const codec = stream.codec_name ?? 'unknown';
    // ALAC reports its depth as bits_per_raw_sample, PCM as bits_per_sample.
    const bits = Number(stream.bits_per_raw_sample) || Number(stream.bits_per_sample);
    const info: AudioInfo = {
      sampleRate,
      channels,
      frames: EXACT_LENGTH.has(what) ? streamFrames(stream, sampleRate, durationSeconds) : null,
      format: `${CONTAINER_NAMES[what]} ${codec}`,
      pcmBits: LOSSLESS.has(codec) && bits > 0 ? bits : null,
    };
    const reader = new FfmpegReader(path, info, options.strict ?? false);
    reader.start();
    // The first frame, or the end: a file with nothing decodable fails here, as the other readers' do.
    try {
      await reader.fill(4 * channels);
    } catch (e) {
      await reader.close();
      throw e;
    }
    if (reader.pending.length < 4 * channels) {
      await reader.close();
      throw unsupportedAudio(path, `no decodable ${what} audio${reader.stderr ? ` (ffmpeg: ${firstLine(reader.stderr)})` : ''}`);
    }
    return reader;
  }

  private start(): void {
    const proc = spawn(ffmpegBin(), ['-v', 'error', '-nostdin', '-i', resolve(this.path), '-map', '0:a:0', '-f', 'f32le', '-c:a', 'pcm_f32le', '-'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += d.toString('utf8');
    });
    this.exit = new Promise((resolve) => {
      proc.on('error', () => resolve(null));
      proc.on('close', (code) => resolve(code));
    });
    this.chunks = (proc.stdout as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** Receives until `bytes` are pending or the stream ends. */
  private async fill(bytes: number): Promise<void> {
    const parts: Buffer[] = [this.pending];
    let have = this.pending.length;
    while (have < bytes && !this.ended) {
      const next = await this.nextChunk();
      if (next.done) {
        this.ended = true;
        await this.finish();
        break;
      }
      parts.push(next.value);
      have += next.value.length;
    }
    if (parts.length > 1) this.pending = Buffer.concat(parts, have);
  }

  /** ffmpeg's next output chunk; an error when it gives none for stallSeconds(). */
  private async nextChunk(): Promise<IteratorResult<Buffer>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const seconds = stallSeconds();
    const stalled = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), seconds * 1000); });
    try {
      const next = await Promise.race([this.chunks!.next(), stalled]);
      if (next === null) {
        this.stop();
        throw new AudioFileError(this.path, `decode error: ffmpeg gave no output for ${seconds} s`, 'decode-error');
      }
      return next;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends ffmpeg without reading the rest of its output (the pipes first: unread output would hold back its 'close'). */
  private stop(): void {
    const proc = this.proc;
    if (!proc) return;
    proc.stdout.destroy();
    proc.stderr.destroy();
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }

  /** At the end of ffmpeg's output: its exit status and the length decoded. */
  private async finish(): Promise<void> {
    const code = await this.exit;
    if (code === null && !this.closed) throw new AudioFileError(this.path, 'decode error: ffmpeg could not be started', 'decode-error');
    if (code !== 0) {
      const why = `ffmpeg: ${firstLine(this.stderr)}`;
      if (this.strict) throw new AudioFileError(this.path, `decode error: ${why}`, 'decode-error');
      this.warnings.push({ code: 'decode-error', message: `decode error (the audio may have gaps): ${why}` });
    }
  }

  async read(maxFrames: number): Promise<Float32Array[] | null> {
    if (this.closed) throw new AudioFileError(this.path, 'read after close');
    if (!(maxFrames >= 1)) throw new RangeError(`read: maxFrames must be >= 1, got ${maxFrames}`);
    maxFrames = Math.floor(maxFrames);
    const nch = this.info.channels;
    const frameBytes = 4 * nch;
    const limit = this.info.frames ?? Infinity;
    const want = Math.min(maxFrames, limit - this.delivered);
    if (want <= 0) {
      await this.drain();
      return null;
    }
    await this.fill(want * frameBytes);
    const n = Math.min(want, Math.floor(this.pending.length / frameBytes));
    if (n === 0) {
      this.checkLength();
      return null;
    }
    if (this.out.length === 0 || this.out[0].length < maxFrames) {
      this.out = Array.from({ length: nch }, () => new Float32Array(maxFrames));
      this.views = [];
    }
    // Stereo (the common case) through the WAV reader's kernel, which takes any alignment.
    const src = this.pending;
    if (!(nch === 2 && n >= 64 && f32StereoPlanarWasm(src, 0, n, this.out, 0))) {
      for (let c = 0; c < nch; c++) {
        const dst = this.out[c];
        for (let i = 0, o = 4 * c; i < n; i++, o += frameBytes) dst[i] = src.readFloatLE(o);
      }
    }
    this.pending = src.subarray(n * frameBytes);
    this.delivered += n;
    this.views = blockViews(this.out, n, this.views);
    return this.views;
  }

  /** Fewer frames than the container promised: a truncated or damaged file. */
  private checkLength(): void {
    const declared = this.info.frames;
    // Lossy codecs' lengths may be off by a codec frame; lossless ones must match.
    const tolerance = this.info.pcmBits === null ? 4096 : 0;
    if (declared === null || this.delivered >= declared - tolerance || this.warnings.some((w) => w.code === 'truncated')) return;
    const message = truncatedMessage(declared, this.delivered);
    if (this.strict) throw new AudioFileError(this.path, message, 'truncated');
    this.warnings.push({ code: 'truncated', message });
  }

  /** The promised length is delivered: what ffmpeg has left (codec padding) is not needed, ffmpeg is ended. */
  private async drain(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      this.stop();
      await this.exit;
    }
    this.pending = Buffer.alloc(0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.ended) this.stop();
    await this.exit;
  }
}
