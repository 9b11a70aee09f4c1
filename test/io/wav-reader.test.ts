import { open, truncate } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFileError, type AudioReader } from '../../src/io/audio-reader.js';
import { openAudio } from '../../src/io/open-audio.js';
import { WavReader, WAV_CHUNK_BYTES } from '../../src/io/wav-reader.js';
import {
  buildWav, expectedSample, tempDir, testIntegers, writeFixture, BYTES,
  type FixtureEncoding, type WavSpec,
} from './wav-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let fileNo = 0;

function fixture(spec: WavSpec): string {
  return writeFixture(tmp.dir, `f${fileNo++}.wav`, buildWav(spec));
}

/** Reads everything, concatenated per channel. */
async function readAll(r: AudioReader, block = 1000): Promise<Float32Array[]> {
  const parts: Float32Array[][] = [];
  for (;;) {
    const b = await r.read(block);
    if (!b) break;
    expect(b.length).toBe(r.info.channels);
    parts.push(b.map((ch) => ch.slice()));
  }
  const frames = parts.reduce((n, p) => n + p[0].length, 0);
  const out = Array.from({ length: r.info.channels }, () => new Float32Array(frames));
  let o = 0;
  for (const p of parts) {
    p.forEach((ch, c) => out[c].set(ch, o));
    o += p[0].length;
  }
  return out;
}

/** Bit-exact comparison of planar buffers (fast; falls back to toEqual for a readable diff). */
function expectSame(got: Float32Array[], want: Float32Array[]): void {
  const same = got.length === want.length && got.every((ch, c) =>
    Buffer.compare(Buffer.from(ch.buffer, ch.byteOffset, ch.byteLength), Buffer.from(want[c].buffer, want[c].byteOffset, want[c].byteLength)) === 0);
  if (!same) expect(got).toEqual(want);
}

/** The interleaved expected values as planar float32. */
function planarExpected(encoding: FixtureEncoding, samples: ArrayLike<number>, channels: number): Float32Array[] {
  const frames = Math.floor(samples.length / channels);
  return Array.from({ length: channels }, (_, c) => {
    const ch = new Float32Array(frames);
    for (let i = 0; i < frames; i++) ch[i] = expectedSample(encoding, samples[i * channels + c]);
    return ch;
  });
}

function sampleValues(encoding: FixtureEncoding, count: number): number[] {
  if (encoding === 'f32' || encoding === 'f64') {
    const ints = testIntegers('s32', count, 7);
    return ints.map((v, i) => (i === 0 ? -1 : i === 1 ? 1 : v / 2147483648 * 1.25));
  }
  return testIntegers(encoding, count);
}

async function openChunked(path: string, chunkBytes: number, syncReads = false): Promise<WavReader> {
  const fh = await open(path, 'r');
  const { size } = await fh.stat();
  return WavReader.open(path, fh, size, { chunkBytes, syncReads });
}

const ENCODINGS: FixtureEncoding[] = ['u8', 's16', 's24', 's32', 'f32', 'f64'];

