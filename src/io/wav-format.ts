/**
 * WAVE / RF64 / BW64 header layout: parsing a header chunk by chunk from an open file, and building the
 * fixed-size header the writer emits.
 *
 * References: Microsoft "Multimedia Programming Interface and Data Specifications 1.0" (RIFF, fmt, data,
 * pad byte after odd-sized chunks); Microsoft WAVEFORMATEXTENSIBLE (KSDATAFORMAT_SUBTYPE_* GUIDs,
 * dwChannelMask); EBU Tech 3306 (RF64: ds64 chunk, JUNK placeholder); ITU-R BS.2088 (BW64, same layout).
 */
import type { FileHandle } from 'node:fs/promises';
import { MAX_CHANNELS, unsupportedAudio } from './audio-reader.js';

export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Bytes 2..15 of KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT ({0000000x-0000-0010-8000-00AA00389B71}). */
export const SUBFORMAT_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** Sample encodings the reader converts ('int8': AIFF's signed 8-bit; WAV's 8-bit is 'uint8'). */
export type WavSampleFormat = 'uint8' | 'int8' | 'int16' | 'int24' | 'int32' | 'float32' | 'float64';

/** The header of a PCM or float file the streaming reader can read: WAV, or AIFF parsed into the same shape (aiff-format.ts). */
export interface WavHeader {
  container: 'RIFF' | 'RF64' | 'BW64' | 'AIFF' | 'AIFC';
  sampleFormat: WavSampleFormat;
  channels: number;
  sampleRate: number;
  /** Bytes per frame (all channels). */
  blockAlign: number;
  /** Bytes per sample in the container (1, 2, 3, 4 or 8). */
  bytesPerSample: number;
  /** Significant bits (wValidBitsPerSample for extensible, else wBitsPerSample). */
  validBits: number;
  channelMask?: number;
  /** File offset of the first sample byte. */
  dataOffset: number;
  /** Data bytes the header promises; null when the size means "to end of file" (0 or 0xFFFFFFFF). */
  declaredDataBytes: number | null;
  /** Multi-byte samples stored big-endian (AIFF); WAV's are little-endian. */
  bigEndian?: boolean;
}

/** Most chunks scanned before giving up on finding "data" (guards against looping on garbage). */
const MAX_CHUNKS = 10_000;

const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'MS ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MP3',
  0x00ff: 'AAC',
  0x2000: 'AC-3',
};

/** Four ASCII characters at `off` (a RIFF or IFF chunk id). */
export function fourcc(buf: Uint8Array, off: number): string {
  return String.fromCharCode(buf[off], buf[off + 1], buf[off + 2], buf[off + 3]);
}

function isChunkId(buf: Uint8Array, off: number): boolean {
  for (let i = 0; i < 4; i++) {
    const b = buf[off + i];
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}

function u16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/** Unsigned 64-bit little-endian as a Number (exact below 2^53, far beyond any file). */
function u64(b: Uint8Array, o: number): number {
  return u32(b, o) + u32(b, o + 4) * 4294967296;
}

/** Reads up to `length` bytes at `position` (fewer only at end of file). */
export async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** What the fmt chunk says: the header less what the chunk scan finds (container, data position and size). */
type FmtInfo = Omit<WavHeader, 'container' | 'dataOffset' | 'declaredDataBytes'>;

function parseFmt(path: string, b: Uint8Array): FmtInfo {
  if (b.length < 16) throw unsupportedAudio(path, `WAV fmt chunk too short (${b.length} bytes)`);
  let tag = u16(b, 0);
  const channels = u16(b, 2);
  const sampleRate = u32(b, 4);
  let blockAlign = u16(b, 12);
  const bits = u16(b, 14);
  let validBits = bits;
  let channelMask: number | undefined;
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (b.length < 40) throw unsupportedAudio(path, 'WAV extensible fmt chunk too short');
    validBits = u16(b, 18) || bits;
    channelMask = u32(b, 20);
    const sub = u16(b, 24);
    for (let i = 0; i < SUBFORMAT_GUID_TAIL.length; i++) {
      if (b[26 + i] !== SUBFORMAT_GUID_TAIL[i]) {
        throw unsupportedAudio(path, 'WAV extensible sub-format GUID is not PCM or IEEE float');
      }
    }
    tag = sub;
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    const name = FORMAT_NAMES[tag] ? ` (${FORMAT_NAMES[tag]})` : '';
    throw unsupportedAudio(path, `WAV format tag 0x${tag.toString(16).padStart(4, '0')}${name}: only PCM and IEEE float are supported`);
  }
  if (channels < 1) throw unsupportedAudio(path, 'WAV header has 0 channels');
  if (channels > MAX_CHANNELS) throw unsupportedAudio(path, `${channels} channels: at most ${MAX_CHANNELS} are supported`);
  if (sampleRate < 1) throw unsupportedAudio(path, 'WAV header has sample rate 0');
  if (bits < 1) throw unsupportedAudio(path, 'WAV header has 0 bits per sample');
  // Container size per sample: trust blockAlign when it is consistent, else derive it from the bit depth
  // (some writers put a wrong blockAlign in the header).
  let bytesPerSample = blockAlign % channels === 0 ? blockAlign / channels : 0;
  const fromBits = Math.ceil(bits / 8);
  if (bytesPerSample < fromBits || bytesPerSample > 8) {
    bytesPerSample = fromBits;
    blockAlign = bytesPerSample * channels;
  }
  let sampleFormat: WavSampleFormat;
  if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bytesPerSample === 4) sampleFormat = 'float32';
    else if (bytesPerSample === 8) sampleFormat = 'float64';
    else throw unsupportedAudio(path, `WAV float with ${bits} bits per sample`);
  } else {
    switch (bytesPerSample) {
      case 1: sampleFormat = 'uint8'; break;
      case 2: sampleFormat = 'int16'; break;
      case 3: sampleFormat = 'int24'; break;
      case 4: sampleFormat = 'int32'; break;
      default: throw unsupportedAudio(path, `WAV PCM with ${bits} bits per sample in ${bytesPerSample} bytes`);
    }
  }
  if (validBits > bytesPerSample * 8) validBits = bytesPerSample * 8;
  return { sampleFormat, channels, sampleRate, blockAlign, bytesPerSample, validBits, channelMask };
}

