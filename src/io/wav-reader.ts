/**
 * Streaming WAV / RF64 / BW64 reader: PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE; also
 * AIFF / AIFF-C, whose header aiff-format.ts parses into the same shape (big-endian samples are swapped
 * to little-endian in the chunk buffer, then converted as WAV's).
 *
 * Memory is fixed: two chunk buffers of CHUNK_BYTES (the next one is read from disk while the current one
 * is converted) plus the planar output blocks. Integer samples are scaled by 2^-(bits-1) of their
 * container (int16 / 32768, int24 / 8388608, int32 / 2^31, uint8 (x - 128) / 128), so full-scale negative
 * is exactly -1. Float samples pass through unchanged, non-finite ones included.
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { AudioFileError, blockViews, truncatedMessage, type AudioInfo, type AudioReader } from './audio-reader.js';
import { parseWavHeader, swapBytes, type WavHeader, type WavSampleFormat } from './wav-format.js';
import { parseAiffHeader } from './aiff-format.js';
import { f32StereoPlanarWasm, int16StereoPlanarWasm, int24PlanarWasm } from './pcm-wasm.js';

/** Bytes read from disk per request (rounded down to whole frames). */
export const WAV_CHUNK_BYTES = 1 << 20;

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface WavReaderOptions {
  /** Make a truncated file an error instead of a warning. */
  strict?: boolean;
  /** Bytes per disk read (tests use small values to exercise chunk boundaries). */
  chunkBytes?: number;
  /**
   * Read with blocking calls on this thread instead of the thread pool. For worker threads whose only job
   * is the render (the mix workers): a pool round trip per read costs more than the read from the page
   * cache, and there is nothing else for the thread to do meanwhile. One chunk buffer then, not two.
   */
  syncReads?: boolean;
}

/** One chunk of raw bytes with typed views over it (the buffer starts 8-byte aligned). */
interface Chunk {
  bytes: Uint8Array;
  i16: Int16Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  /** Whole frames held. */
  frames: number;
}

function allocChunk(byteLength: number): Chunk {
  const buf = new ArrayBuffer(byteLength);
  return {
    bytes: new Uint8Array(buf),
    i16: new Int16Array(buf, 0, byteLength >> 1),
    i32: new Int32Array(buf, 0, byteLength >> 2),
    f32: new Float32Array(buf, 0, byteLength >> 2),
    f64: new Float64Array(buf, 0, byteLength >> 3),
    frames: 0,
  };
}


/*
 * Conversion loops: interleaved chunk → planar outputs. Arguments: the chunk, the first frame and the
 * number of frames to convert, the channel count, the outputs and the write offset in them.
 * Stereo (the common case) converts both channels in one pass over the source, about 1.5× faster than
 * the general loop, which runs channels outside samples so each inner loop writes one output array.
 */

function convertFloat32(ch: Chunk, start: number, n: number, nch: number, out: readonly Float32Array[], off: number): void {
  const src = ch.f32;
  if (nch === 1) {
    out[0].set(src.subarray(start, start + n), off);
  } else if (nch === 2 && n >= 64 && f32StereoPlanarWasm(ch.bytes, start * 8, n, out, off)) {
    return;
  } else if (nch === 2) {
    const l = out[0];
    const r = out[1];
    for (let i = 0, j = start * 2; i < n; i++, j += 2) {
      l[off + i] = src[j];
      r[off + i] = src[j + 1];
    }
  } else {
    for (let c = 0; c < nch; c++) {
      const o = out[c];
      for (let i = 0, j = start * nch + c; i < n; i++, j += nch) o[off + i] = src[j];
    }
  }
}

function convertFloat64(ch: Chunk, start: number, n: number, nch: number, out: readonly Float32Array[], off: number): void {
  const src = ch.f64;
  if (nch === 2) {
    const l = out[0];
    const r = out[1];
    for (let i = 0, j = start * 2; i < n; i++, j += 2) {
      l[off + i] = src[j];
      r[off + i] = src[j + 1];
    }
    return;
  }
  for (let c = 0; c < nch; c++) {
    const o = out[c];
    for (let i = 0, j = start * nch + c; i < n; i++, j += nch) o[off + i] = src[j];
  }
}

