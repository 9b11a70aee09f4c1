/**
 * Hand-built WAV files for the reader tests: every byte is written here, independently of
 * src/io/wav-format.ts, so a layout mistake there cannot hide in a shared helper.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export type FixtureEncoding = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';

export interface Chunk {
  id: string;
  body: Uint8Array;
  /** Omit the pad byte after an odd-sized body (a common writer bug). */
  noPad?: boolean;
}

export interface WavSpec {
  container?: 'RIFF' | 'RF64' | 'BW64';
  encoding: FixtureEncoding;
  channels: number;
  sampleRate?: number;
  /** Interleaved samples: integers in the signed range of the encoding (u8: -128..127), floats for f32/f64. */
  samples: ArrayLike<number>;
  extensible?: boolean;
  validBits?: number;
  channelMask?: number;
  /** Chunks before fmt, between fmt and data, after data. */
  before?: Chunk[];
  between?: Chunk[];
  after?: Chunk[];
  /** Value written in the data chunk's size field (default: the real size; RF64: 0xFFFFFFFF). */
  dataSizeField?: number;
  /** Data size in the ds64 chunk (RF64/BW64; default the real size). */
  ds64DataSize?: number;
  /** Extra bytes appended to the data (a partial frame). */
  extraDataBytes?: number;
  /** Cut the file to this many bytes (truncation). */
  cutTo?: number;
  /** Put the fmt chunk after the data chunk. */
  fmtAfterData?: boolean;
}

export const BYTES: Record<FixtureEncoding, number> = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 };

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function le(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt.asUintN(bytes * 8, BigInt(Math.trunc(value)));
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function chunk(c: Chunk): Uint8Array {
  const pad = c.body.length & 1 && !c.noPad ? [new Uint8Array(1)] : [];
  return concat([ascii(c.id), le(c.body.length, 4), c.body, ...pad]);
}

/** Encodes interleaved samples. */
export function encodeSamples(encoding: FixtureEncoding, samples: ArrayLike<number>): Uint8Array {
  const n = samples.length;
  const out = new Uint8Array(n * BYTES[encoding]);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = samples[i];
    switch (encoding) {
      case 'u8': out[i] = v + 128; break;
      case 's16': dv.setInt16(i * 2, v, true); break;
      case 's24': out[i * 3] = v & 0xff; out[i * 3 + 1] = (v >> 8) & 0xff; out[i * 3 + 2] = (v >> 16) & 0xff; break;
      case 's32': dv.setInt32(i * 4, v, true); break;
      case 'f32': dv.setFloat32(i * 4, v, true); break;
      case 'f64': dv.setFloat64(i * 8, v, true); break;
    }
  }
  return out;
}

export function buildWav(spec: WavSpec): Uint8Array {
  const container = spec.container ?? 'RIFF';
  const bps = BYTES[spec.encoding];
  const isFloat = spec.encoding === 'f32' || spec.encoding === 'f64';
  const tag = isFloat ? 3 : 1;
  const blockAlign = bps * spec.channels;
  const sampleRate = spec.sampleRate ?? 48000;
  const fmtParts = [
    le(spec.extensible ? 0xfffe : tag, 2), le(spec.channels, 2), le(sampleRate, 4),
    le(sampleRate * blockAlign, 4), le(blockAlign, 2), le(bps * 8, 2),
  ];
  if (spec.extensible) {
    fmtParts.push(le(22, 2), le(spec.validBits ?? bps * 8, 2), le(spec.channelMask ?? 0, 4), le(tag, 2),
      Uint8Array.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]));
  }
  const fmt = chunk({ id: 'fmt ', body: concat(fmtParts) });
  let data = encodeSamples(spec.encoding, spec.samples);
  if (spec.extraDataBytes) data = concat([data, new Uint8Array(spec.extraDataBytes).fill(0x55)]);
  const realSize = data.length;
  const sizeField = spec.dataSizeField ?? (container === 'RIFF' ? realSize : 0xffffffff);
  const dataChunk = concat([ascii('data'), le(sizeField, 4), data, realSize & 1 ? new Uint8Array(1) : new Uint8Array(0)]);
  const parts: Uint8Array[] = [];
  for (const c of spec.before ?? []) parts.push(chunk(c));
  if (!spec.fmtAfterData) parts.push(fmt);
  for (const c of spec.between ?? []) parts.push(chunk(c));
  parts.push(dataChunk);
  if (spec.fmtAfterData) parts.push(fmt);
  for (const c of spec.after ?? []) parts.push(chunk(c));
  const body = concat(parts);
  let head: Uint8Array;
  if (container === 'RIFF') {
    head = concat([ascii('RIFF'), le(4 + body.length, 4), ascii('WAVE')]);
  } else {
    const riffSize = 4 + 36 + body.length;
    const ds64 = concat([ascii('ds64'), le(28, 4), le(riffSize, 8), le(spec.ds64DataSize ?? realSize, 8),
      le(Math.floor(realSize / blockAlign), 8), le(0, 4)]);
    head = concat([ascii(container), le(0xffffffff, 4), ascii('WAVE'), ds64]);
  }
  const file = concat([head, body]);
  return spec.cutTo !== undefined ? file.subarray(0, spec.cutTo) : file;
}

/** Expected float value of an encoded sample, as the reader must deliver it (float32). */
export function expectedSample(encoding: FixtureEncoding, v: number): number {
  switch (encoding) {
    case 'u8': return Math.fround(v / 128);
    case 's16': return Math.fround(v / 32768);
    case 's24': return Math.fround(v / 8388608);
    case 's32': return Math.fround(v / 2147483648);
    case 'f32':
    case 'f64': return Math.fround(v);
  }
}

/** Deterministic integers covering the full range of an encoding, extremes first. */
export function testIntegers(encoding: FixtureEncoding, count: number, seed = 1): number[] {
  const bits = BYTES[encoding] * 8;
  const min = -(2 ** (bits - 1));
  const max = 2 ** (bits - 1) - 1;
  const out = [min, max, 0, -1, 1];
  let s = seed >>> 0 || 1;
  while (out.length < count) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out.push(Math.floor(min + (s / 4294967296) * (max - min + 1)));
  }
  return out.slice(0, count);
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'mixmaster-io-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeFixture(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Whether ffmpeg is on PATH (the compressed-format tests and the writer's oracle checks need it). */
export const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
export const NO_FFMPEG = 'ffmpeg is not on PATH (install it, e.g. apt-get install ffmpeg; CI installs it)';

/** Runs ffmpeg quietly; throws with its stderr on failure. */
export function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

/** Runs ffmpeg and returns its stdout bytes. */
export function ffmpegOut(args: string[]): Uint8Array {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
  return new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length);
}
