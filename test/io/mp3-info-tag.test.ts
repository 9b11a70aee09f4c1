/**
 * The MP3 Info frame: encoded MP3s decode to their source's exact length and alignment (gapless), with
 * ffmpeg's decoder as the oracle and with ours; the CRC and the frame counter on their own.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEncoder } from '../../src/io/encoders.js';
import { crc16, Mp3FrameCounter, mpeg1FrameBytes } from '../../src/io/mp3-info-tag.js';
import { readAudioFile } from '../helpers/read-audio.js';
import { ffmpegOut, hasFfmpeg, NO_FFMPEG, tempDir } from './wav-fixtures.js';

const { dir, cleanup } = tempDir('mixmaster-mp3-info-');
afterAll(cleanup);

/** A click every 4800 frames from frame 1000 (left) and 1500 (right): alignment is visible to the sample. */
function clicks(frames: number): Float32Array[] {
  return [1000, 1500].map((first) => {
    const x = new Float32Array(frames);
    for (let i = first; i < frames; i += 4800) x[i] = 0.9;
    return x;
  });
}

/** Positions of the clicks: the largest |sample| in each 4800-frame window. */
function clickPositions(x: Float32Array): number[] {
  const out: number[] = [];
  for (let w = 0; w + 4800 <= x.length; w += 4800) {
    let best = w;
    for (let i = w; i < w + 4800; i++) if (Math.abs(x[i]) > Math.abs(x[best])) best = i;
    out.push(best);
  }
  return out;
}

async function encode(name: string, x: Float32Array[], sampleRate: number): Promise<string> {
  const path = join(dir, name);
  const enc = await createEncoder(path, { sampleRate, channels: 2, bitDepth: '16' });
  for (let off = 0; off < x[0].length; off += 4096) {
    const n = Math.min(4096, x[0].length - off);
    await enc.write(x.map((c) => c.subarray(off, off + n)), n);
  }
  await enc.close();
  return path;
}

describe('MP3 Info frame (gapless)', () => {
  for (const rate of [48000, 44100, 32000]) {
    it(`${rate} Hz: ffmpeg and our decoder give the source's length, the clicks where they were`, async (ctx) => {
      const frames = rate + 777; // not a whole number of MP3 frames
      const x = clicks(frames);
      const path = await encode(`clicks-${rate}.mp3`, x, rate);
      const ours = await readAudioFile(path);
      expect(ours.channels[0].length).toBe(frames);
      expect(clickPositions(ours.channels[0])).toEqual(clickPositions(x[0]));
      expect(clickPositions(ours.channels[1])).toEqual(clickPositions(x[1]));
      ctx.skip(!hasFfmpeg, NO_FFMPEG);
      const raw = ffmpegOut(['-i', path, '-f', 'f32le', '-ac', '2', '-']);
      const inter = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2);
      expect(inter.length / 2).toBe(frames);
      const left = Float32Array.from({ length: frames }, (_, i) => inter[2 * i]);
      expect(clickPositions(left)).toEqual(clickPositions(x[0]));
    });
  }

  it('crc16 is CRC-16/ARC (the check value of "123456789" is 0xBB3D)', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0xbb3d);
    // Incremental: the CRC of a split input equals that of the whole.
    const a = new TextEncoder().encode('1234'), b = new TextEncoder().encode('56789');
    expect(crc16(b, crc16(a))).toBe(0xbb3d);
  });

  it('the frame counter follows frames across chunk boundaries, headers split included', () => {
    const size = mpeg1FrameBytes(320, 44100); // 1044, plus a padding slot on some frames
    const frame = (pad: boolean) => {
      const f = new Uint8Array(size + (pad ? 1 : 0));
      f.set([0xff, 0xfb, 0xe0 | (pad ? 0x02 : 0), 0x64]); // MPEG-1 L3, 320 kbit/s, 44.1 kHz, joint stereo
      return f;
    };
    const stream = [frame(false), frame(true), frame(false), frame(true)];
    const all = new Uint8Array(stream.reduce((n, f) => n + f.length, 0));
    let o = 0;
    for (const f of stream) { all.set(f, o); o += f.length; }
    const c = new Mp3FrameCounter();
    for (const cut of [1, 2, 1043, 1045, 2091, 3000, all.length]) c.push(all.subarray(c.bytes, cut));
    expect(c.frames).toBe(4);
    expect(c.bytes).toBe(all.length);
    expect(c.crc).toBe(crc16(all));
    expect(Array.from(c.firstHeader!)).toEqual([0xff, 0xfb, 0xe0, 0x64]);
    expect(() => new Mp3FrameCounter().push(new Uint8Array(8))).toThrow(/not an MPEG-1 Layer III frame/);
  });
});
