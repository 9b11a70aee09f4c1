import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFileError, type AudioReader } from '../../src/io/audio-reader.js';
import { openAudio } from '../../src/io/open-audio.js';
import { createWavWriter, type WavWriterOptions } from '../../src/io/wav-writer.js';
import { ffmpegOut, hasFfmpeg, NO_FFMPEG, tempDir } from './wav-fixtures.js';

const tmp = tempDir('mixmaster-writer-');
afterAll(() => tmp.cleanup());
let n = 0;
const out = (ext = 'wav') => join(tmp.dir, `out${n++}.${ext}`);

function signal(channels: number, frames: number, amp = 0.9, seed = 1): Float32Array[] {
  let s = seed;
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_x, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return amp * (0.7 * Math.sin((2 * Math.PI * (220 + 50 * c) * i) / 48000) + 0.3 * (s / 4294967296 * 2 - 1));
  }));
}

async function writeFile(path: string, opts: WavWriterOptions, data: Float32Array[], block = 1000): Promise<void> {
  const w = await createWavWriter(path, opts);
  const frames = data[0].length;
  for (let off = 0; off < frames; off += block) {
    const k = Math.min(block, frames - off);
    await w.write(data.map((ch) => ch.subarray(off, off + k)), k);
  }
  await w.close();
}

async function readAll(r: AudioReader): Promise<Float32Array[]> {
  const frames = r.info.frames!;
  const res = Array.from({ length: r.info.channels }, () => new Float32Array(frames));
  let o = 0;
  for (let b = await r.read(4096); b; b = await r.read(4096)) {
    b.forEach((ch, c) => res[c].set(ch, o));
    o += b[0].length;
  }
  expect(o).toBe(frames);
  return res;
}

async function readBack(path: string): Promise<{ info: AudioReader['info']; data: Float32Array[] }> {
  const r = await openAudio(path);
  const data = await readAll(r);
  await r.close();
  return { info: r.info, data };
}

function tempLeftovers(): string[] {
  return readdirSync(tmp.dir).filter((f) => f.includes('.tmp-'));
}