/**
 * Walks the chunks of a RIFF/RF64/BW64 WAVE file up to the data chunk.
 * Unknown chunks are skipped (with their pad byte when odd-sized); a ds64 chunk supplies 64-bit sizes.
 * Throws AudioFileError('not a supported audio file (...)') on anything it cannot read.
 */
export async function parseWavHeader(path: string, fh: FileHandle, fileSize: number): Promise<WavHeader> {
  const head = await readAt(fh, 0, 12);
  if (head.length < 12) throw unsupportedAudio(path, 'WAV header truncated');
  const id = fourcc(head, 0);
  if ((id !== 'RIFF' && id !== 'RF64' && id !== 'BW64') || fourcc(head, 8) !== 'WAVE') {
    throw unsupportedAudio(path, 'not a RIFF/RF64/BW64 WAVE file');
  }
  const container = id as WavHeader['container'];
  let ds64DataBytes: number | null = null;
  let fmt: FmtInfo | null = null;
  let data: { offset: number; bytes: number | null } | null = null;
  let pos = 12;
  for (let n = 0; n < MAX_CHUNKS && pos + 8 <= fileSize; n++) {
    let hdr = await readAt(fh, pos, 8);
    if (hdr.length < 8) break;
    if (!isChunkId(hdr, 0) && pos > 12) {
      // A writer that forgot the pad byte after an odd-sized chunk: the real header is one byte earlier.
      const prev = await readAt(fh, pos - 1, 8);
      if (prev.length === 8 && isChunkId(prev, 0)) {
        pos -= 1;
        hdr = prev;
      }
    }
    if (!isChunkId(hdr, 0)) throw unsupportedAudio(path, `corrupt WAV chunk header at byte ${pos}`);
    const cid = fourcc(hdr, 0);
    let size = u32(hdr, 4);
    const body = pos + 8;
    if (cid === 'ds64') {
      const b = await readAt(fh, body, Math.min(size, 28));
      if (b.length < 16) throw unsupportedAudio(path, 'RF64 ds64 chunk too short');
      ds64DataBytes = u64(b, 8);
    } else if (cid === 'fmt ') {
      fmt = parseFmt(path, await readAt(fh, body, Math.min(size, 64)));
    } else if (cid === 'data') {
      let bytes: number | null = size;
      if (container !== 'RIFF' && size === 0xffffffff) bytes = ds64DataBytes;
      else if (size === 0xffffffff) bytes = null;
      if (bytes === 0) bytes = null;
      data = { offset: body, bytes };
      // fmt normally precedes data; when it does not, keep scanning only if the data size is known.
      if (fmt || bytes === null) break;
      size = bytes;
    } else if (size === 0xffffffff && container !== 'RIFF') {
      throw unsupportedAudio(path, `RF64 chunk "${cid}" with 64-bit size is not supported`);
    }
    pos = body + size + (size & 1);
  }
  if (!fmt) throw unsupportedAudio(path, 'WAV file has no fmt chunk');
  if (!data) throw unsupportedAudio(path, 'WAV file has no data chunk');
  return { container, ...fmt, dataOffset: data.offset, declaredDataBytes: data.bytes };
}

/** Default dwChannelMask per channel count (WAVE/SMPTE order; matches core/audio/channel-layout.ts). */
export function defaultChannelMask(channels: number): number {
  switch (channels) {
    case 1: return 0x4; // FC
    case 2: return 0x3; // FL FR
    case 3: return 0x7; // FL FR FC
    case 4: return 0x33; // FL FR BL BR
    case 5: return 0x607; // FL FR FC SL SR
    case 6: return 0x60f; // FL FR FC LFE SL SR (5.1 side)
    case 7: return 0x70f; // FL FR FC LFE BC SL SR
    case 8: return 0x63f; // FL FR FC LFE BL BR SL SR
    default: return 0;
  }
}