describe('WAV reader: sample formats round-trip exactly', () => {
  for (const encoding of ENCODINGS) {
    for (const extensible of [false, true]) {
      for (const channels of [1, 2, 3, 6]) {
        it(`${encoding} ${extensible ? 'extensible' : 'plain'} ${channels} ch`, async () => {
          const frames = 1237;
          const samples = sampleValues(encoding, frames * channels);
          const mask = extensible ? (channels === 6 ? 0x60f : channels === 3 ? 0x7 : 0) : undefined;
          const path = fixture({ encoding, channels, samples, extensible, channelMask: mask, sampleRate: 44100 });
          const r = await openAudio(path);
          expect(r.info.sampleRate).toBe(44100);
          expect(r.info.channels).toBe(channels);
          expect(r.info.frames).toBe(frames);
          const isFloat = encoding.startsWith('f');
          expect(r.info.pcmBits).toBe(isFloat ? null : BYTES[encoding] * 8);
          expect(r.info.format).toBe(`wav ${isFloat ? 'float' : 'pcm'} ${BYTES[encoding] * 8}-bit`);
          if (extensible) expect(r.info.channelMask).toBe(mask);
          else expect(r.info.channelMask).toBeUndefined();
          const got = await readAll(r, 333);
          expectSame(got, planarExpected(encoding, samples, channels));
          expect(r.warnings).toEqual([]);
          await r.close();
        });
      }
    }
  }

  it('full-scale negative is exactly -1 and full-scale positive is 1 - 1 LSB for every integer format', async () => {
    for (const encoding of ['u8', 's16', 's24', 's32'] as const) {
      const bits = BYTES[encoding] * 8;
      const min = -(2 ** (bits - 1));
      const max = 2 ** (bits - 1) - 1;
      const r = await openAudio(fixture({ encoding, channels: 1, samples: [min, max, 0] }));
      const [ch] = (await r.read(10))!;
      expect(ch[0]).toBe(-1);
      expect(ch[1]).toBe(Math.fround(max / 2 ** (bits - 1)));
      expect(ch[2]).toBe(0);
      await r.close();
    }
  });

  for (const syncReads of [false, true]) {
    it(`reads across chunk boundaries (chunk sizes that split frames and blocks)${syncReads ? ', blocking reads' : ''}`, async () => {
      for (const [encoding, channels] of ENCODINGS.flatMap((e) => [[e, 3], ...(e === 's24' ? [[e, 1], [e, 2]] : [])] as [FixtureEncoding, number][])) {
        const samples = sampleValues(encoding, 150 * channels);
        const path = fixture({ encoding, channels, samples });
        const want = planarExpected(encoding, samples, channels);
        for (const chunkBytes of [1, 7, 100, 4096]) {
          for (const block of [1, 17, 150, 5000]) {
            const r = await openChunked(path, chunkBytes, syncReads);
            expectSame(await readAll(r, block), want);
            await r.close();
          }
        }
      }
    });

    it(`a file that shrinks while it is read ends at its new end${syncReads ? ', blocking reads' : ''}`, async () => {
      const samples = sampleValues('s16', 2 * 1000);
      const path = fixture({ encoding: 's16', channels: 2, samples });
      const want = planarExpected('s16', samples, 2);
      const r = await openChunked(path, 400, syncReads); // 100 frames per chunk
      const first = await r.read(150); // the second chunk is read; the third may be on its way
      expectSame(first!.map((c) => c.slice()), want.map((c) => c.subarray(0, 150)));
      await truncate(path, 44 + 500 * 4); // 500 frames left
      // Frames up to 200 (300 with the read-ahead) were read before the cut; the rest of the 500 after it, then nothing more.
      expectSame(await readAll(r, 100), want.map((c) => c.subarray(150, 500)));
      await r.close();
    });
  }

  it('readIntoSync (blocking reads) decodes what read() does, at an offset, across chunk boundaries', async () => {
    for (const [encoding, channels] of [['s24', 2], ['s24', 1], ['s16', 2], ['f32', 2], ['f32', 3], ['f64', 2], ['u8', 1]] as [FixtureEncoding, number][]) {
      const samples = sampleValues(encoding, 150 * channels);
      const path = fixture({ encoding, channels, samples });
      const want = planarExpected(encoding, samples, channels);
      for (const chunkBytes of [1, 7, 100, 4096]) {
        for (const block of [1, 17, 150, 5000]) {
          const r = await openChunked(path, chunkBytes, true);
          const pad = 3;
          const got = Array.from({ length: channels }, () => new Float32Array(150 + pad + block).fill(-9));
          let at = 0;
          for (;;) {
            const n = r.readIntoSync!(got, pad + at, block);
            expect(n).toBeLessThanOrEqual(block);
            if (n === 0) break;
            // Short only at the end of the data.
            if (n < block) expect(at + n).toBe(150);
            at += n;
          }
          expect(at).toBe(150);
          expectSame(got.map((c) => c.subarray(pad, pad + 150)), want);
          // Nothing written before the offset or after the data.
          for (const c of got) {
            expect(Array.from(c.subarray(0, pad))).toEqual([-9, -9, -9]);
            expect(c.subarray(pad + 150).every((v) => v === -9)).toBe(true);
          }
          await r.close();
        }
      }
    }
  });

  it('readIntoSync continues where read() left off and refuses short arrays; asynchronous readers have none', async () => {
    const samples = sampleValues('s24', 300 * 2);
    const path = fixture({ encoding: 's24', channels: 2, samples });
    const want = planarExpected('s24', samples, 2);
    const r = await openChunked(path, 500, true);
    const first = await r.read(100);
    expectSame(first!.map((c) => c.slice()), want.map((c) => c.subarray(0, 100)));
    const rest = [new Float32Array(200), new Float32Array(200)];
    expect(r.readIntoSync!(rest, 0, 200)).toBe(200);
    expectSame(rest, want.map((c) => c.subarray(100, 300)));
    expect(() => r.readIntoSync!([new Float32Array(10), new Float32Array(10)], 5, 6)).toThrow(RangeError);
    expect(() => r.readIntoSync!([new Float32Array(10)], 0, 6)).toThrow(RangeError);
    await r.close();
    expect(() => r.readIntoSync!(rest, 0, 1)).toThrow(AudioFileError);
    // An asynchronous reader (a read-ahead may be in flight) has none.
    const a = await openChunked(path, 500, false);
    expect(a.readIntoSync).toBeUndefined();
    await a.close();
  });

  it('20-bit samples in a 24-bit container: pcmBits 20, scaled by the container', async () => {
    const samples = [-8388608, 8388352, 4096];
    const r = await openAudio(fixture({ encoding: 's24', channels: 1, samples, extensible: true, validBits: 20, channelMask: 4 }));
    expect(r.info.pcmBits).toBe(20);
    expect(r.info.format).toBe('wav pcm 20-bit');
    expect(Array.from((await r.read(8))![0])).toEqual(samples.map((v) => v / 8388608));
    await r.close();
  });

  it('passes NaN and infinite float samples through', async () => {
    for (const encoding of ['f32', 'f64'] as const) {
      const r = await openAudio(fixture({ encoding, channels: 2, samples: [NaN, Infinity, -Infinity, 0.5, 3, -7] }));
      const [l, rr] = (await r.read(8))!;
      expect(Array.from(l)).toEqual([NaN, -Infinity, 3]);
      expect(Array.from(rr)).toEqual([Infinity, 0.5, -7]);
      await r.close();
    }
  });
});

