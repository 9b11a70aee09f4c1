/**
 * openAudio(): the one entry point for reading audio files. Sniffs the first bytes (never the file
 * extension) and returns a streaming AudioReader: WAV/RF64/BW64 and AIFF/AIFF-C natively, FLAC, MP3,
 * Ogg Vorbis and Ogg Opus through wasm decoders, MP4/M4A, CAF, ADTS, AU, WavPack, Monkey's Audio and WMA
 * through ffmpeg when installed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { AudioFileError, type AudioReader } from './audio-reader.js';
import { CompressedReader, findMpegSync, firstOggPacket, type CompressedKind } from './compressed-reader.js';
import { readAt } from './wav-format.js';
import { WavReader } from './wav-reader.js';
import { FfmpegReader, type FfmpegFormat } from './ffmpeg-reader.js';

export interface OpenAudioOptions {
  /** Turn recoverable problems (truncated data, decode errors mid-stream) into errors. */
  strict?: boolean;
}

/** The ASF header object's GUID, 75B22630-668E-11CF-A6D9-00AA0062CE6C, as it is stored. */
const ASF_GUID = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c];

/** Bytes read for sniffing (and for the stream headers the compressed readers parse). */
const HEAD_BYTES = 8192;

export type SniffResult =
  | { kind: 'wav' | 'aiff' | CompressedKind; offset: number }
  | { kind: 'ffmpeg'; offset: 0; format: FfmpegFormat }
  | { kind: null; why: string };

function ascii(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n && o + i < b.length; i++) s += String.fromCharCode(b[o + i]);
  return s;
}

/** Size of an ID3v2 tag starting at 0 (header + body + optional footer), or 0 if there is none. */
export function id3v2Size(b: Uint8Array): number {
  if (b.length < 10 || ascii(b, 0, 3) !== 'ID3' || b[3] === 0xff || b[4] === 0xff) return 0;
  if ((b[6] | b[7] | b[8] | b[9]) & 0x80) return 0;
  const body = (b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9];
  return 10 + body + (b[5] & 0x10 ? 10 : 0);
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    // Printable ASCII, whitespace, or UTF-8 multibyte lead/continuation bytes.
    if (!((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d || c >= 0x80)) return false;
  }
  // Mostly-high-bit data is more likely binary than UTF-8 text.
  let high = 0;
  for (let i = 0; i < n; i++) if (b[i] >= 0x80) high++;
  return high < n / 4;
}

/**
 * Identifies the format from the first bytes of a file. `head` starts at file offset `headOffset`
 * (non-zero when sniffing what follows an ID3v2 tag).
 */
