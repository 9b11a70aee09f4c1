/**
 * Streaming decoders for FLAC (native and Ogg), MP3, Ogg Vorbis and Ogg Opus, via the wasm decoders of
 * github.com/eshaz/wasm-audio-decoders (MIT). The file is fed to the decoder in CHUNK_BYTES pieces as
 * the caller reads, and decoded audio waits in a small FIFO, so memory does not grow with file length.
 *
 * Stream facts (rate, channels, bit depth, length) come from our own parse of the stream headers, so
 * they are known at open time: FLAC STREAMINFO, the Vorbis identification header, OpusHead, and the MPEG
 * frame header with its Xing/Info + LAME tag. Vorbis and Opus deliver channels in Vorbis order; they are
 * reordered to the WAVE order the rest of mixmaster assumes (L R C LFE ...).
 */
import type { FileHandle } from 'node:fs/promises';
import { AudioFileError, blockViews, truncatedMessage, unsupportedAudio, type AudioInfo, type AudioReader } from './audio-reader.js';
import { readAt } from './wav-format.js';
import { findFlacFrame, flacFrameEnd, flacFrameSample, type FlacStreamParams } from './flac-frame-sync.js';

export type CompressedKind = 'flac' | 'ogg-flac' | 'mp3' | 'ogg-vorbis' | 'ogg-opus';

/** Compressed bytes fed to the decoder per step. */
export const COMPRESSED_CHUNK_BYTES = 64 * 1024;

export interface CompressedReaderOptions {
  /** Make decode errors in the middle of the stream fatal instead of warnings. */
  strict?: boolean;
}

interface DecodeError {
  message: string;
}

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: DecodeError[];
}

/** The part of the four decoder classes we use. */
interface Decoder {
  readonly ready: Promise<void>;
  decode(data: Uint8Array): Decoded | Promise<Decoded>;
  flush?: () => Promise<Decoded>;
  free(): void;
}

// ---------------------------------------------------------------------------------------------------
// Stream header parsing

/** MPEG audio frame header (ISO/IEC 11172-3 §2.4.2.3, 13818-3 for MPEG-2/2.5). */
export interface MpegFrameHeader {
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  sampleRate: number;
  channels: 1 | 2;
  frameBytes: number;
  samplesPerFrame: number;
}

const MPEG_BITRATES_KBPS: Record<string, number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_RATES: Record<string, number[]> = { '1': [44100, 48000, 32000], '2': [22050, 24000, 16000], '2.5': [11025, 12000, 8000] };

/** Parses an MPEG audio frame header at `o`; null if the bytes are not one (free-format frames are refused). */
export function parseMpegFrameHeader(b: Uint8Array, o: number): MpegFrameHeader | null {
  if (o + 4 > b.length || b[o] !== 0xff || (b[o + 1] & 0xe0) !== 0xe0) return null;
  const v = (b[o + 1] >> 3) & 3;
  const l = (b[o + 1] >> 1) & 3;
  const bri = b[o + 2] >> 4;
  const sri = (b[o + 2] >> 2) & 3;
  if (v === 1 || l === 0 || bri === 0 || bri === 15 || sri === 3) return null;
  const version = v === 3 ? 1 : v === 2 ? 2 : 2.5;
  const layer = (4 - l) as 1 | 2 | 3;
  const bitrate = MPEG_BITRATES_KBPS[`${version === 1 ? 1 : 2}-${layer}`][bri] * 1000;
  const sampleRate = MPEG_RATES[String(version)][sri];
  const pad = (b[o + 2] >> 1) & 1;
  const channels = b[o + 3] >> 6 === 3 ? 1 : 2;
  let frameBytes: number;
  let samplesPerFrame: number;
  if (layer === 1) {
    frameBytes = (Math.floor((12 * bitrate) / sampleRate) + pad) * 4;
    samplesPerFrame = 384;
  } else if (layer === 2 || version === 1) {
    frameBytes = Math.floor((144 * bitrate) / sampleRate) + pad;
    samplesPerFrame = 1152;
  } else {
    frameBytes = Math.floor((72 * bitrate) / sampleRate) + pad;
    samplesPerFrame = 576;
  }
  return { version, layer, sampleRate, channels, frameBytes, samplesPerFrame };
}

/**
 * Frames of audio an MP3 holds according to its Xing/Info + LAME tag (after removing encoder delay and
 * padding, as the gapless decoder does); null without such a tag.
 */