describe('WAV reader: containers and chunk layout', () => {
  const samples = testIntegers('s24', 500 * 2);
  const want = planarExpected('s24', samples, 2);

  for (const container of ['RF64', 'BW64'] as const) {
    it(`${container}: sizes from the ds64 chunk (data size field 0xFFFFFFFF, a chunk after the data)`, async () => {
      const path = fixture({
        container, encoding: 's24', channels: 2, samples, extensible: true, channelMask: 3,
        after: [{ id: 'LIST', body: new Uint8Array(30).fill(0x41) }],
      });
      const r = await openAudio(path);
      expect(r.info.frames).toBe(500);
      expect(r.info.format).toBe(`${container.toLowerCase()} pcm 24-bit`);
      expectSame(await readAll(r), want);
      expect(r.warnings).toEqual([]);
      await r.close();
    });
  }

  for (const sizeField of [0, 0xffffffff]) {
    it(`data size 0x${sizeField.toString(16)} means "to end of file"`, async () => {
      const r = await openAudio(fixture({ encoding: 's24', channels: 2, samples, dataSizeField: sizeField }));
      expect(r.info.frames).toBe(500);
      expectSame(await readAll(r), want);
      expect(r.warnings).toEqual([]);
      await r.close();
    });
  }

  it('RF64 whose ds64 data size is 0 reads to the end of the file', async () => {
    const r = await openAudio(fixture({ container: 'RF64', encoding: 's24', channels: 2, samples, ds64DataSize: 0 }));
    expect(r.info.frames).toBe(500);
    expectSame(await readAll(r), want);
    await r.close();
  });

  it('skips unknown chunks, odd-sized ones with their pad byte', async () => {
    const path = fixture({
      encoding: 's24', channels: 2, samples,
      before: [{ id: 'JUNK', body: new Uint8Array(28) }, { id: 'abcd', body: new Uint8Array(3).fill(0xff) }],
      between: [{ id: 'bext', body: new Uint8Array(601).fill(0x20) }, { id: 'fact', body: new Uint8Array(4) }],
      after: [{ id: 'LIST', body: new Uint8Array(9) }],
    });
    const r = await openAudio(path);
    expect(r.info.frames).toBe(500);
    expectSame(await readAll(r), want);
    await r.close();
  });

  it('tolerates an odd-sized chunk written without its pad byte', async () => {
    const path = fixture({ encoding: 's24', channels: 2, samples, between: [{ id: 'odd ', body: new Uint8Array(5).fill(1), noPad: true }] });
    const r = await openAudio(path);
    expectSame(await readAll(r), want);
    await r.close();
  });

  it('reads a file whose fmt chunk follows the data chunk', async () => {
    const r = await openAudio(fixture({ encoding: 's24', channels: 2, samples, fmtAfterData: true }));
    expect(r.info.frames).toBe(500);
    expectSame(await readAll(r), want);
    await r.close();
  });

  it('ignores a partial trailing frame when the data size is not a multiple of the block align', async () => {
    const r = await openAudio(fixture({ encoding: 's24', channels: 2, samples, extraDataBytes: 5 }));
    expect(r.info.frames).toBe(500);
    expectSame(await readAll(r), want);
    expect(r.warnings).toEqual([]);
    await r.close();
  });

  it('truncated data: reads what is there and warns once', async () => {
    const full = buildWav({ encoding: 's24', channels: 2, samples });
    // Cut in the middle of frame 300 (6 bytes per frame).
    const cut = full.length - 200 * 6 - 2;
    const path = writeFixture(tmp.dir, 'trunc.wav', full.subarray(0, cut));
    const r = await openAudio(path);
    expect(r.info.frames).toBe(299);
    const got = await readAll(r);
    expect(got[0].length).toBe(299);
    expectSame(got, want.map((ch) => ch.subarray(0, 299)));
    expect(r.warnings).toEqual([{ code: 'truncated', message: 'file is truncated: header promises 500 frames, 299 present' }]);
    await r.close();
  });

  it('truncated data with strict: throws AudioFileError', async () => {
    const full = buildWav({ encoding: 's16', channels: 1, samples: testIntegers('s16', 100) });
    const path = writeFixture(tmp.dir, 'trunc-strict.wav', full.subarray(0, full.length - 20));
    const err = await openAudio(path, { strict: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioFileError);
    expect((err as AudioFileError).file).toBe(path);
    expect((err as AudioFileError).message).toBe('file is truncated: header promises 100 frames, 90 present');
  });

  it('a file of header only has 0 frames and reads null', async () => {
    const r = await openAudio(fixture({ encoding: 's16', channels: 2, samples: [] }));
    expect(r.info.frames).toBe(0);
    expect(await r.read(1024)).toBeNull();
    await r.close();
  });

  it('read() fills whole blocks until the last one, then returns null for good', async () => {
    const r = await openAudio(fixture({ encoding: 's16', channels: 2, samples: testIntegers('s16', 2 * 2500) }));
    const sizes: number[] = [];
    for (let b = await r.read(1024); b; b = await r.read(1024)) sizes.push(b[0].length);
    expect(sizes).toEqual([1024, 1024, 452]);
    expect(await r.read(1024)).toBeNull();
    await r.close();
  });

  it('rejects what it cannot read with "not a supported audio file (...)"', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [buildWav({ encoding: 's16', channels: 1, samples: [1] }).subarray(0, 30), /fmt chunk too short/],
      [(() => { const b = buildWav({ encoding: 's16', channels: 1, samples: [1, 2] }); b[20] = 0x55; return b; })(), /0x0055 \(MP3\)/],
      [(() => { const b = buildWav({ encoding: 's16', channels: 0, samples: [] }); return b; })(), /0 channels/],
    ];
    for (const [bytes, why] of cases) {
      const path = writeFixture(tmp.dir, `bad${fileNo++}.wav`, bytes);
      const err = await openAudio(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AudioFileError);
      expect((err as Error).message).toMatch(/^not a supported audio file \(/);
      expect((err as Error).message).toMatch(why);
    }
  });
});