function convertInt16(ch: Chunk, start: number, n: number, nch: number, out: readonly Float32Array[], off: number): void {
  const src = ch.i16;
  const k = 1 / 32768;
  if (nch === 2 && n >= 64 && int16StereoPlanarWasm(ch.bytes, start * 4, n, out, off)) return;
  if (nch === 2) {
    const l = out[0];
    const r = out[1];
    for (let i = 0, j = start * 2; i < n; i++, j += 2) {
      l[off + i] = src[j] * k;
      r[off + i] = src[j + 1] * k;
    }
    return;
  }
  for (let c = 0; c < nch; c++) {
    const o = out[c];
    for (let i = 0, j = start * nch + c; i < n; i++, j += nch) o[off + i] = src[j] * k;
  }
}

function convertInt32(ch: Chunk, start: number, n: number, nch: number, out: readonly Float32Array[], off: number): void {
  const src = ch.i32;
  const k = 1 / 2147483648;
  if (nch === 2) {
    const l = out[0];
    const r = out[1];
    for (let i = 0, j = start * 2; i < n; i++, j += 2) {
      l[off + i] = src[j] * k;
      r[off + i] = src[j + 1] * k;
    }
    return;
  }
  for (let c = 0; c < nch; c++) {
    const o = out[c];
    for (let i = 0, j = start * nch + c; i < n; i++, j += nch) o[off + i] = src[j] * k;
  }
}

/** 24-bit samples byte by byte: the three little-endian bytes go to bits 8..31 of an int32 (the sign
 * comes for free), then / 2^31. */
function convertInt24Bytes(ch: Chunk, start: number, n: number, nch: number, out: readonly Float32Array[], off: number): void {
  const b = ch.bytes;
  const k = 1 / 2147483648;
  const stride = 3 * nch;
  for (let c = 0; c < nch; c++) {
    const o = out[c];
    for (let i = 0, j = (start * nch + c) * 3; i < n; i++, j += stride) {
      o[off + i] = ((b[j] << 8) | (b[j + 1] << 16) | (b[j + 2] << 24)) * k;
    }
  }
}

/**
 * 24-bit mono or stereo, four samples (12 bytes) from three aligned 32-bit loads, about twice as fast as
 * byte loads. `start` must make the byte offset a multiple of 12; converts `groups` groups of 4 samples.
 */
function convertInt24Words(w: Int32Array, start: number, groups: number, nch: number, out: readonly Float32Array[], off: number): void {
  const k = 1 / 2147483648;
  let j = (start * nch * 3) >> 2;
  if (nch === 1) {
    const o = out[0];
    for (let g = 0, i = off; g < groups; g++, i += 4, j += 3) {
      const w0 = w[j];
      const w1 = w[j + 1];
      const w2 = w[j + 2];
      o[i] = (w0 << 8) * k;
      o[i + 1] = (((w0 >>> 24) << 8) | (w1 << 16)) * k;
      o[i + 2] = (((w1 >>> 16) << 8) | (w2 << 24)) * k;
      o[i + 3] = (w2 & -256) * k;
    }
  } else {
    const l = out[0];
    const r = out[1];
    for (let g = 0, i = off; g < groups; g++, i += 2, j += 3) {
      const w0 = w[j];
      const w1 = w[j + 1];
      const w2 = w[j + 2];
      l[i] = (w0 << 8) * k;
      r[i] = (((w0 >>> 24) << 8) | (w1 << 16)) * k;
      l[i + 1] = (((w1 >>> 16) << 8) | (w2 << 24)) * k;
      r[i + 1] = (w2 & -256) * k;
    }
  }
}

