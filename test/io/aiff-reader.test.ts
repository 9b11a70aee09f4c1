/**
 * AIFF / AIFF-C reading (io/aiff-format.ts through the WAV reader): files built here byte by byte from
 * the spec, which must give back the exact integers, and files ffmpeg writes, which must give the same
 * samples as the WAV they were made from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extended80 } from '../../src/io/aiff-format.js';
import type { AudioReader } from '../../src/io/audio-reader.js';
import { openAudio, type OpenAudioOptions } from '../../src/io/open-audio.js';
import type { WavReaderOptions } from '../../src/io/wav-reader.js';
import { readFrames } from '../helpers/read-audio.js';
import { BYTES, buildWav, encodeSamples, expectedSample, ffmpeg, hasFfmpeg, NO_FFMPEG, tempDir, testIntegers, writeFixture, type FixtureEncoding } from './wav-fixtures.js';

const tmp = tempDir('mixmaster-aiff-');
afterAll(() => tmp.cleanup());

/** The 80-bit extended float of a positive integer rate, written independently of the reader's decoder. */
function extendedBytes(rate: number): Uint8Array {
  const e = Math.floor(Math.log2(rate));
  const mantissa = BigInt(rate) << BigInt(63 - e);
  const out = new Uint8Array(10);
  const exp = e + 16383;
  out[0] = exp >> 8;
  out[1] = exp & 0xff;
  for (let i = 0; i < 8; i++) out[2 + i] = Number((mantissa >> BigInt(56 - 8 * i)) & 0xffn);
  return out;
}

function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}

function chunk(id: string, body: ArrayLike<number>): number[] {
  const b = Array.from(body);
  return [...ascii(id), ...be32(b.length), ...b, ...(b.length & 1 ? [0] : [])];
}

interface AiffSpec {
  channels: number;
  bits: number;
  rate: number;
  /** Sample bytes as stored. */
  data: Uint8Array;
  frames?: number;
  /** AIFF-C compression type (AIFF when absent). */
  aifc?: string;
  ssndOffset?: number;
  commAfterSsnd?: boolean;
  /** Extra chunks before COMM. */
  extra?: number[];
}

function buildAiff(s: AiffSpec): Uint8Array {
  const blockAlign = Math.ceil(s.bits / 8) * s.channels;
  const frames = s.frames ?? s.data.length / blockAlign;
  const commBody = [(s.channels >> 8) & 0xff, s.channels & 0xff, ...be32(frames), (s.bits >> 8) & 0xff, s.bits & 0xff, ...extendedBytes(s.rate)];
  if (s.aifc) commBody.push(...ascii(s.aifc), 0);
  const comm = chunk('COMM', commBody);
  const offset = s.ssndOffset ?? 0;
  const ssnd = chunk('SSND', [...be32(offset), ...be32(0), ...new Array(offset).fill(0xee), ...s.data]);
  const body = [...ascii(s.aifc ? 'AIFC' : 'AIFF'), ...(s.aifc ? chunk('FVER', be32(0xa2805140)) : []), ...(s.extra ?? []), ...(s.commAfterSsnd ? [...ssnd, ...comm] : [...comm, ...ssnd])];
  return Uint8Array.from([...ascii('FORM'), ...be32(body.length), ...body]);
}

/** Interleaved integers as big-endian (or, `little`, little-endian) two's complement of `bytes` bytes. */
function pcm(values: number[], bytes: number, little = false): Uint8Array {
  if (bytes === 1) return Uint8Array.from(values, (v) => v & 0xff);
  const out = encodeSamples((['', '', 's16', 's24', 's32'] as FixtureEncoding[])[bytes], values);
  if (!little) for (let i = 0; i < out.length; i += bytes) out.subarray(i, i + bytes).reverse();
  return out;
}

async function decode(name: string, bytes: Uint8Array): Promise<{ r: AudioReader; data: Float32Array[] }> {
  const r = await openAudio(writeFixture(tmp.dir, name, bytes));
  const data = await readFrames(r, 777);
  await r.close();
  return { r, data };
}

function deinterleave(values: number[], channels: number, scale: (v: number) => number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: values.length / channels }, (_, i) => scale(values[i * channels + c])));
}

