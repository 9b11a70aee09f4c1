/**
 * MP4/M4A, CAF, WavPack, WMA and ADTS through ffmpeg (io/ffmpeg-reader.ts): lossless codecs give the source's exact
 * integers, AAC its exact length and alignment (clicks where the source has them), and a missing ffmpeg
 * or an unreadable file a one-line refusal.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAudio } from '../../src/io/open-audio.js';
import { readFrames } from '../helpers/read-audio.js';
import { buildWav, ffmpeg, hasFfmpeg, NO_FFMPEG, tempDir, testIntegers } from './wav-fixtures.js';

const tmp = tempDir('mixmaster-ffmpeg-');
afterAll(() => tmp.cleanup());
const p = (name: string) => join(tmp.dir, name);
const RATE = 48000;
const FRAMES = 30_000;
const ints16 = testIntegers('s16', 2 * FRAMES, 4);
const ints24 = testIntegers('s24', 2 * FRAMES, 5);
/** Clicks every 4800 frames (first at 1000) on silence: where they land shows the alignment. */
const CLICK_AT = Array.from({ length: 6 }, (_, k) => 1000 + 4800 * k);

beforeAll(() => {
  if (!hasFfmpeg) return;
  writeFileSync(p('i16.wav'), buildWav({ encoding: 's16', channels: 2, samples: ints16, sampleRate: RATE }));
  writeFileSync(p('i24.wav'), buildWav({ encoding: 's24', channels: 2, samples: ints24, sampleRate: RATE }));
  const clicks = new Array(FRAMES).fill(0);
  for (const k of CLICK_AT) clicks[k] = 0.8;
  writeFileSync(p('clicks.wav'), buildWav({ encoding: 'f32', channels: 1, samples: clicks, sampleRate: RATE }));
  ffmpeg(['-i', p('i16.wav'), '-c:a', 'alac', p('i16.m4a')]);
  ffmpeg(['-i', p('i24.wav'), '-c:a', 'alac', p('i24.m4a')]);
  ffmpeg(['-i', p('i16.wav'), '-c:a', 'pcm_s16be', p('i16.caf')]);
  ffmpeg(['-i', p('i16.wav'), '-c:a', 'wavpack', p('i16.wv')]);
  ffmpeg(['-i', p('clicks.wav'), '-c:a', 'wmav2', '-b:a', '192k', p('clicks.wma')]);
  ffmpeg(['-i', p('clicks.wav'), '-c:a', 'aac', '-b:a', '256k', p('clicks.m4a')]);
  ffmpeg(['-i', p('clicks.wav'), '-c:a', 'aac', '-b:a', '256k', '-f', 'adts', p('clicks.aac')]);
  // Loud noise, then a long silence: ADTS's length estimate (from the opening bit rate) falls far short.
  ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=d=2:a=0.8:r=48000', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono:d=10', '-f', 'lavfi', '-i', 'sine=f=440:d=1:r=48000',
    '-filter_complex', '[0][1][2]concat=n=3:v=0:a=1', '-c:a', 'aac', '-b:a', '256k', '-f', 'adts', p('quiet-end.aac')]);
}, 60_000);