describe('WAV reader: fixed memory', () => {
  it('streams a 64 MB float file through two chunk buffers', async () => {
    // 8,000,000 stereo float frames = 64 MB of data, written in pieces.
    const frames = 8_000_000;
    const header = buildWav({ encoding: 'f32', channels: 2, samples: [], dataSizeField: frames * 8 });
    const path = writeFixture(tmp.dir, 'big.wav', header);
    const fh = await open(path, 'a');
    const piece = new Float32Array(2 * 500_000);
    for (let i = 0; i < piece.length; i++) piece[i] = ((i % 200) - 100) / 128;
    for (let w = 0; w < frames / 500_000; w++) await fh.write(new Uint8Array(piece.buffer));
    await fh.close();

    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage();
    const r = await openAudio(path);
    let total = 0;
    let peakExternal = 0;
    let check = 0;
    for (let b = await r.read(4096); b; b = await r.read(4096)) {
      total += b[0].length;
      check += b[1][7];
      if ((total & 0xffff) < 4096) peakExternal = Math.max(peakExternal, process.memoryUsage().arrayBuffers);
    }
    await r.close();
    expect(total).toBe(frames);
    expect(Number.isFinite(check)).toBe(true);
    // Structural bound: two chunk buffers plus the output block, nowhere near the 64 MB of the file.
    const grown = peakExternal - before.arrayBuffers;
    expect(grown).toBeLessThan(2 * WAV_CHUNK_BYTES + 8 * 1024 * 1024);
  });
});