function convertInt24(ch: Chunk, start: number, n: number, nch: number, out: readonly Float32Array[], off: number): void {
  if (n >= 64 && int24PlanarWasm(ch.bytes, start * nch * 3, n, nch, out, off)) return;
  if (nch > 2 || !IS_LITTLE_ENDIAN) {
    convertInt24Bytes(ch, start, n, nch, out, off);
    return;
  }
  // Bytes up to a 12-byte boundary, whole 4-sample groups as words, then the remaining frames as bytes.
  const perGroup = 4 / nch;
  const head = Math.min(n, (perGroup - (start % perGroup)) % perGroup);
  convertInt24Bytes(ch, start, head, nch, out, off);
  const groups = Math.floor((n - head) / perGroup);
  convertInt24Words(ch.i32, start + head, groups, nch, out, off + head);
  const done = head + groups * perGroup;
  convertInt24Bytes(ch, start + done, n - done, nch, out, off + done);
}

function convertUint8(ch: Chunk, start: number, n: number, nch: number, out: readonly Float32Array[], off: number): void {
  const b = ch.bytes;
  const k = 1 / 128;
  for (let c = 0; c < nch; c++) {
    const o = out[c];
    for (let i = 0, j = start * nch + c; i < n; i++, j += nch) o[off + i] = (b[j] - 128) * k;
  }
}

function convertInt8(ch: Chunk, start: number, n: number, nch: number, out: readonly Float32Array[], off: number): void {
  const b = ch.bytes;
  const k = 1 / 128;
  for (let c = 0; c < nch; c++) {
    const o = out[c];
    for (let i = 0, j = start * nch + c; i < n; i++, j += nch) o[off + i] = ((b[j] << 24) >> 24) * k;
  }
}

type Converter = typeof convertFloat32;

const CONVERTERS: Record<WavSampleFormat, Converter> = {
  uint8: convertUint8,
  int8: convertInt8,
  int16: convertInt16,
  int24: convertInt24,
  int32: convertInt32,
  float32: convertFloat32,
  float64: convertFloat64,
};

