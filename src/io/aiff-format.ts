/**
 * AIFF and AIFF-C headers (Apple's "Audio Interchange File Format" 1.3 and AIFF-C draft, 1991): the
 * export format of Logic, GarageBand and older Pro Tools. Parsed into a WavHeader, so the streaming WAV
 * reader does the rest: the same chunk buffers and converters, with the samples byte-swapped from big
 * endian where the format is.
 *
 * Read: uncompressed PCM 1-32 bits (AIFF, AIFF-C 'NONE'/'twos'/'in24'/'in32'), little-endian PCM
 * ('sowt'), 8-bit offset binary ('raw '), and IEEE float ('fl32', 'fl64'). Refused, naming the codec:
 * companded and compressed AIFF-C (mu-law, A-law, IMA ADPCM, MACE, ...).
 */
import type { FileHandle } from 'node:fs/promises';
import { MAX_CHANNELS, unsupportedAudio } from './audio-reader.js';
import { fourcc, readAt, type WavHeader, type WavSampleFormat } from './wav-format.js';

/** Most chunks scanned before giving up on finding both COMM and SSND. */
const MAX_CHUNKS = 10_000;

function u32be(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** An 80-bit IEEE 754 extended float (COMM's sample rate): sign, 15-bit exponent, 64-bit mantissa. */
export function extended80(b: Uint8Array, o: number): number {
  const sign = b[o] & 0x80 ? -1 : 1;
  const exp = ((b[o] & 0x7f) << 8) | b[o + 1];
  const hi = u32be(b, o + 2);
  const lo = u32be(b, o + 6);
  if (exp === 0 && hi === 0 && lo === 0) return 0;
  if (exp === 0x7fff) return NaN;
  return sign * (hi * 4294967296 + lo) * Math.pow(2, exp - 16383 - 63);
}

/** How an AIFF-C compression type stores samples: byte order and kind; null when we cannot read it. */
function encoding(type: string): { bigEndian: boolean; float: boolean; offsetBinary: boolean } | null {
  switch (type) {
    case 'NONE': case 'twos': case 'in24': case 'in32': return { bigEndian: true, float: false, offsetBinary: false };
    case 'sowt': return { bigEndian: false, float: false, offsetBinary: false };
    case 'raw ': return { bigEndian: true, float: false, offsetBinary: true };
    case 'fl32': case 'FL32': case 'fl64': case 'FL64': return { bigEndian: true, float: true, offsetBinary: false };
    default: return null;
  }
}

const CODEC_NAMES: Record<string, string> = {
  ulaw: 'mu-law', ULAW: 'mu-law', alaw: 'A-law', ALAW: 'A-law', ima4: 'IMA ADPCM', MAC3: 'MACE 3:1', MAC6: 'MACE 6:1',
  GSM: 'GSM', 'GSM ': 'GSM', Qclp: 'QCELP', 'sdx2': 'SDX2', 'ACE2': 'ACE 2:1', 'ACE8': 'ACE 8:3',
};

interface Comm {
  channels: number;
  frames: number;
  bits: number;
  sampleRate: number;
  type: string;
}

function parseComm(path: string, b: Uint8Array, aifc: boolean): Comm {
  if (b.length < 18) throw unsupportedAudio(path, 'AIFF COMM chunk too short');
  const channels = (b[0] << 8) | b[1];
  const frames = u32be(b, 2);
  const bits = (b[6] << 8) | b[7];
  const sampleRate = extended80(b, 8);
  const type = aifc ? (b.length >= 22 ? fourcc(b, 18) : '') : 'NONE';
  if (aifc && type === '') throw unsupportedAudio(path, 'AIFF-C COMM chunk has no compression type');
  if (channels < 1) throw unsupportedAudio(path, `AIFF with ${channels} channels`);
  if (channels > MAX_CHANNELS) throw unsupportedAudio(path, `${channels} channels: at most ${MAX_CHANNELS} are supported`);
  if (!(sampleRate >= 1 && sampleRate <= 10_000_000) || !Number.isInteger(Math.round(sampleRate))) {
    throw unsupportedAudio(path, `AIFF sample rate ${sampleRate} Hz`);
  }
  return { channels, frames, bits, sampleRate: Math.round(sampleRate), type };
}

/**
 * Walks the chunks of an AIFF or AIFF-C file to its COMM and SSND chunks.
 * Throws AudioFileError('not a supported audio file (...)') on anything it cannot read.
 */
export async function parseAiffHeader(path: string, fh: FileHandle, fileSize: number): Promise<WavHeader> {
  const head = await readAt(fh, 0, 12);
  if (head.length < 12 || fourcc(head, 0) !== 'FORM' || !/^AIF[FC]$/.test(fourcc(head, 8))) {
    throw unsupportedAudio(path, 'not an AIFF or AIFF-C file');
  }
  const aifc = fourcc(head, 8) === 'AIFC';
  let comm: Comm | null = null;
  let ssnd: { offset: number; bytes: number } | null = null;
  let pos = 12;
  for (let n = 0; n < MAX_CHUNKS && pos + 8 <= fileSize && !(comm && ssnd); n++) {
    const hdr = await readAt(fh, pos, 8);
    if (hdr.length < 8) break;
    const id = fourcc(hdr, 0);
    if (!/^[\x20-\x7e]{4}$/.test(id)) throw unsupportedAudio(path, `corrupt AIFF chunk header at byte ${pos}`);
    const size = u32be(hdr, 4);
    const body = pos + 8;
    if (id === 'COMM') {
      comm = parseComm(path, await readAt(fh, body, Math.min(size, 64)), aifc);
    } else if (id === 'SSND') {
      const b = await readAt(fh, body, 8);
      if (b.length < 8) throw unsupportedAudio(path, 'AIFF SSND chunk truncated');
      const offset = body + 8 + u32be(b, 0);
      ssnd = { offset, bytes: Math.max(0, size - 8 - u32be(b, 0)) };
    }
    pos = body + size + (size & 1);
  }
  if (!comm) throw unsupportedAudio(path, 'AIFF file has no COMM chunk');
  const enc = encoding(comm.type);
  if (!enc) {
    const name = CODEC_NAMES[comm.type] ?? `"${comm.type.replace(/[^\x20-\x7e]/g, '?')}"`;
    throw unsupportedAudio(path, `AIFF-C with ${name} compression is not supported`);
  }
  let bytesPerSample: number;
  let sampleFormat: WavSampleFormat;
  let validBits: number;
  if (enc.float) {
    bytesPerSample = comm.type.toLowerCase() === 'fl64' ? 8 : 4;
    sampleFormat = bytesPerSample === 8 ? 'float64' : 'float32';
    validBits = bytesPerSample * 8;
  } else {
    // Integer samples sit left-justified in whole bytes (a 20-bit sample fills a 24-bit container).
    const bits = comm.type === 'in24' ? 24 : comm.type === 'in32' ? 32 : comm.bits;
    if (bits < 1 || bits > 32) throw unsupportedAudio(path, `AIFF with ${bits}-bit samples`);
    bytesPerSample = Math.ceil(bits / 8);
    validBits = bits;
    sampleFormat = bytesPerSample === 1 ? (enc.offsetBinary ? 'uint8' : 'int8') : bytesPerSample === 2 ? 'int16' : bytesPerSample === 3 ? 'int24' : 'int32';
  }
  const blockAlign = bytesPerSample * comm.channels;
  // COMM's frame count is what the file promises (the SSND chunk may hold padding after it). A count of 0
  // with sample data is a recorder that never finalised its header: the SSND chunk's size then. No SSND:
  // no sample data at all (legal when COMM declares 0 frames).
  const data = ssnd ?? { offset: fileSize, bytes: 0 };
  const declared = comm.frames > 0 ? comm.frames * blockAlign : data.bytes - (data.bytes % blockAlign);
  return {
    container: aifc ? 'AIFC' : 'AIFF',
    sampleFormat,
    channels: comm.channels,
    sampleRate: comm.sampleRate,
    blockAlign,
    bytesPerSample,
    validBits,
    dataOffset: data.offset,
    declaredDataBytes: declared,
    bigEndian: enc.bigEndian && bytesPerSample > 1,
  };
}