function mp3FramesFromXing(b: Uint8Array, o: number, h: MpegFrameHeader): number | null {
  if (h.layer !== 3) return null;
  const side = h.version === 1 ? (h.channels === 1 ? 17 : 32) : h.channels === 1 ? 9 : 17;
  let x = o + 4 + side;
  const tag = String.fromCharCode(b[x], b[x + 1], b[x + 2], b[x + 3]);
  if (tag !== 'Xing' && tag !== 'Info') return null;
  const flags = ((b[x + 4] << 24) | (b[x + 5] << 16) | (b[x + 6] << 8) | b[x + 7]) >>> 0;
  x += 8;
  if (!(flags & 1)) return null;
  const count = ((b[x] << 24) | (b[x + 1] << 16) | (b[x + 2] << 8) | b[x + 3]) >>> 0;
  x += 4;
  if (flags & 2) x += 4;
  if (flags & 4) x += 100;
  if (flags & 8) x += 4;
  // LAME tag (also written by ffmpeg's Lavc/Lavf): encoder delay and padding, 12 bits each, at +21.
  const enc = String.fromCharCode(b[x], b[x + 1], b[x + 2], b[x + 3]);
  if (x + 24 > b.length || (enc !== 'LAME' && enc !== 'Lavc' && enc !== 'Lavf' && enc !== 'L3.9')) return null;
  const delay = (b[x + 21] << 4) | (b[x + 22] >> 4);
  const padding = ((b[x + 22] & 0x0f) << 8) | b[x + 23];
  const frames = count * h.samplesPerFrame - delay - padding;
  return frames >= 0 ? frames : null;
}

/** Finds an MPEG frame at or after `start` (within `maxScan` bytes) that is followed by another frame. */
export function findMpegSync(b: Uint8Array, start: number, maxScan: number, fileSize: number, bufferFileOffset = 0): number {
  const end = Math.min(b.length - 4, start + maxScan);
  for (let o = start; o <= end; o++) {
    if (b[o] !== 0xff) continue;
    const h = parseMpegFrameHeader(b, o);
    if (!h) continue;
    const next = o + h.frameBytes;
    if (bufferFileOffset + next >= fileSize) return o; // a single frame up to the end of the file
    if (next + 4 > b.length) return o; // cannot verify beyond what we read: accept
    const h2 = parseMpegFrameHeader(b, next);
    if (h2 && h2.sampleRate === h.sampleRate && h2.layer === h.layer) return o;
  }
  return -1;
}

interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bits: number;
  totalFrames: number | null;
  minBlockSize: number;
  maxBlockSize: number;
  /** 0: unknown. */
  maxFrameBytes: number;
}

/** FLAC STREAMINFO body (34 bytes, RFC 9639 §8.2) at `o`. */
function parseStreamInfo(b: Uint8Array, o: number): FlacStreamInfo | null {
  if (o + 18 > b.length) return null;
  const sampleRate = (b[o + 10] << 12) | (b[o + 11] << 4) | (b[o + 12] >> 4);
  const channels = ((b[o + 12] >> 1) & 7) + 1;
  const bits = (((b[o + 12] & 1) << 4) | (b[o + 13] >> 4)) + 1;
  const total = (b[o + 13] & 0x0f) * 4294967296 + (((b[o + 14] << 24) | (b[o + 15] << 16) | (b[o + 16] << 8) | b[o + 17]) >>> 0);
  if (sampleRate === 0 || bits < 4) return null;
  const minBlockSize = (b[o] << 8) | b[o + 1];
  const maxBlockSize = (b[o + 2] << 8) | b[o + 3];
  const maxFrameBytes = (b[o + 7] << 16) | (b[o + 8] << 8) | b[o + 9];
  return { sampleRate, channels, bits, totalFrames: total > 0 ? total : null, minBlockSize, maxBlockSize, maxFrameBytes };
}

/**
 * File offset of the first FLAC frame: after the last metadata block (RFC 9639 §8.1); -1 when the
 * metadata runs past the end of the file (corrupt or truncated).
 */
async function flacAudioOffset(fh: FileHandle, streamOffset: number, fileSize: number): Promise<number> {
  let pos = streamOffset + 4;
  while (pos + 4 <= fileSize) {
    const h = await readAt(fh, pos, 4);
    pos += 4 + ((h[1] << 16) | (h[2] << 8) | h[3]);
    if (h[0] & 0x80) return pos <= fileSize ? pos : -1;
  }
  return -1;
}