export class WavReader implements AudioReader {
  readonly warnings: { code: string; message: string }[] = [];
  private readonly convert: Converter;
  private readonly blockAlign: number;
  private readonly nch: number;
  private readonly swapWidth: number;
  /** File position of the next byte to request, and the end of the usable data (whole frames). */
  private filePos: number;
  private readonly fileEnd: number;
  /** The chunk being converted, the next frame in it, and the read in flight into the spare chunk. */
  private current: Chunk;
  private spare: Chunk;
  private chunkPos = 0;
  private pending: Promise<number> | null = null;
  private out: Float32Array[] = [];
  private views: Float32Array[] = [];
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly info: AudioInfo,
    header: WavHeader,
    presentBytes: number,
    chunkBytes: number,
    private readonly syncReads: boolean,
  ) {
    this.convert = CONVERTERS[header.sampleFormat];
    this.blockAlign = header.blockAlign;
    this.nch = header.channels;
    // The converters read 24-bit samples as little-endian bytes and the others through native typed
    // arrays: swap what does not match.
    const w = header.bytesPerSample;
    const dataLittle = header.bigEndian !== true;
    this.swapWidth = w === 1 ? 0 : w === 3 ? (dataLittle ? 0 : 3) : dataLittle === IS_LITTLE_ENDIAN ? 0 : w;
    this.filePos = header.dataOffset;
    this.fileEnd = header.dataOffset + presentBytes;
    // Whole frames per chunk, never more than the data needs (small files stay small); a second chunk
    // for read-ahead only when the data does not fit in one and reads are asynchronous (a blocking read
    // has nothing to overlap with).
    const frames = Math.max(1, Math.min(Math.floor(chunkBytes / this.blockAlign), presentBytes / this.blockAlign));
    this.current = allocChunk(frames * this.blockAlign);
    this.spare = presentBytes > this.current.bytes.length && !syncReads ? allocChunk(frames * this.blockAlign) : this.current;
    if (syncReads) this.readIntoSync = (dest, offset, maxFrames) => this.decodeSync(dest, offset, maxFrames);
  }

  /**
   * Parses the header of an open WAV (or, with `kind` 'aiff', AIFF / AIFF-C) file and returns a
   * reader positioned at the first frame. The reader owns `fh` from then on (close() closes it); on
   * error the caller closes it.
   */
  static async open(path: string, fh: FileHandle, fileSize: number, options: WavReaderOptions = {}, kind: 'wav' | 'aiff' = 'wav'): Promise<WavReader> {
    const h = kind === 'aiff' ? await parseAiffHeader(path, fh, fileSize) : await parseWavHeader(path, fh, fileSize);
    const available = Math.max(0, fileSize - h.dataOffset);
    const declared = h.declaredDataBytes;
    const bytes = declared === null ? available : Math.min(declared, available);
    const presentFrames = Math.floor(bytes / h.blockAlign);
    const isFloat = h.sampleFormat === 'float32' || h.sampleFormat === 'float64';
    const container = h.container === 'RIFF' ? 'wav' : h.container.toLowerCase();
    const info: AudioInfo = {
      sampleRate: h.sampleRate,
      channels: h.channels,
      frames: presentFrames,
      format: `${container} ${isFloat ? 'float' : 'pcm'} ${isFloat ? h.bytesPerSample * 8 : h.validBits}-bit`,
      pcmBits: isFloat ? null : h.validBits,
    };
    if (h.channelMask !== undefined) info.channelMask = h.channelMask;
    let truncation: string | null = null;
    if (declared !== null && declared > available) {
      truncation = truncatedMessage(Math.floor(declared / h.blockAlign), presentFrames);
      if (options.strict) throw new AudioFileError(path, truncation, 'truncated');
    }
    const reader = new WavReader(path, fh, info, h, presentFrames * h.blockAlign, options.chunkBytes ?? WAV_CHUNK_BYTES, options.syncReads === true);
    if (truncation) reader.warnings.push({ code: 'truncated', message: truncation });
    return reader;
  }

  /** Starts reading the next chunk into `spare`; resolves to the whole frames read, null at end of data. */
  private startRead(): Promise<number> | null {
    if (this.syncReads) {
      // A blocking read is done when it returns; a failure still reaches the caller as a rejection.
      try {
        const frames = this.readChunkSync();
        return frames === null ? null : Promise.resolve(frames);
      } catch (err) {
        const failed = Promise.reject(err as Error);
        failed.catch(() => undefined);
        return failed;
      }
    }
    if (this.filePos >= this.fileEnd) return null;
    const target = this.spare;
    const want = Math.min(target.bytes.length, this.fileEnd - this.filePos);
    const pos = this.filePos;
    this.filePos += want;
    const p = (async () => {
      let got = 0;
      while (got < want) {
        const { bytesRead } = await this.fh.read(target.bytes, got, want - got, pos + got);
        if (bytesRead === 0) break; // the file shrank while we read it
        got += bytesRead;
      }
      return this.settle(target, got);
    })();
    // A read-ahead may fail while nobody awaits it yet: mark it handled; nextChunk() still sees the error.
    p.catch(() => undefined);
    return p;
  }

  /** startRead() with blocking calls (syncReads: `spare` is `current`): the whole frames read, null at end of data. */
  private readChunkSync(): number | null {
    if (this.filePos >= this.fileEnd) return null;
    const target = this.spare;
    const want = Math.min(target.bytes.length, this.fileEnd - this.filePos);
    const pos = this.filePos;
    this.filePos += want;
    let got = 0;
    while (got < want) {
      const bytesRead = readSync(this.fh.fd, target.bytes, got, want - got, pos + got);
      if (bytesRead === 0) break; // the file shrank while we read it
      got += bytesRead;
    }
    return this.settle(target, got);
  }

  /** Marks `got` bytes of `target` as read: whole frames, byte-swapped where needed. */
  private settle(target: Chunk, got: number): number {
    const frames = Math.floor(got / this.blockAlign);
    if (this.swapWidth) swapBytes(target.bytes, frames * this.blockAlign, this.swapWidth);
    target.frames = frames;
    return frames;
  }

  /** Makes the next chunk current; false at end of data. */
  private async nextChunk(): Promise<boolean> {
    const read = this.pending ?? this.startRead();
    this.pending = null;
    if (!read) return false;
    let frames: number;
    try {
      frames = await read;
    } catch (err) {
      throw this.readError(err);
    }
    return this.useChunk(frames);
  }

  /** nextChunk() for syncReads: nothing is ever in flight, so the read happens here. */
  private nextChunkSync(): boolean {
    let frames: number | null;
    try {
      frames = this.readChunkSync();
    } catch (err) {
      throw this.readError(err);
    }
    return frames !== null && this.useChunk(frames);
  }

  /** Makes the chunk just read (`frames` whole frames into `spare`) current; false when it is empty. */
  private useChunk(frames: number): boolean {
    if (frames === 0) {
      this.filePos = this.fileEnd;
      return false;
    }
    const t = this.current;
    this.current = this.spare;
    this.spare = t;
    this.chunkPos = 0;
    // Read ahead into the chunk we just finished while the caller converts this one.
    if (this.spare !== this.current) this.pending = this.startRead();
    return true;
  }

  private readError(err: unknown): AudioFileError {
    return new AudioFileError(this.path, `read error: ${(err as Error).message}`);
  }

  async read(maxFrames: number): Promise<Float32Array[] | null> {
    if (!(maxFrames >= 1)) throw new RangeError(`read: maxFrames must be >= 1, got ${maxFrames}`);
    maxFrames = Math.floor(maxFrames);
    if (this.out.length === 0 || this.out[0].length < maxFrames) {
      this.out = [];
      for (let c = 0; c < this.nch; c++) this.out.push(new Float32Array(maxFrames));
      this.views = [];
    }
    const done = await this.readInto(this.out, maxFrames);
    if (done === 0) return null;
    this.views = blockViews(this.out, done, this.views);
    return this.views;
  }

  async readInto(dest: readonly Float32Array[], maxFrames: number): Promise<number> {
    maxFrames = this.checkRead('readInto', dest, 0, maxFrames);
    let done = 0;
    while (done < maxFrames) {
      if (this.chunkPos >= this.current.frames && !(await this.nextChunk())) break;
      done += this.take(dest, done, maxFrames - done);
    }
    return done;
  }

  /** AudioReader.readIntoSync, on readers opened with `syncReads` only (see decodeSync). */
  readonly readIntoSync?: (dest: readonly Float32Array[], offset: number, maxFrames: number) => number;

  /**
   * readInto() without a promise, for a reader opened with `syncReads` (a mix worker's): decodes the next
   * frames (at most maxFrames) into `dest` from frame `offset` on, reading from disk with blocking calls
   * when the chunk runs out; returns the frames written, 0 at end of data. Per block and clip, the promises
   * of the asynchronous path cost more than the conversion.
   */
  private decodeSync(dest: readonly Float32Array[], offset: number, maxFrames: number): number {
    maxFrames = this.checkRead('readIntoSync', dest, offset, maxFrames);
    let done = 0;
    while (done < maxFrames) {
      if (this.chunkPos >= this.current.frames && !this.nextChunkSync()) break;
      done += this.take(dest, offset + done, maxFrames - done);
    }
    return done;
  }

  /** The checks of readInto() and readIntoSync(); returns maxFrames rounded down. */
  private checkRead(method: string, dest: readonly Float32Array[], offset: number, maxFrames: number): number {
    if (this.closed) throw new AudioFileError(this.path, 'read after close');
    if (!(maxFrames >= 1)) throw new RangeError(`read: maxFrames must be >= 1, got ${maxFrames}`);
    maxFrames = Math.floor(maxFrames);
    let short = dest.length !== this.nch;
    for (let c = 0; c < dest.length; c++) short ||= dest[c].length < offset + maxFrames;
    if (short) throw new RangeError(`${method}: need ${this.nch} arrays of at least ${offset + maxFrames} frames`);
    return maxFrames;
  }

  /** Converts up to `want` frames of the current chunk into dest from frame `at`; returns how many. */
  private take(dest: readonly Float32Array[], at: number, want: number): number {
    const n = Math.min(want, this.current.frames - this.chunkPos);
    this.convert(this.current, this.chunkPos, n, this.nch, dest, at);
    this.chunkPos += n;
    return n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending) await this.pending.catch(() => undefined);
    this.pending = null;
    await this.fh.close();
  }
}