describe('WAV writer: round trips', () => {
  it('float32 is written exactly, out-of-range and non-finite values included', async () => {
    const data = signal(2, 5000);
    data[0][10] = 1.75;
    data[1][11] = -3;
    data[0][12] = NaN;
    data[1][13] = Infinity;
    const path = out();
    await writeFile(path, { sampleRate: 48000, channels: 2, format: 'float32' }, data, 777);
    const { info, data: got } = await readBack(path);
    expect(info).toMatchObject({ sampleRate: 48000, channels: 2, frames: 5000, format: 'wav float 32-bit', pcmBits: null, channelMask: 3 });
    expect(got).toEqual(data);
  });

  for (const [format, bits] of [['pcm16', 16], ['pcm24', 24]] as const) {
    it(`${format} without dither rounds to the nearest code`, async () => {
      const data = signal(3, 4000);
      data[0][0] = 1; // clips to the largest code
      data[0][1] = -1; // exactly the smallest code
      const path = out();
      await writeFile(path, { sampleRate: 44100, channels: 3, format, dither: false }, data);
      const { info, data: got } = await readBack(path);
      expect(info).toMatchObject({ sampleRate: 44100, channels: 3, frames: 4000, pcmBits: bits, channelMask: 0x7 });
      const scale = 2 ** (bits - 1);
      const want = data.map((ch) => Float32Array.from(ch, (x) => Math.min(scale - 1, Math.floor(x * scale + 0.5)) / scale));
      expect(got).toEqual(want);
    });

    it(`${format} with TPDF dither: error within 1.5 LSB, mean ~0, variance ~1/4 LSB²`, async () => {
      const frames = 100_000;
      const data = signal(1, frames, 0.5);
      const path = out();
      await writeFile(path, { sampleRate: 48000, channels: 1, format, seed: 3 }, data, 4096);
      const { data: got } = await readBack(path);
      const scale = 2 ** (bits - 1);
      let sum = 0;
      let sq = 0;
      let worst = 0;
      for (let i = 0; i < frames; i++) {
        const e = got[0][i] * scale - data[0][i] * scale;
        sum += e;
        sq += e * e;
        worst = Math.max(worst, Math.abs(e));
      }
      const mean = sum / frames;
      const variance = sq / frames - mean * mean;
      expect(worst).toBeLessThan(1.5 + 1e-6);
      expect(Math.abs(mean)).toBeLessThan(0.01);
      expect(variance).toBeGreaterThan(0.235);
      expect(variance).toBeLessThan(0.265);
    });
  }

  it('dither is deterministic for a seed and block-size independent', async () => {
    const data = signal(2, 20_000, 0.3);
    const a = out();
    const b = out();
    const c = out();
    await writeFile(a, { sampleRate: 48000, channels: 2, format: 'pcm16', seed: 9 }, data, 1000);
    await writeFile(b, { sampleRate: 48000, channels: 2, format: 'pcm16', seed: 9 }, data, 313);
    await writeFile(c, { sampleRate: 48000, channels: 2, format: 'pcm16', seed: 10 }, data, 1000);
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
    expect(readFileSync(c).equals(readFileSync(a))).toBe(false);
  });

  it('odd data size (24-bit mono, odd frame count) gets a pad byte and reads back', async () => {
    const data = signal(1, 101);
    const path = out();
    await writeFile(path, { sampleRate: 48000, channels: 1, format: 'pcm24', dither: false }, data);
    const bytes = readFileSync(path);
    const dataOffset = bytes.indexOf('data') + 8;
    expect(bytes.length).toBe(dataOffset + 303 + 1);
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    expect(bytes.readUInt32LE(dataOffset - 4)).toBe(303);
    const { info } = await readBack(path);
    expect(info.frames).toBe(101);
  });

  it('headers: plain PCM for 16-bit stereo, extensible otherwise, JUNK reserved for ds64', async () => {
    const cases: [WavWriterOptions, number, number | null][] = [
      [{ sampleRate: 48000, channels: 2, format: 'pcm16' }, 1, null],
      [{ sampleRate: 48000, channels: 1, format: 'pcm16' }, 1, null],
      [{ sampleRate: 48000, channels: 2, format: 'pcm24' }, 0xfffe, 0x3],
      [{ sampleRate: 48000, channels: 2, format: 'float32' }, 0xfffe, 0x3],
      [{ sampleRate: 48000, channels: 6, format: 'pcm16' }, 0xfffe, 0x60f],
      [{ sampleRate: 48000, channels: 2, format: 'pcm16', channelMask: 0x600 }, 0xfffe, 0x600],
    ];
    for (const [opts, tag, mask] of cases) {
      const path = out();
      await writeFile(path, opts, signal(opts.channels, 10));
      const b = readFileSync(path);
      expect(b.toString('latin1', 0, 4)).toBe('RIFF');
      expect(b.toString('latin1', 12, 16)).toBe('JUNK');
      expect(b.readUInt32LE(16)).toBe(28);
      expect(b.toString('latin1', 48, 52)).toBe('fmt ');
      expect(b.readUInt16LE(56)).toBe(tag);
      const { info } = await readBack(path);
      expect(info.channelMask ?? null).toBe(mask);
    }
  });

  it('ffmpeg reads our pcm24 and float32 files with the same samples', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    const data = signal(2, 3000);
    for (const format of ['pcm24', 'float32'] as const) {
      const path = out();
      await writeFile(path, { sampleRate: 48000, channels: 2, format, dither: false }, data);
      const raw = ffmpegOut(['-i', path, '-f', 'f32le', '-c:a', 'pcm_f32le', '-']);
      const theirs = new Float32Array(raw.slice().buffer);
      const { data: ours } = await readBack(path);
      expect(theirs.length).toBe(6000);
      const inter = new Float32Array(6000);
      for (let i = 0; i < 3000; i++) {
        inter[2 * i] = ours[0][i];
        inter[2 * i + 1] = ours[1][i];
      }
      expect(theirs).toEqual(inter);
    }
  });
});