/** First packet of the first Ogg page (RFC 3533 §6): where it starts in `b`, or -1. */
export function firstOggPacket(b: Uint8Array, o = 0): number {
  if (o + 27 > b.length || b[o] !== 0x4f || b[o + 1] !== 0x67 || b[o + 2] !== 0x67 || b[o + 3] !== 0x53) return -1;
  const segments = b[o + 26];
  const start = o + 27 + segments;
  return start < b.length ? start : -1;
}

/**
 * From the file's tail, for the first logical stream: the granule position of its last page that has one
 * (null if none), and whether its last page is whole and carries the end-of-stream flag (RFC 3533 §6: a
 * stream cut short lacks it, or ends inside its last page, and its last granule then reads as the full
 * length); null when the tail holds none of its pages.
 */
async function lastOggPages(fh: FileHandle, fileSize: number, serial: number): Promise<{ granule: number | null; eos: boolean | null }> {
  const len = Math.min(fileSize, 65536);
  const tail = await readAt(fh, fileSize - len, len);
  let eos: boolean | null = null;
  for (let o = tail.length - 27; o >= 0; o--) {
    if (tail[o] !== 0x4f || tail[o + 1] !== 0x67 || tail[o + 2] !== 0x67 || tail[o + 3] !== 0x53 || tail[o + 4] !== 0) continue;
    const s = ((tail[o + 14]) | (tail[o + 15] << 8) | (tail[o + 16] << 16) | (tail[o + 17] << 24)) >>> 0;
    if (s !== serial) continue;
    eos ??= (tail[o + 5] & 0x04) !== 0 && oggPageEnd(tail, o) <= tail.length;
    const lo = ((tail[o + 6]) | (tail[o + 7] << 8) | (tail[o + 8] << 16) | (tail[o + 9] << 24)) >>> 0;
    const hi = ((tail[o + 10]) | (tail[o + 11] << 8) | (tail[o + 12] << 16) | (tail[o + 13] << 24)) >>> 0;
    if (hi === 0xffffffff && lo === 0xffffffff) continue; // no packet ends on this page
    return { granule: hi * 4294967296 + lo, eos };
  }
  return { granule: null, eos };
}

/** Where the Ogg page at b[o] ends (header, segment table, body); beyond b.length when it is cut off. */
function oggPageEnd(b: Uint8Array, o: number): number {
  const segments = b[o + 26];
  const table = o + 27;
  if (table + segments > b.length) return Infinity;
  let end = table + segments;
  for (let i = 0; i < segments; i++) end += b[table + i];
  return end;
}

/** Vorbis channel order (Vorbis I spec §4.3.9, also Opus mapping family 1) → WAVE order: wave[i] = vorbis[map[i]]. */
const VORBIS_TO_WAVE: Record<number, number[]> = {
  3: [0, 2, 1],
  5: [0, 2, 1, 3, 4],
  6: [0, 2, 1, 5, 3, 4],
  7: [0, 2, 1, 6, 5, 3, 4],
  8: [0, 2, 1, 7, 5, 6, 3, 4],
};
/** dwChannelMask of those layouts in WAVE order (FLAC defines the same layouts, RFC 9639 §9.1.3). */
const LAYOUT_MASKS: Record<number, number> = { 3: 0x7, 4: 0x33, 5: 0x37, 6: 0x3f, 7: 0x70f, 8: 0x63f };

interface StreamSetup {
  info: AudioInfo;
  /** Offset of the first byte to feed the decoder. */
  feedFrom: number;
  /** Decoder output channel for each of our channels. */
  channelMap: number[];
  /** Rescale FLAC output from 2^(n-1)-1 to 2^(n-1) full scale for this bit depth; 0 for none. */
  flacBits: number;
  /** For messages. */
  codecName: string;
  /** Whether the file holds bytes beyond the stream headers (so decoding nothing is an error). */
  hasAudioData: boolean;
  createDecoder: () => Promise<Decoder>;
  /** Native FLAC: how to resume after a frame the decoder cannot parse (see resync()). */
  flacResync?: FlacResync;
  /** Ogg: the stream's last page lacks the end-of-stream flag, so the file was cut short. */
  cutShort?: boolean;
}