export type WavWriteFormat = 'pcm16' | 'pcm24' | 'float32';

/** Layout of the header the writer emits: RIFF, JUNK (room for ds64), fmt, data. */
export interface WavHeaderLayout {
  bytes: Uint8Array;
  /** Offset of the data chunk's first sample byte. */
  dataOffset: number;
}

/** Size of a ds64 chunk body without a table: riffSize, dataSize, sampleCount (8 bytes each) + tableLength. */
export const DS64_BODY_BYTES = 28;

export interface WavHeaderFields {
  format: WavWriteFormat;
  sampleRate: number;
  channels: number;
  channelMask?: number;
  /** Bytes of sample data (without pad byte). */
  dataBytes: number;
  /** Write RF64 (ds64 with 64-bit sizes) instead of RIFF (JUNK placeholder). */
  rf64: boolean;
}

/**
 * Builds the writer's header. The layout (and so dataOffset) is the same for RIFF and RF64, so the
 * header can be rewritten in place when the data grows past 4 GiB (EBU Tech 3306 §3: JUNK → ds64).
 */
export function buildWavHeader(f: WavHeaderFields): WavHeaderLayout {
  const bytesPerSample = f.format === 'pcm16' ? 2 : f.format === 'pcm24' ? 3 : 4;
  const isFloat = f.format === 'float32';
  const blockAlign = bytesPerSample * f.channels;
  const mask = f.channelMask ?? defaultChannelMask(f.channels);
  // WAVEFORMATEXTENSIBLE is required for more than 2 channels or more than 16 bits (Microsoft,
  // "WAVEFORMATEXTENSIBLE"); a plain PCM header keeps 16-bit mono/stereo readable by old software.
  const extensible = f.channels > 2 || bytesPerSample > 2 || (f.channelMask !== undefined && f.channelMask !== defaultChannelMask(f.channels));
  const fmtBytes = extensible ? 40 : 16;
  const headerBytes = 12 + (8 + DS64_BODY_BYTES) + (8 + fmtBytes) + 8;
  const b = new Uint8Array(headerBytes);
  const dv = new DataView(b.buffer);
  const ascii = (off: number, s: string) => { for (let i = 0; i < 4; i++) b[off + i] = s.charCodeAt(i); };
  const pad = f.dataBytes & 1;
  const riffBytes = headerBytes - 8 + f.dataBytes + pad;
  const setU64 = (off: number, v: number) => {
    dv.setUint32(off, v % 4294967296, true);
    dv.setUint32(off + 4, Math.floor(v / 4294967296), true);
  };
  let o = 0;
  ascii(o, f.rf64 ? 'RF64' : 'RIFF');
  dv.setUint32(o + 4, f.rf64 ? 0xffffffff : riffBytes, true);
  ascii(o + 8, 'WAVE');
  o = 12;
  ascii(o, f.rf64 ? 'ds64' : 'JUNK');
  dv.setUint32(o + 4, DS64_BODY_BYTES, true);
  if (f.rf64) {
    setU64(o + 8, riffBytes);
    setU64(o + 16, f.dataBytes);
    setU64(o + 24, f.dataBytes / blockAlign);
    dv.setUint32(o + 32, 0, true);
  }
  o += 8 + DS64_BODY_BYTES;
  ascii(o, 'fmt ');
  dv.setUint32(o + 4, fmtBytes, true);
  dv.setUint16(o + 8, extensible ? WAVE_FORMAT_EXTENSIBLE : isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
  dv.setUint16(o + 10, f.channels, true);
  dv.setUint32(o + 12, f.sampleRate, true);
  dv.setUint32(o + 16, f.sampleRate * blockAlign, true);
  dv.setUint16(o + 20, blockAlign, true);
  dv.setUint16(o + 22, bytesPerSample * 8, true);
  if (extensible) {
    dv.setUint16(o + 24, 22, true); // cbSize
    dv.setUint16(o + 26, bytesPerSample * 8, true); // wValidBitsPerSample
    dv.setUint32(o + 28, mask >>> 0, true);
    dv.setUint16(o + 32, isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
    b.set(SUBFORMAT_GUID_TAIL, o + 34);
  }
  o += 8 + fmtBytes;
  ascii(o, 'data');
  dv.setUint32(o + 4, f.rf64 ? 0xffffffff : f.dataBytes, true);
  return { bytes: b, dataOffset: o + 8 };
}

/** Reverses each `width`-byte word in place (only on big-endian hosts: WAV is little-endian). */
export function swapBytes(b: Uint8Array, length: number, width: number): void {
  for (let i = 0; i + width <= length; i += width) {
    for (let a = i, z = i + width - 1; a < z; a++, z--) {
      const t = b[a];
      b[a] = b[z];
      b[z] = t;
    }
  }
}