describe('WAV writer: atomic output', () => {
  it('writes into a hidden temp file beside the target and renames it on close', async () => {
    const path = out();
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 1, format: 'pcm16' });
    await w.write([new Float32Array(100)], 100);
    expect(existsSync(path)).toBe(false);
    const temps = tempLeftovers();
    expect(temps).toHaveLength(1);
    expect(temps[0]).toMatch(new RegExp(`^\\.${path.split('/').pop()!.replace('.', '\\.')}\\.tmp-${process.pid}-[0-9a-f]+$`));
    await w.close();
    expect(existsSync(path)).toBe(true);
    expect(tempLeftovers()).toEqual([]);
    expect(w.framesWritten).toBe(100);
  });

  it('abort() leaves no file at all', async () => {
    const path = out();
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 2, format: 'pcm24' });
    await w.write(signal(2, 500), 500);
    await w.abort();
    expect(existsSync(path)).toBe(false);
    expect(tempLeftovers()).toEqual([]);
    await expect(w.write(signal(2, 10), 10)).rejects.toThrow(/aborted/);
  });

  it('a disk write failing in the background fails the next call and leaves no file', async () => {
    // Small buffers, so writes are in flight while the next buffer fills; the third disk write fails.
    const path = out();
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 2, format: 'float32', bufferBytes: 800 });
    const handle = (w as unknown as { file: { handle: { write: (...a: unknown[]) => Promise<unknown> } } }).file.handle;
    const real = handle.write.bind(handle);
    let calls = 0;
    handle.write = (...a: unknown[]) => (++calls === 3 ? Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })) : real(...a));
    let err: unknown = null;
    for (let k = 0; k < 20 && err === null; k++) err = await w.write(signal(2, 100), 100).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AudioFileError);
    expect((err as AudioFileError).file).toBe(path);
    expect((err as Error).message).toMatch(/no space left on device/);
    expect(existsSync(path)).toBe(false);
    expect(tempLeftovers()).toEqual([]);
    await expect(w.close()).rejects.toThrow(/aborted/);
  });

  it('refuses an existing target without force, before writing anything', async () => {
    const path = out();
    writeFileSync(path, 'precious');
    const err = await createWavWriter(path, { sampleRate: 48000, channels: 1, format: 'pcm16' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioFileError);
    expect((err as AudioFileError).file).toBe(path);
    expect((err as AudioFileError).message).toBe('output exists (use --force to overwrite)');
    expect(readFileSync(path, 'utf8')).toBe('precious');
    expect(tempLeftovers()).toEqual([]);
  });

  it('overwrites with force, only on close', async () => {
    const path = out();
    writeFileSync(path, 'old');
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 1, format: 'pcm16', force: true });
    await w.write([new Float32Array(10)], 10);
    expect(readFileSync(path, 'utf8')).toBe('old');
    await w.close();
    expect((await readBack(path)).info.frames).toBe(10);
  });

  it('a target that appears while writing is not clobbered without force', async () => {
    const path = out();
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 1, format: 'pcm16' });
    await w.write([new Float32Array(10)], 10);
    writeFileSync(path, 'someone else');
    await expect(w.close()).rejects.toThrow('output exists (use --force to overwrite)');
    expect(readFileSync(path, 'utf8')).toBe('someone else');
    expect(tempLeftovers()).toEqual([]);
  });

  it('a missing output directory is a clear AudioFileError', async () => {
    const path = join(tmp.dir, 'no-such-dir', 'x.wav');
    await expect(createWavWriter(path, { sampleRate: 48000, channels: 1, format: 'pcm16' }))
      .rejects.toThrow('cannot create output: directory does not exist');
  });

  it('validates its options', async () => {
    await expect(createWavWriter(out(), { sampleRate: 0, channels: 1, format: 'pcm16' })).rejects.toThrow(RangeError);
    await expect(createWavWriter(out(), { sampleRate: 48000, channels: 0, format: 'pcm16' })).rejects.toThrow(RangeError);
    const w = await createWavWriter(out(), { sampleRate: 48000, channels: 2, format: 'pcm16' });
    await expect(w.write([new Float32Array(4)], 4)).rejects.toThrow(RangeError);
    await expect(w.write([new Float32Array(4), new Float32Array(2)], 4)).rejects.toThrow(RangeError);
    await w.abort();
  });
});

describe('WAV writer: RF64 promotion', () => {
  it('turns the header into RF64 in place when the data passes the threshold, and reads back', async () => {
    const data = signal(2, 3001);
    const path = out();
    await writeFile(path, { sampleRate: 48000, channels: 2, format: 'pcm24', dither: false, rf64ThresholdBytes: 10_000 }, data, 1024);
    const b = readFileSync(path);
    expect(b.toString('latin1', 0, 4)).toBe('RF64');
    expect(b.readUInt32LE(4)).toBe(0xffffffff);
    expect(b.toString('latin1', 12, 16)).toBe('ds64');
    expect(b.readUInt32LE(16)).toBe(28);
    expect(Number(b.readBigUInt64LE(20))).toBe(b.length - 8); // RIFF size
    expect(Number(b.readBigUInt64LE(28))).toBe(3001 * 6); // data size
    expect(Number(b.readBigUInt64LE(36))).toBe(3001); // sample count
    const dataAt = b.indexOf('data');
    expect(b.readUInt32LE(dataAt + 4)).toBe(0xffffffff);
    const { info, data: got } = await readBack(path);
    expect(info.format).toBe('rf64 pcm 24-bit');
    expect(info.frames).toBe(3001);
    expect(got).toEqual(data.map((ch) => Float32Array.from(ch, (x) => Math.min(8388607, Math.floor(x * 8388608 + 0.5)) / 8388608)));
  });

  it('stays RIFF below the threshold', async () => {
    const path = out();
    await writeFile(path, { sampleRate: 48000, channels: 2, format: 'float32', rf64ThresholdBytes: 10_000 }, signal(2, 1250));
    const b = readFileSync(path);
    expect(b.toString('latin1', 0, 4)).toBe('RIFF');
    expect(b.toString('latin1', 12, 16)).toBe('JUNK');
  });

  it('ffmpeg reads the promoted RF64 file', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    const data = signal(2, 2000);
    const path = out();
    await writeFile(path, { sampleRate: 48000, channels: 2, format: 'float32', rf64ThresholdBytes: 1000 }, data);
    const raw = ffmpegOut(['-i', path, '-f', 'f32le', '-c:a', 'pcm_f32le', '-']);
    const theirs = new Float32Array(raw.slice().buffer);
    expect(theirs.length).toBe(4000);
    expect(theirs[2 * 1234 + 1]).toBe(data[1][1234]);
  });
});