/** Native FLAC resumption: STREAMINFO's fields, where the frames start, and when the decoder counts as stuck. */
interface FlacResync {
  params: FlacStreamParams;
  /** File offset of the first frame: bytes [stream start, audioAt) are the headers a new decoder needs first. */
  audioAt: number;
  /** Bytes fed without output after which the decoder has given up (twice the largest possible frame). */
  stallBytes: number;
  /** Every frame but the last holds maxBlockSize samples (STREAMINFO's minimum equals its maximum). */
  fixedBlocks: boolean;
}

/** The largest frame a stream can have: STREAMINFO's maximum, else a verbatim frame of the maximum block size. */
function flacStallBytes(si: FlacStreamInfo): number {
  const bound = si.maxFrameBytes > 0 ? si.maxFrameBytes : Math.ceil((Math.max(si.maxBlockSize, 4096) * si.channels * (si.bits + 1)) / 8) + 64;
  return 2 * bound;
}

async function setupStream(path: string, fh: FileHandle, fileSize: number, kind: CompressedKind, head: Uint8Array, streamOffset: number): Promise<StreamSetup> {
  const identity = (n: number) => Array.from({ length: n }, (_, i) => i);
  switch (kind) {
    case 'flac':
    case 'ogg-flac': {
      let si: FlacStreamInfo | null = null;
      if (kind === 'flac') {
        // 'fLaC', then the first metadata block, which must be STREAMINFO (type 0).
        if ((head[4] & 0x7f) === 0) si = parseStreamInfo(head, 8);
      } else {
        // Ogg FLAC mapping: 0x7F 'FLAC' major minor headers(2) 'fLaC' blockheader(4) STREAMINFO.
        const p = firstOggPacket(head);
        if (p >= 0) si = parseStreamInfo(head, p + 17);
      }
      if (!si) throw unsupportedAudio(path, 'FLAC STREAMINFO missing or invalid');
      let hasAudioData = true;
      let flacResync: FlacResync | undefined;
      if (kind === 'flac') {
        const audioAt = await flacAudioOffset(fh, streamOffset, fileSize);
        hasAudioData = audioAt < 0 || audioAt < fileSize;
        if (audioAt > 0 && si.maxBlockSize > 0) {
          flacResync = {
            params: { sampleRate: si.sampleRate, channels: si.channels, bits: si.bits, maxBlockSize: si.maxBlockSize },
            audioAt, stallBytes: flacStallBytes(si), fixedBlocks: si.minBlockSize === si.maxBlockSize,
          };
        }
      }
      const info: AudioInfo = {
        sampleRate: si.sampleRate,
        channels: si.channels,
        // STREAMINFO's 0 means "unknown", unless there is nothing after the metadata.
        frames: hasAudioData ? si.totalFrames : 0,
        format: `${kind === 'flac' ? 'flac' : 'ogg flac'} ${si.bits}-bit`,
        pcmBits: si.bits,
      };
      if (LAYOUT_MASKS[si.channels]) info.channelMask = LAYOUT_MASKS[si.channels];
      return {
        info,
        feedFrom: streamOffset,
        channelMap: identity(si.channels),
        flacBits: si.bits,
        codecName: 'FLAC',
        hasAudioData,
        createDecoder: async () => new (await import('@wasm-audio-decoders/flac')).FLACDecoder() as Decoder,
        flacResync,
      };
    }
    case 'mp3': {
      const h = parseMpegFrameHeader(head, 0);
      if (!h) throw unsupportedAudio(path, 'no MPEG audio frame found');
      return {
        info: {
          sampleRate: h.sampleRate,
          channels: h.channels,
          frames: mp3FramesFromXing(head, 0, h),
          format: `mp3${h.layer === 3 ? '' : ` (layer ${h.layer})`}`,
          pcmBits: null,
        },
        feedFrom: streamOffset,
        // The decoder always delivers two channels; a mono stream uses the first.
        channelMap: identity(h.channels),
        flacBits: 0,
        codecName: 'MPEG',
        hasAudioData: true,
        createDecoder: async () => new (await import('mpg123-decoder')).MPEGDecoder({ enableGapless: true }) as Decoder,
      };
    }
    case 'ogg-vorbis':
    case 'ogg-opus': {
      const p = firstOggPacket(head);
      const serial = (head[14] | (head[15] << 8) | (head[16] << 16) | (head[17] << 24)) >>> 0;
      const opus = kind === 'ogg-opus';
      if (p < 0 || p + (opus ? 19 : 16) > head.length) throw unsupportedAudio(path, `${opus ? 'OpusHead' : 'Vorbis identification header'} missing`);
      const channels = head[p + (opus ? 9 : 11)];
      const sampleRate = opus ? 48000 : (head[p + 12] | (head[p + 13] << 8) | (head[p + 14] << 16) | (head[p + 15] << 24)) >>> 0;
      if (channels < 1 || sampleRate < 1) throw unsupportedAudio(path, `invalid ${opus ? 'OpusHead' : 'Vorbis header'}`);
      // Opus mapping family 0 and 1 use the Vorbis order; 255 (and others) have no defined layout.
      const vorbisOrder = !opus || head[p + 18] <= 1;
      const preSkip = opus ? head[p + 10] | (head[p + 11] << 8) : 0;
      const { granule, eos } = await lastOggPages(fh, fileSize, serial);
      const frames = granule === null ? null : Math.max(0, granule - preSkip);
      const info: AudioInfo = { sampleRate, channels, frames, format: opus ? 'ogg opus' : 'ogg vorbis', pcmBits: null };
      if (vorbisOrder && LAYOUT_MASKS[channels]) info.channelMask = LAYOUT_MASKS[channels];
      return {
        info,
        feedFrom: 0,
        channelMap: (vorbisOrder && VORBIS_TO_WAVE[channels]) || identity(channels),
        flacBits: 0,
        codecName: opus ? 'Opus' : 'Vorbis',
        hasAudioData: true,
        createDecoder: opus
          ? async () => new (await import('ogg-opus-decoder')).OggOpusDecoder({ forceStereo: false }) as unknown as Decoder
          : async () => new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder() as Decoder,
        cutShort: eos === false,
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Console silencing: the decoders print their errors with console.error/warn; we report them ourselves.

let quietDepth = 0;
let savedConsole: { error: typeof console.error; warn: typeof console.warn } | null = null;
const noop = () => undefined;

async function quietly<T>(fn: () => T | Promise<T>): Promise<T> {
  if (quietDepth++ === 0) {
    savedConsole = { error: console.error, warn: console.warn };
    console.error = noop;
    console.warn = noop;
  }
  try {
    return await fn();
  } finally {
    if (--quietDepth === 0 && savedConsole) {
      console.error = savedConsole.error;
      console.warn = savedConsole.warn;
      savedConsole = null;
    }
  }
}

// ---------------------------------------------------------------------------------------------------

export class CompressedReader implements AudioReader {
  readonly warnings: { code: string; message: string }[] = [];
  /** Decoded blocks waiting to be read, in decoder channel layout; `headPos` frames of fifo[0] are consumed. */
  private fifo: Float32Array[][] = [];
  private fifoFrames = 0;
  private headPos = 0;
  private filePos: number;
  private inputDone = false;
  private ended = false;
  private decodedAny = false;
  private decodedFrames = 0;
  /** Bytes fed since the decoder last gave output, and the file position when it did (FLAC resync). */
  private stalledBytes = 0;
  private lastOutputPos: number;
  /** The decoder threw after giving audio: the stream ended there. */
  private decoderGaveUp = false;
  /** The sample the last resync resumed at (-1: none yet). */
  private resumedAt = -1;
  private readonly chunk = new Uint8Array(COMPRESSED_CHUNK_BYTES);
  private out: Float32Array[] = [];
  private views: Float32Array[] = [];
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    private readonly fileSize: number,
    readonly info: AudioInfo,
    private readonly setup: StreamSetup,
    private decoder: Decoder,
    private readonly strict: boolean,
  ) {
    this.filePos = setup.feedFrom;
    this.lastOutputPos = setup.feedFrom;
  }

  /**
   * Opens a compressed stream whose kind openAudio() sniffed; `streamOffset` is where the stream starts
   * (after an ID3v2 tag) and `head` holds the first bytes from there. Decodes the first chunk before returning,
   * so a file that cannot be decoded fails here. Does not close `fh` on error (the caller does).
   */
  static async open(
    path: string,
    fh: FileHandle,
    fileSize: number,
    kind: CompressedKind,
    head: Uint8Array,
    streamOffset: number,
    options: CompressedReaderOptions = {},
  ): Promise<CompressedReader> {
    const setup = await setupStream(path, fh, fileSize, kind, head, streamOffset);
    let decoder: Decoder;
    try {
      decoder = await quietly(async () => {
        const d = await setup.createDecoder();
        await d.ready;
        return d;
      });
    } catch (err) {
      throw unsupportedAudio(path, `decoder failed to start: ${(err as Error).message}`);
    }
    const reader = new CompressedReader(path, fh, fileSize, setup.info, setup, decoder, options.strict ?? false);
    try {
      await reader.checkFirstFrame();
      while (reader.fifoFrames === 0 && !reader.ended) await reader.pump();
    } catch (err) {
      await reader.close().catch(() => undefined);
      throw err;
    }
    return reader;
  }

  /** Feeds one chunk of the file to the decoder (or flushes it at the end) and queues the output. */
  private async pump(): Promise<void> {
    let decoded: Decoded | null = null;
    let fed = 0;
    try {
      if (!this.inputDone) {
        const want = Math.min(this.chunk.length, this.fileSize - this.filePos);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await this.fh.read(this.chunk, got, want - got, this.filePos + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        this.filePos += got;
        fed = got;
        if (got === 0) this.inputDone = true;
        else {
          // The decoders copy their input; the chunk buffer can be reused right after.
          const data = this.chunk.subarray(0, got);
          decoded = await quietly(() => this.decoder.decode(data));
        }
      }
      if (this.inputDone && !decoded) {
        this.ended = true;
        if (this.decoder.flush) decoded = await quietly(() => this.decoder.flush!());
      }
    } catch (err) {
      if (err instanceof AudioFileError) throw err;
      if (!this.decodedAny) throw unsupportedAudio(this.path, (err as Error).message || String(err));
      // The decoder threw after giving audio (an Ogg file cut inside a page header makes the package read
      // past its buffer): what came before stands, the rest is unreadable.
      if (this.strict) throw new AudioFileError(this.path, 'decode error: the decoder stopped on damaged data', 'decode-error');
      this.inputDone = true;
      this.ended = true;
      this.decoderGaveUp = true;
      decoded = null;
    }
    if (decoded && decoded.errors?.length > 0) {
      const msg = decoded.errors[0].message;
      if (!this.decodedAny && decoded.samplesDecoded === 0) throw unsupportedAudio(this.path, msg);
      if (this.strict) throw new AudioFileError(this.path, `decode error: ${msg}`, 'decode-error');
      if (!this.warnings.some((w) => w.code === 'decode-error')) {
        this.warnings.push({ code: 'decode-error', message: `decode error (the audio may have gaps): ${msg}` });
      }
    }
    const flac = this.setup.flacResync;
    if (decoded && flac) {
      if (decoded.samplesDecoded > 0) {
        this.stalledBytes = 0;
        this.lastOutputPos = this.filePos;
      } else if (!this.inputDone) {
        this.stalledBytes += fed;
        // Stuck mid-file: resume at the frame it stopped at (it may not have been emitted), unless the last
        // resume started there already.
        if (this.stalledBytes > flac.stallBytes && !(await this.resync(flac, this.decodedFrames + (this.resumedAt === this.decodedFrames ? 1 : 0)))) {
          this.filePos = this.fileSize;
          this.inputDone = true;
        }
      }
    }
    if (decoded && decoded.samplesDecoded > 0) {
      const need = Math.max(...this.setup.channelMap) + 1;
      if (decoded.channelData.length < need) {
        throw unsupportedAudio(this.path, `decoder returned ${decoded.channelData.length} channels, the header says ${this.info.channels}`);
      }
      if (decoded.sampleRate && decoded.sampleRate !== this.info.sampleRate) {
        throw unsupportedAudio(this.path, `sample rate changes mid-stream (${this.info.sampleRate} → ${decoded.sampleRate} Hz)`);
      }
      this.decodedAny = true;
      const n = decoded.samplesDecoded;
      this.decodedFrames += n;
      this.fifo.push(decoded.channelData.map((ch) => (ch.length === n ? ch : ch.subarray(0, n))));
      this.fifoFrames += n;
    }
    // The input ran out with frames missing: a damaged frame in the last chunk fed, if a later frame
    // exists (a file cut short has none). Only where the output stopped on a block boundary: off the grid
    // of a fixed block size, the decoder has dropped damaged data on its own and what follows is no
    // longer where it belongs.
    const declared = this.info.frames;
    const onGrid = flac !== undefined && (!flac.fixedBlocks || this.decodedFrames % flac.params.maxBlockSize === 0);
    if (this.ended && flac && onGrid && declared !== null && this.decodedFrames < declared && (await this.resync(flac, this.decodedFrames + 1))) {
      this.ended = false;
      this.inputDone = false;
      return;
    }
    if (this.ended) this.checkLength();
  }

  /**
   * The FLAC decoder has stopped giving output (it met a frame it cannot parse, and the package's decoder
   * does not recover), or the input ran out with frames missing. Finds the next valid frame header whose
   * first sample is at least `after`, restarts a decoder there (the stream headers first), and fills the
   * frames in between with silence, with a warning (an error when strict). Returns false when there is no
   * such frame: the caller gives up the rest, and the length check reports the missing frames.
   */
  private async resync(r: FlacResync, after: number): Promise<boolean> {
    // The frame in trouble started within the last chunk fed before the output stopped; frames before
    // `after` are passed over, and one beyond the declared length is a false match.
    const from = Math.max(r.audioAt, this.lastOutputPos - COMPRESSED_CHUNK_BYTES);
    const found = await findFlacFrame(this.fh, from, this.fileSize, after, this.info.frames ?? Infinity, r.params);
    if (!found) return false;
    const at = (this.decodedFrames / this.info.sampleRate).toFixed(2);
    if (found.sample > this.decodedFrames && this.strict) throw new AudioFileError(this.path, `decode error: corrupt FLAC frame at ${at} s`, 'decode-error');
    try {
      this.decoder.free();
    } catch {
      // already freed
    }
    // Skipping the frame this resumed at: its successor's sync code may be what is damaged.
    if (this.resumedAt === this.decodedFrames && found.sample > this.decodedFrames) await this.salvageFrame(r, from, found);
    const gap = found.sample - this.decodedFrames;
    const lostAt = (this.decodedFrames / this.info.sampleRate).toFixed(2);
    this.decoder = await this.freshDecoder(r);
    // The silence as segments of one shared zero buffer: memory stays small whatever the gap.
    const zeros = new Float32Array(Math.min(gap, 1 << 16));
    for (let left = gap; left > 0; left -= zeros.length) {
      const seg = zeros.subarray(0, Math.min(left, zeros.length));
      this.fifo.push(Array.from({ length: this.info.channels }, () => seg));
    }
    this.fifoFrames += gap;
    this.decodedFrames += gap;
    this.filePos = found.offset;
    this.stalledBytes = 0;
    this.lastOutputPos = found.offset;
    this.resumedAt = found.sample;
    if (gap > 0) this.warnings.push({ code: 'decode-error', message: `corrupt FLAC frame at ${lostAt} s: ${gap} frames (${(gap / this.info.sampleRate).toFixed(3)} s) replaced with silence` });
    return true;
  }

  /** A new decoder that has been given the stream's headers. */
  private freshDecoder(r: FlacResync): Promise<Decoder> {
    return quietly(async () => {
      const d = await this.setup.createDecoder();
      await d.ready;
      await d.decode(await readAt(this.fh, this.setup.feedFrom, r.audioAt - this.setup.feedFrom));
      return d;
    });
  }

  /**
   * The decoder package delimits a frame by the next frame's header, so a frame whose successor's sync code
   * is destroyed is lost with it although intact. Finds its end by its CRC-16 instead and decodes it alone,
   * the next good header after it; its samples join the output. Nothing happens when that fails.
   */
  private async salvageFrame(r: FlacResync, from: number, next: { offset: number; sample: number }): Promise<void> {
    const start = await findFlacFrame(this.fh, from, next.offset, this.decodedFrames, this.decodedFrames + 1, r.params);
    if (!start) return;
    const bytes = await readAt(this.fh, start.offset, next.offset + 64 - start.offset);
    const end = flacFrameEnd(bytes, 0, next.offset - start.offset);
    if (end < 0) return;
    const d = await this.freshDecoder(r);
    try {
      const tail = bytes.subarray(next.offset - start.offset);
      const frame = new Uint8Array(end + tail.length);
      frame.set(bytes.subarray(0, end));
      frame.set(tail, end);
      const out = await quietly(() => d.decode(frame));
      const n = out.samplesDecoded;
      if (n > 0 && n <= next.sample - this.decodedFrames && out.channelData.length >= this.info.channels) {
        this.fifo.push(out.channelData.map((ch) => (ch.length === n ? ch : ch.subarray(0, n))));
        this.fifoFrames += n;
        this.decodedFrames += n;
      }
    } catch {
      // not recoverable after all: it stays silent
    } finally {
      try {
        d.free();
      } catch {
        // already freed
      }
    }
  }

  /**
   * A FLAC whose first frame header is damaged: the decoder would skip to the next frame on its own and
   * everything would come early by a frame. Starts at the next valid frame instead, silence before it.
   */
  private async checkFirstFrame(): Promise<void> {
    const flac = this.setup.flacResync;
    if (!flac) return;
    const head = await readAt(this.fh, flac.audioAt, 32);
    if (head.length >= 6 && flacFrameSample(head, 0, flac.params) !== 0) await this.resync(flac, 1);
  }

  /** At the end of the stream: nothing decodable is an error, fewer frames than declared a truncation. */
  private checkLength(): void {
    const declared = this.info.frames;
    if (!this.decodedAny && declared !== 0 && this.setup.hasAudioData) {
      throw unsupportedAudio(this.path, `no decodable ${this.setup.codecName} audio`);
    }
    // Lossless FLAC must match STREAMINFO exactly; lossy lengths from tags may be off by a codec frame.
    const tolerance = this.setup.flacBits > 0 ? 0 : 4096;
    let message: string | null = null;
    if (declared !== null && this.decodedFrames < declared - tolerance) {
      message = truncatedMessage(declared, this.decodedFrames);
    } else if (this.setup.cutShort) {
      message = 'file is truncated: the Ogg stream ends without its end-of-stream page';
    }
    if (message) {
      if (this.strict) throw new AudioFileError(this.path, message, 'truncated');
      this.warnings.push({ code: 'truncated', message });
    } else if (this.decoderGaveUp) {
      this.warnings.push({ code: 'decode-error', message: 'the decoder stopped on damaged data: the rest of the file is lost' });
    }
  }

  async read(maxFrames: number): Promise<Float32Array[] | null> {
    if (this.closed) throw new AudioFileError(this.path, 'read after close');
    if (!(maxFrames >= 1)) throw new RangeError(`read: maxFrames must be >= 1, got ${maxFrames}`);
    maxFrames = Math.floor(maxFrames);
    while (this.fifoFrames < maxFrames && !this.ended) await this.pump();
    const n = Math.min(maxFrames, this.fifoFrames);
    if (n === 0) return null;
    const nch = this.info.channels;
    if (this.out.length === 0 || this.out[0].length < maxFrames) {
      this.out = [];
      for (let c = 0; c < nch; c++) this.out.push(new Float32Array(maxFrames));
      this.views = [];
    }
    const map = this.setup.channelMap;
    // FLAC output is x / (2^(n-1) - 1); round back to the integer and divide by 2^(n-1) so samples are
    // exact (for n <= 24 the float32 error is below 0.25 LSB, so rounding recovers the integer).
    const bits = this.setup.flacBits;
    const exact = bits > 0 && bits <= 24;
    const down = bits > 0 ? Math.pow(2, bits - 1) - 1 : 1;
    const inv = bits > 0 ? 1 / Math.pow(2, bits - 1) : 1;
    let done = 0;
    while (done < n) {
      const seg = this.fifo[0];
      const take = Math.min(n - done, seg[0].length - this.headPos);
      for (let c = 0; c < nch; c++) {
        const src = seg[map[c]];
        const dst = this.out[c];
        const s0 = this.headPos;
        if (exact) {
          for (let i = 0; i < take; i++) dst[done + i] = Math.round(src[s0 + i] * down) * inv;
        } else if (bits > 0) {
          const k = down * inv;
          for (let i = 0; i < take; i++) dst[done + i] = src[s0 + i] * k;
        } else {
          dst.set(src.subarray(s0, s0 + take), done);
        }
      }
      done += take;
      this.headPos += take;
      if (this.headPos >= seg[0].length) {
        this.fifo.shift();
        this.headPos = 0;
      }
    }
    this.fifoFrames -= n;
    this.views = blockViews(this.out, n, this.views);
    return this.views;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fifo = [];
    try {
      this.decoder.free();
    } catch {
      // already freed
    }
    await this.fh.close();
  }
}