export function sniffAudio(head: Uint8Array, fileSize: number, headOffset = 0): SniffResult {
  if (head.length === 0) return { kind: null, why: headOffset ? 'nothing after the ID3 tag' : 'empty file' };
  const id4 = ascii(head, 0, 4);
  if (id4 === 'RIFF' || id4 === 'RF64' || id4 === 'BW64') {
    const form = ascii(head, 8, 4);
    if (form === 'WAVE') return { kind: 'wav', offset: 0 };
    return { kind: null, why: `RIFF form "${form.replace(/[^\x20-\x7e]/g, '?')}" is not WAVE` };
  }
  if (id4 === 'fLaC') return { kind: 'flac', offset: headOffset };
  if (id4 === 'FORM') {
    const form = ascii(head, 8, 4);
    if (form === 'AIFF' || form === 'AIFC') return { kind: 'aiff', offset: 0 };
    return { kind: null, why: `IFF form "${form.replace(/[^\x20-\x7e]/g, '?')}" is not AIFF` };
  }
  if (id4 === 'OggS') {
    const p = firstOggPacket(head);
    if (p < 0) return { kind: null, why: 'Ogg page header truncated' };
    if (ascii(head, p, 7) === '\x01vorbis') return { kind: 'ogg-vorbis', offset: 0 };
    if (ascii(head, p, 8) === 'OpusHead') return { kind: 'ogg-opus', offset: 0 };
    if (ascii(head, p, 5) === '\x7fFLAC') return { kind: 'ogg-flac', offset: 0 };
    const codec = ascii(head, p, 8).replace(/[^\x20-\x7e]/g, '').trim();
    return { kind: null, why: `Ogg stream with codec "${codec || '?'}" is not supported` };
  }
  // Magic numbers of what ffmpeg decodes (io/ffmpeg-reader.ts), before the MPEG frame search, which
  // could otherwise find frame-like bytes inside them.
  if (headOffset === 0) {
    if (ascii(head, 4, 4) === 'ftyp') return { kind: 'ffmpeg', offset: 0, format: 'MP4/M4A' };
    if (id4 === 'caff') return { kind: 'ffmpeg', offset: 0, format: 'CAF' };
    if (id4 === '.snd') return { kind: 'ffmpeg', offset: 0, format: 'Sun/NeXT AU' };
    if (id4 === 'wvpk') return { kind: 'ffmpeg', offset: 0, format: 'WavPack' };
    if (id4 === 'MAC ') return { kind: 'ffmpeg', offset: 0, format: "Monkey's Audio" };
    if (head.length >= 16 && ASF_GUID.every((b, i) => head[i] === b)) return { kind: 'ffmpeg', offset: 0, format: 'WMA (ASF)' };
  }
  if (head[0] === 0xff && (head[1] & 0xf6) === 0xf0) return { kind: 'ffmpeg', offset: 0, format: 'AAC (ADTS)' };
  const sync = findMpegSync(head, 0, headOffset ? 4096 : 0, fileSize, headOffset);
  if (sync >= 0) return { kind: 'mp3', offset: headOffset + sync };
  if (id4 === 'MThd') return { kind: null, why: 'MIDI is not audio' };
  if (id4 === 'PK\x03\x04') return { kind: null, why: 'zip archive' };
  if (looksLikeText(head)) return { kind: null, why: 'looks like a text file' };
  const hex = Array.from(head.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return { kind: null, why: `unrecognized format, first bytes ${hex}` };
}

function openError(path: string, err: NodeJS.ErrnoException): AudioFileError {
  switch (err.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new AudioFileError(path, 'no such file', 'io');
    case 'EACCES':
    case 'EPERM':
      return new AudioFileError(path, 'permission denied', 'io');
    case 'EISDIR':
      return new AudioFileError(path, 'is a directory', 'io');
    default:
      return new AudioFileError(path, `cannot open: ${err.message}`, 'io');
  }
}

/**
 * Opens an audio file for streaming reads.
 * @throws AudioFileError 'no such file' | 'permission denied' | 'is a directory' |
 *   'not a supported audio file (<why>)' | 'file is truncated: ...' (strict only)
 */
export async function openAudio(path: string, opts: OpenAudioOptions = {}): Promise<AudioReader> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw openError(path, err as NodeJS.ErrnoException);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new AudioFileError(path, 'is a directory', 'io');
    if (!st.isFile()) throw new AudioFileError(path, 'not a regular file', 'io');
    let head: Uint8Array;
    try {
      head = await readAt(fh, 0, Math.min(HEAD_BYTES, st.size));
    } catch (err) {
      throw openError(path, err as NodeJS.ErrnoException);
    }
    let sniff = sniffAudio(head, st.size);
    const id3 = id3v2Size(head);
    if (sniff.kind === null && id3 > 0) {
      // An ID3v2 tag (MP3, sometimes FLAC): sniff what follows it.
      head = await readAt(fh, id3, Math.min(HEAD_BYTES, Math.max(0, st.size - id3)));
      sniff = sniffAudio(head, st.size, id3);
    }
    if (sniff.kind === null) throw new AudioFileError(path, `not a supported audio file (${sniff.why})`);
    if (sniff.offset === 0 && id3 > 0) {
      // Only MPEG and FLAC streams are found behind an ID3 tag; WAV and Ogg must start the file.
      throw new AudioFileError(path, `not a supported audio file (${sniff.kind} data after an ID3 tag)`);
    }
    if (sniff.kind === 'wav' || sniff.kind === 'aiff') return await WavReader.open(path, fh, st.size, opts, sniff.kind);
    if (sniff.kind === 'ffmpeg') {
      // ffmpeg opens the file itself.
      await fh.close();
      return await FfmpegReader.open(path, sniff.format, opts);
    }
    // The compressed readers parse stream headers from bytes that start where the stream starts.
    if (sniff.offset > 0) head = await readAt(fh, sniff.offset, Math.min(HEAD_BYTES, st.size - sniff.offset));
    return await CompressedReader.open(path, fh, st.size, sniff.kind, head, sniff.offset, opts);
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}
