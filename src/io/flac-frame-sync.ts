/**
 * Finding the next FLAC frame in damaged data (RFC 9639 §9.1), so a reader can resume decoding after a
 * corrupt frame instead of losing the rest of the file: the decoder package stops for good at the first
 * frame it cannot parse.
 *
 * A candidate header must have the sync code, zero reserved bits, no reserved codes, fields that agree
 * with STREAMINFO, and a matching CRC-8: a random byte run passes all of that about once in 10^5 tries,
 * and the caller also requires the frame to start after everything decoded so far.
 */

import type { FileHandle } from 'node:fs/promises';
import { readAt } from './wav-format.js';

/** What a frame header must agree with: STREAMINFO's fields. */
export interface FlacStreamParams {
  sampleRate: number;
  channels: number;
  bits: number;
  /** STREAMINFO's maximum block size: the block size of every frame but the last in a fixed-size stream. */
  maxBlockSize: number;
}

/** A frame header: where it starts and the first sample it holds. */
export interface FlacFrameStart {
  offset: number;
  sample: number;
}

/** CRC-8, polynomial x^8 + x^2 + x + 1, initial 0 (RFC 9639 §9.1.8). */
const CRC8 = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

/** CRC-16, polynomial x^16 + x^15 + x^2 + 1, initial 0 (RFC 9639 §9.3): over a whole frame, footer included, it is 0. */
const CRC16 = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/**
 * Where the frame starting at b[start] ends, found by its CRC-16 (the first point after a header's worth
 * of bytes where the running CRC is 0), when its successor's sync code is gone; -1 when none before `limit`.
 */
export function flacFrameEnd(b: Uint8Array, start: number, limit: number): number {
  let crc = 0;
  for (let i = start; i < Math.min(limit, b.length); i++) {
    crc = ((crc << 8) & 0xffff) ^ CRC16[(crc >> 8) ^ b[i]];
    if (crc === 0 && i - start >= 16) return i + 1;
  }
  return -1;
}

/** Sample rates of codes 1..11 (RFC 9639 §9.1.2). */
const RATE_CODES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];
/** Bit depths of codes 1..7 (0: from STREAMINFO; 3 is reserved). */
const BITS_CODES = [0, 8, 12, -1, 16, 20, 24, 32];

/**
 * Parses a frame header at b[o]; returns the first sample of the frame, or -1 when the bytes there are
 * not a valid header of this stream.
 */
export function flacFrameSample(b: Uint8Array, o: number, p: FlacStreamParams): number {
  if (o + 6 > b.length || b[o] !== 0xff || (b[o + 1] & 0xfe) !== 0xf8) return -1;
  const variable = (b[o + 1] & 1) === 1;
  const blockCode = b[o + 2] >> 4;
  const rateCode = b[o + 2] & 0x0f;
  const chanCode = b[o + 3] >> 4;
  const bitsCode = (b[o + 3] >> 1) & 7;
  if (blockCode === 0 || rateCode === 15 || (b[o + 3] & 1) !== 0) return -1;
  const channels = chanCode <= 7 ? chanCode + 1 : chanCode <= 10 ? 2 : 0;
  if (channels !== p.channels) return -1;
  if (bitsCode !== 0 && BITS_CODES[bitsCode] !== p.bits) return -1;
  if (rateCode >= 1 && rateCode <= 11 && RATE_CODES[rateCode] !== p.sampleRate) return -1;
  // The coded number: UTF-8-style, 1 to 7 bytes (36 bits at most).
  let i = o + 4;
  const first = b[i++];
  let extra = 0;
  let value: number;
  if (first < 0x80) value = first;
  else if (first >= 0xc0 && first < 0xfe) {
    let mask = 0x40;
    while (first & mask) { extra++; mask >>= 1; }
    value = first & (mask - 1);
  } else return -1;
  if (i + extra > b.length) return -1;
  for (let k = 0; k < extra; k++, i++) {
    if ((b[i] & 0xc0) !== 0x80) return -1;
    value = value * 64 + (b[i] & 0x3f);
  }
  // Optional block size and sample rate bytes, then the CRC.
  i += blockCode === 6 ? 1 : blockCode === 7 ? 2 : 0;
  i += rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0;
  if (i >= b.length) return -1;
  let crc = 0;
  for (let k = o; k < i; k++) crc = CRC8[crc ^ b[k]];
  if (crc !== b[i]) return -1;
  return variable ? value : value * p.maxBlockSize;
}

/** The first frame header in b[from, b.length) whose first sample is in [after, before); null when none. */
export function nextFlacFrame(b: Uint8Array, from: number, after: number, before: number, p: FlacStreamParams): FlacFrameStart | null {
  for (let o = Math.max(0, from); o + 6 <= b.length; o++) {
    if (b[o] !== 0xff) continue;
    const sample = flacFrameSample(b, o, p);
    if (sample >= after && sample < before) return { offset: o, sample };
  }
  return null;
}

/** The longest frame header, bytes: windows overlap by this, so no header is missed at a seam. */
const HEADER_MAX = 16;
const WINDOW = 1 << 16;

/**
 * The first frame header in the file between `from` and `end` whose first sample is in [after, before),
 * read window by window; null when none.
 */
export async function findFlacFrame(fh: FileHandle, from: number, end: number, after: number, before: number, p: FlacStreamParams): Promise<FlacFrameStart | null> {
  for (let at = from; at < end; at += WINDOW) {
    const bytes = await readAt(fh, at, Math.min(WINDOW + HEADER_MAX, end - at));
    const hit = nextFlacFrame(bytes, 0, after, before, p);
    if (hit && hit.offset < WINDOW) return { offset: at + hit.offset, sample: hit.sample };
  }
  return null;
}