/** Runs `fn` with these environment variables set, then puts them back. */
async function withEnv(vars: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function decode(path: string, block = 1234) {
  const r = await openAudio(path);
  try {
    return { r, data: await readFrames(r, block) };
  } finally {
    await r.close();
  }
}

function planar(values: number[], scale: number): Float32Array[] {
  return [0, 1].map((c) => Float32Array.from({ length: values.length / 2 }, (_, i) => values[2 * i + c] / scale));
}

describe('ffmpeg-decoded formats', () => {
  it('ALAC in M4A (16 and 24-bit) and PCM in CAF decode to the exact integers', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    for (const [file, values, bits, format] of [['i16.m4a', ints16, 16, 'mp4 alac'], ['i24.m4a', ints24, 24, 'mp4 alac'], ['i16.caf', ints16, 16, 'caf pcm_s16be'], ['i16.wv', ints16, 16, 'wavpack wavpack']] as const) {
      const { r, data } = await decode(p(file));
      expect(r.info).toMatchObject({ sampleRate: RATE, channels: 2, frames: FRAMES, format, pcmBits: bits });
      expect(data).toEqual(planar([...values], 2 ** (bits - 1)));
      expect(r.warnings).toEqual([]);
    }
  });

  it('AAC in M4A decodes to the source length with clicks in place (the codec padding is cut)', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    const { r, data } = await decode(p('clicks.m4a'));
    expect(r.info).toMatchObject({ sampleRate: RATE, channels: 1, frames: FRAMES, format: 'mp4 aac', pcmBits: null });
    expect(data[0].length).toBe(FRAMES);
    for (const k of CLICK_AT) {
      let best = k - 50;
      for (let i = k - 50; i <= k + 50; i++) if (Math.abs(data[0][i]) > Math.abs(data[0][best])) best = i;
      expect(Math.abs(best - k)).toBeLessThanOrEqual(1);
    }
  });

  it('WMA decodes to about the source length, the clicks there', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    const { r, data } = await decode(p('clicks.wma'));
    expect(r.info).toMatchObject({ sampleRate: RATE, channels: 1, format: 'asf wmav2', pcmBits: null });
    // WMA (ffmpeg's encoder and decoder) keeps neither the length nor the alignment exactly: within a
    // block of 2048 frames or so.
    expect(Math.abs(data[0].length - FRAMES)).toBeLessThanOrEqual(2 * 2048);
    expect(r.warnings).toEqual([]);
    // The clicks keep their spacing (the decoder's delay shifts them all alike).
    const found: number[] = [];
    for (let k = 0; k < CLICK_AT.length - 1; k++) {
      let best = CLICK_AT[k];
      for (let i = CLICK_AT[k]; i < CLICK_AT[k] + 4000 && i < data[0].length; i++) if (Math.abs(data[0][i]) > Math.abs(data[0][best])) best = i;
      found.push(best);
    }
    for (let k = 1; k < found.length; k++) expect(Math.abs(found[k] - found[k - 1] - 4800)).toBeLessThanOrEqual(2);
  });

  it('AAC in ADTS (no container length) decodes whole, whatever its length estimate says', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    const q = await decode(p('quiet-end.aac'));
    expect(q.r.info.frames).toBeNull();
    expect(q.data[0].length).toBeGreaterThanOrEqual(13 * RATE);
    let tail = 0;
    for (let i = 12 * RATE + 1000; i < 13 * RATE - 1000; i++) tail = Math.max(tail, Math.abs(q.data[0][i]));
    expect(tail).toBeGreaterThan(0.05); // the closing sine is there
    const { r, data } = await decode(p('clicks.aac'));
    expect(r.info.format).toBe('aac aac');
    // ADTS has no priming information: the decoder's delay stays in (one AAC frame and some).
    expect(data[0].length).toBeGreaterThanOrEqual(FRAMES);
    expect(data[0].length).toBeLessThan(FRAMES + 3 * 1024);
  });

  it('without ffmpeg, says how to install it; a video without audio and an unreadable M4A are refused', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    await withEnv({ MIXMASTER_FFPROBE: join(tmp.dir, 'no-such-ffprobe') }, async () => {
      await expect(openAudio(p('clicks.m4a'))).rejects.toThrow('not a supported audio file (MP4/M4A is decoded by ffmpeg, which is not installed; Debian: apt-get install ffmpeg)');
    });
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=duration=1:size=32x32:rate=5', '-c:v', 'mpeg4', p('video.mp4')]);
    await expect(openAudio(p('video.mp4'))).rejects.toThrow('not a supported audio file (MP4/M4A without an audio stream)');
    const full = readFileSync(p('i16.m4a'));
    writeFileSync(p('cut.m4a'), full.subarray(0, full.length >> 1));
    await expect(openAudio(p('cut.m4a'))).rejects.toThrow(/^not a supported audio file \(ffmpeg cannot read it: [^[].+\)$/);
  });

  it('an M4A with no sample data is refused at open; an ffmpeg that stalls is ended with an error', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    ffmpeg(['-i', p('clicks.wav'), '-c:a', 'aac', '-movflags', '+faststart', p('fast.m4a')]);
    const full = readFileSync(p('fast.m4a'));
    writeFileSync(p('nodata.m4a'), full.subarray(0, full.indexOf('mdat') + 12));
    await expect(openAudio(p('nodata.m4a'))).rejects.toThrow(/^not a supported audio file \(no decodable MP4\/M4A audio/);
    // A stand-in for ffmpeg that writes a little, then hangs.
    const fake = p('stall-ffmpeg.sh');
    writeFileSync(fake, '#!/bin/sh\nhead -c 40000 /dev/zero\nexec sleep 600\n', { mode: 0o755 });
    await withEnv({ MIXMASTER_FFMPEG: fake, MIXMASTER_FFMPEG_STALL_SECONDS: '1' }, async () => {
      const r = await openAudio(p('clicks.m4a'));
      await expect(readFrames(r, 4096)).rejects.toThrow('decode error: ffmpeg gave no output for 1 s');
      await r.close();
    });
  });

  it('a relative name with a colon is a file, not an ffmpeg protocol; a silent ffprobe is given up on', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    writeFileSync(p('take2:final.m4a'), readFileSync(p('i16.m4a')));
    const cli = fileURLToPath(new URL('../../bin/mixmaster', import.meta.url));
    const run = spawnSync(process.execPath, [cli, 'analyze', '--json', 'take2:final.m4a'], { cwd: tmp.dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).frames).toBe(FRAMES);
    const fake = p('slow-ffprobe.sh');
    writeFileSync(fake, '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    await withEnv({ MIXMASTER_FFPROBE: fake, MIXMASTER_FFMPEG_STALL_SECONDS: '1' }, async () => {
      await expect(openAudio(p('i16.m4a'))).rejects.toThrow('not a supported audio file (ffprobe gave no answer in 1 s)');
    });
  });

  it('close() in the middle ends the decoder', async (ctx) => {
    ctx.skip(!hasFfmpeg, NO_FFMPEG);
    const r = await openAudio(p('i24.m4a'));
    expect((await r.read(100))?.[0].length).toBe(100);
    await r.close();
    await expect(r.read(100)).rejects.toThrow(/read after close/);
    // A file whose whole output fits in the pipe: ffmpeg has exited with output unread.
    writeFileSync(p('short.wav'), buildWav({ encoding: 's16', channels: 1, samples: ints16.slice(0, 2000), sampleRate: RATE }));
    ffmpeg(['-i', p('short.wav'), '-c:a', 'alac', p('short.m4a')]);
    const s = await openAudio(p('short.m4a'));
    expect((await s.read(10))?.[0].length).toBe(10);
    await new Promise((done) => setTimeout(done, 500));
    await s.close();
  });
});