describe('80-bit extended sample rates', () => {
  it('decodes the rates in use, and what a writer makes of them', () => {
    for (const rate of [8000, 11025, 22050, 44100, 48000, 88200, 96000, 176400, 192000, 384000]) expect(extended80(extendedBytes(rate), 0)).toBe(rate);
    // 44100 Hz as Apple's tools write it: 0x400E AC44 0000 0000 0000.
    expect(extended80(Uint8Array.from([0x40, 0x0e, 0xac, 0x44, 0, 0, 0, 0, 0, 0]), 0)).toBe(44100);
  });
});

describe('AIFF built from the spec', () => {
  const cases: [string, FixtureEncoding, number][] = [['16-bit stereo', 's16', 2], ['24-bit mono', 's24', 1], ['32-bit stereo', 's32', 2]];
  for (const [label, enc, channels] of cases) {
    it(`${label} decodes to the exact integers`, async () => {
      const values = testIntegers(enc, 3000 * channels, 7);
      const { r, data } = await decode(`${enc}.aiff`, buildAiff({ channels, bits: BYTES[enc] * 8, rate: 44100, data: pcm(values, BYTES[enc]) }));
      expect(r.info).toMatchObject({ sampleRate: 44100, channels, frames: 3000, format: `aiff pcm ${BYTES[enc] * 8}-bit`, pcmBits: BYTES[enc] * 8 });
      expect(data).toEqual(deinterleave(values, channels, (v) => expectedSample(enc, v)));
      expect(r.warnings).toEqual([]);
    });
  }

  it('blocking reads (a mix worker\'s readIntoSync) swap big-endian chunks as read() does', async () => {
    const values = testIntegers('s24', 1000 * 2, 11);
    const path = writeFixture(tmp.dir, 'sync24.aiff', buildAiff({ channels: 2, bits: 24, rate: 48000, data: pcm(values, 3) }));
    const want = deinterleave(values, 2, (v) => expectedSample('s24', v));
    // 600-byte chunks: 100 frames each, so the 333-frame reads cross chunk boundaries.
    const opts: OpenAudioOptions & WavReaderOptions = { syncReads: true, chunkBytes: 600 };
    const r = await openAudio(path, opts);
    const got = [new Float32Array(1333), new Float32Array(1333)];
    let at = 0;
    for (let n; (n = r.readIntoSync!(got, at, 333)) > 0;) at += n;
    await r.close();
    expect(at).toBe(1000);
    expect(got.map((c) => c.subarray(0, 1000))).toEqual(want);
  });

  it('8-bit AIFF is signed (WAV 8-bit is offset binary)', async () => {
    const values = [-128, 127, 0, -1, 1, 64, -64, 5];
    const { data } = await decode('s8.aiff', buildAiff({ channels: 1, bits: 8, rate: 8000, data: pcm(values, 1) }));
    expect(Array.from(data[0])).toEqual(values.map((v) => v / 128));
  });

  it('20-bit samples sit left-justified in 24-bit containers', async () => {
    const values = [0x7ffff, -0x80000, 1, -1, 12345];
    const { r, data } = await decode('s20.aiff', buildAiff({ channels: 1, bits: 20, rate: 48000, data: pcm(values.map((v) => v * 16), 3) }));
    expect(r.info.pcmBits).toBe(20);
    expect(Array.from(data[0])).toEqual(values.map((v) => Math.fround(v / 524288)));
  });

  it('AIFF-C: NONE and twos (big-endian), sowt (little-endian), fl32 and fl64', async () => {
    const values = testIntegers('s16', 400, 3);
    const want = deinterleave(values, 2, (v) => v / 32768);
    for (const type of ['NONE', 'twos', 'sowt']) {
      const { r, data } = await decode(`c-${type}.aifc`, buildAiff({ channels: 2, bits: 16, rate: 48000, data: pcm(values, 2, type === 'sowt'), aifc: type }));
      expect(r.info.format).toBe('aifc pcm 16-bit');
      expect(data).toEqual(want);
    }
    const floats = [0.5, -0.25, 1.5, -2, 1e-30, 0];
    for (const [type, width] of [['fl32', 4], ['fl64', 8]] as const) {
      const bytes = new Uint8Array(floats.length * width);
      const dv = new DataView(bytes.buffer);
      floats.forEach((v, i) => (width === 4 ? dv.setFloat32(i * 4, v) : dv.setFloat64(i * 8, v)));
      const { r, data } = await decode(`c-${type}.aifc`, buildAiff({ channels: 1, bits: width * 8, rate: 96000, data: bytes, aifc: type }));
      expect(r.info).toMatchObject({ sampleRate: 96000, format: `aifc float ${width * 8}-bit`, pcmBits: null });
      expect(Array.from(data[0])).toEqual(floats.map((v) => Math.fround(v)));
    }
  });

  it('honours the SSND offset, chunk order, odd-sized chunks and extra chunks', async () => {
    const values = testIntegers('s16', 200, 5);
    const want = deinterleave(values, 2, (v) => v / 32768);
    const extra = chunk('NAME', ascii('odd')); // odd size: a pad byte follows
    const { data } = await decode('layout.aiff', buildAiff({ channels: 2, bits: 16, rate: 44100, data: pcm(values, 2), ssndOffset: 6, commAfterSsnd: true, extra }));
    expect(data).toEqual(want);
  });

  it('reads only the frames COMM declares, and warns when the file holds fewer', async () => {
    const values = testIntegers('s16', 200, 9);
    // Padding after the declared frames inside SSND is not audio.
    const padded = await decode('padded.aiff', buildAiff({ channels: 1, bits: 16, rate: 44100, data: pcm([...values, 1, 2, 3, 4], 2), frames: 200 }));
    expect(padded.data[0].length).toBe(200);
    const full = buildAiff({ channels: 1, bits: 16, rate: 44100, data: pcm(values, 2) });
    const cut = await decode('cut.aiff', full.subarray(0, full.length - 100));
    expect(cut.data[0].length).toBe(150);
    expect(cut.r.warnings).toEqual([{ code: 'truncated', message: 'file is truncated: header promises 200 frames, 150 present' }]);
  });

  it('refuses compressed AIFF-C, naming the codec, and damaged headers', async () => {
    const data = new Uint8Array(100);
    await expect(openAudio(writeFixture(tmp.dir, 'ulaw.aifc', buildAiff({ channels: 1, bits: 16, rate: 8000, data, aifc: 'ulaw' })))).rejects.toThrow(
      /not a supported audio file \(AIFF-C with mu-law compression is not supported\)$/,
    );
    await expect(openAudio(writeFixture(tmp.dir, 'ima.aifc', buildAiff({ channels: 1, bits: 16, rate: 8000, data, aifc: 'ima4' })))).rejects.toThrow(/IMA ADPCM/);
    const noComm = Uint8Array.from([...ascii('FORM'), ...be32(4 + 8 + 8), ...ascii('AIFF'), ...chunk('SSND', be32(0).concat(be32(0)))]);
    await expect(openAudio(writeFixture(tmp.dir, 'nocomm.aiff', noComm))).rejects.toThrow(/AIFF file has no COMM chunk/);
    // A channel count no production format has: refused before any per-channel state is made.
    await expect(openAudio(writeFixture(tmp.dir, 'wide.aiff', buildAiff({ channels: 65535, bits: 16, rate: 44100, data: new Uint8Array(2 * 65535) })))).rejects.toThrow(
      /not a supported audio file \(65535 channels: at most 256 are supported\)$/,
    );
    const iff = Uint8Array.from([...ascii('FORM'), ...be32(4), ...ascii('8SVX')]);
    await expect(openAudio(writeFixture(tmp.dir, 'svx.iff', iff))).rejects.toThrow(/IFF form "8SVX" is not AIFF/);
  });
});

describe('AIFF written by ffmpeg', () => {
  it('every PCM and float codec gives the samples of the WAV it was made from', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    const values = testIntegers('s24', 2 * 5000, 11);
    const wav = writeFixture(tmp.dir, 'src.wav', buildWav({ encoding: 's24', channels: 2, samples: values, sampleRate: 48000 }));
    const source = await openAudio(wav);
    const want = await readFrames(source, 777);
    await source.close();
    for (const [codec, bits] of [['pcm_s24be', 24], ['pcm_s32be', 32], ['pcm_f32be', 0], ['pcm_f64be', 0]] as const) {
      const out = join(tmp.dir, `ff-${codec}.aiff`);
      ffmpeg(['-i', wav, '-c:a', codec, out]);
      expect(readFileSync(out).toString('latin1', 0, 4)).toBe('FORM');
      const r = await openAudio(out);
      expect(r.info).toMatchObject({ sampleRate: 48000, channels: 2, frames: 5000, pcmBits: bits || null });
      expect(await readFrames(r, 777)).toEqual(want);
      await r.close();
    }
  });
});
