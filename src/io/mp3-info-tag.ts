/**
 * The "Info" frame of a constant-bit-rate MP3 with its LAME extension: the first frame of the file, no
 * audio, saying how many frames follow and how many samples of the decoded stream are the encoder's
 * delay and padding, so that players and decoders (ffmpeg, mpg123) trim them and an MP3 decodes to the
 * exact length of its source (gapless). The encoder streams frames without it; Mp3FrameCounter follows
 * the stream, and mp3InfoFrame() builds the frame written over a placeholder at the end.
 *
 * Layouts: the Xing/Info header (frames, bytes, TOC, quality) and the LAME tag revision 0 (Gabriel
 * Bouvigne's "Mp3 Info Tag rev 1 specifications", as LAME 3.100 writes it). MPEG-1 Layer III only
 * (32, 44.1 and 48 kHz): other rates keep their MP3 without the frame.
 */

/** Samples of delay LAME's encoder puts before the audio (the decoder's own 529 are added by decoders). */
export const LAME_ENCODER_DELAY = 576;
/** Samples per MPEG-1 Layer III frame. */
const SAMPLES_PER_FRAME = 1152;
const MPEG1_RATES = [44100, 48000, 32000];
const MPEG1_L3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];

/** Whether an MP3 at this rate gets the Info frame (MPEG-1 rates). */
export function hasInfoFrame(sampleRate: number): boolean {
  return MPEG1_RATES.includes(sampleRate);
}

/** Bytes of an MPEG-1 Layer III frame without the padding slot. */
export function mpeg1FrameBytes(kbps: number, sampleRate: number): number {
  return Math.floor((144 * kbps * 1000) / sampleRate);
}

/** CRC-16 as LAME computes its tag's checksums (polynomial 0x8005 reflected, initial 0: CRC-16/ARC). */
export function crc16(bytes: Uint8Array, crc = 0): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  }
  return c & 0xffff;
}

/**
 * Follows an MPEG-1 Layer III stream chunk by chunk: counts its frames, keeps the first frame's header
 * and the CRC-16 of all its bytes (the tag's "music CRC").
 */
export class Mp3FrameCounter {
  frames = 0;
  bytes = 0;
  crc = 0;
  /** The first frame's 4 header bytes (null before the first header). */
  firstHeader: Uint8Array | null = null;
  /** Bytes left of the current frame; the header of the next one starts after them. */
  private left = 0;
  private readonly partial = new Uint8Array(4);
  private partialFill = 0;

  /** @throws Error on bytes that are not an MPEG-1 Layer III frame where a header belongs */
  push(chunk: Uint8Array): void {
    this.crc = crc16(chunk, this.crc);
    this.bytes += chunk.length;
    let i = 0;
    while (i < chunk.length) {
      if (this.left > 0) {
        const n = Math.min(this.left, chunk.length - i);
        this.left -= n;
        i += n;
        continue;
      }
      // A header, possibly split across chunks.
      while (this.partialFill < 4 && i < chunk.length) this.partial[this.partialFill++] = chunk[i++];
      if (this.partialFill < 4) return;
      this.partialFill = 0;
      const size = frameBytesOf(this.partial);
      this.firstHeader ??= this.partial.slice();
      this.frames++;
      this.left = size - 4;
    }
  }
}

/** The size of the MPEG-1 Layer III frame starting with header `h`. */
function frameBytesOf(h: Uint8Array): number {
  const sync = h[0] === 0xff && (h[1] & 0xe0) === 0xe0;
  const mpeg1Layer3 = (h[1] & 0x1e) === 0x1a; // version bits 11 (MPEG-1), layer bits 01 (Layer III)
  const kbps = MPEG1_L3_KBPS[h[2] >> 4] ?? 0;
  const rate = MPEG1_RATES[(h[2] >> 2) & 3];
  if (!sync || !mpeg1Layer3 || !kbps || rate === undefined) throw new Error('MP3 encoder output is not an MPEG-1 Layer III frame');
  return mpeg1FrameBytes(kbps, rate) + ((h[2] >> 1) & 1);
}

/**
 * The Info frame for a stream of `frames` frames (`streamBytes` bytes, `musicCrc` their CRC-16) holding
 * `samples` samples per channel after LAME_ENCODER_DELAY. Same header as the audio frames (padding slot
 * off), so it is `mpeg1FrameBytes()` long.
 */
export function mp3InfoFrame(firstHeader: Uint8Array, frames: number, streamBytes: number, musicCrc: number, samples: number): Uint8Array {
  const rate = MPEG1_RATES[(firstHeader[2] >> 2) & 3];
  const kbps = MPEG1_L3_KBPS[firstHeader[2] >> 4];
  const size = mpeg1FrameBytes(kbps, rate);
  const f = new Uint8Array(size);
  f.set(firstHeader.subarray(0, 4));
  f[2] &= ~0x02; // no padding slot
  const mono = (firstHeader[3] >> 6) === 3;
  const crcProtected = (firstHeader[1] & 1) === 0;
  let o = 4 + (crcProtected ? 2 : 0) + (mono ? 17 : 32); // side information: all zero
  const u32 = (v: number) => { f[o++] = (v >>> 24) & 0xff; f[o++] = (v >>> 16) & 0xff; f[o++] = (v >>> 8) & 0xff; f[o++] = v & 0xff; };
  for (const ch of 'Info') f[o++] = ch.charCodeAt(0);
  u32(0x0f); // frames, bytes, TOC and quality present
  u32(frames);
  const total = size + streamBytes;
  u32(total);
  for (let i = 0; i < 100; i++) f[o++] = Math.floor((i * 256) / 100); // CBR: byte position proportional to time
  u32(0); // quality (unused for CBR)
  const tagStart = o;
  for (const ch of 'LAME3.100') f[o++] = ch.charCodeAt(0);
  f[o++] = 0x01; // tag revision 0, CBR
  f[o++] = 0; // low-pass unknown
  o += 8; // replay gain: none
  f[o++] = 0; // encoding flags, ATH type
  f[o++] = Math.min(255, kbps);
  // 12 bits; LAME pads less than two frames, so the clamp never bites.
  const padding = Math.min(4095, Math.max(0, frames * SAMPLES_PER_FRAME - LAME_ENCODER_DELAY - samples));
  f[o++] = LAME_ENCODER_DELAY >> 4;
  f[o++] = ((LAME_ENCODER_DELAY & 0x0f) << 4) | ((padding >> 8) & 0x0f);
  f[o++] = padding & 0xff;
  o += 4; // misc, MP3 gain, preset and surround
  u32(total); // music length
  f[o++] = musicCrc >> 8;
  f[o++] = musicCrc & 0xff;
  if (o - tagStart !== 34) throw new Error('internal error: LAME tag layout');
  const tagCrc = crc16(f.subarray(0, o)); // everything before it: the frame's first 190 bytes in stereo
  f[o++] = tagCrc >> 8;
  f[o] = tagCrc & 0xff;
  return f;
}
