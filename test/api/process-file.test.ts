/** processFile(): chains applied to files, with latency compensated and the length kept. */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { processFile } from '../../src/api/process-file.js';
import { buildWav, tempDir, writeFixture } from '../io/wav-fixtures.js';
import { readAudioFile } from '../helpers/read-audio.js';

const { dir, cleanup } = tempDir('mixmaster-process-');
afterAll(cleanup);

async function readAll(path: string): Promise<{ rate: number; channels: Float32Array[] }> {
  const a = await readAudioFile(path);
  return { rate: a.sampleRate, channels: a.channels };
}

/** Quiet band-limited programme: noise through a one-pole, well below any threshold. */
function programme(frames: number, amp: number): number[] {
  const out: number[] = [];
  let seed = 7;
  let lp0 = 0;
  let lp1 = 0;
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    lp0 += 0.1 * ((seed / 2147483648 - 1) - lp0);
    seed = (seed * 1664525 + 1013904223) >>> 0;
    lp1 += 0.1 * ((seed / 2147483648 - 1) - lp1);
    out.push(amp * lp0, amp * lp1);
  }
  return out;
}

describe('processFile', () => {
  const frames = 48000;
  const input = writeFixture(dir, 'in.wav', buildWav({ encoding: 'f32', channels: 2, samples: programme(frames, 0.5) }));

  it('applies a gain chain exactly (float out)', async () => {
    const out = join(dir, 'gain.wav');
    await processFile(input, out, { chain: [{ type: 'gain', gainDb: 20 * Math.log10(0.5) }], bitDepth: '32f' });
    const a = await readAll(input);
    const b = await readAll(out);
    expect(b.channels[0].length).toBe(frames);
    let err = 0;
    // The gain ramps from its first value only on changes: a fixed gain applies from sample 0.
    for (let c = 0; c < 2; c++) for (let i = 0; i < frames; i++) err = Math.max(err, Math.abs(b.channels[c][i] - 0.5 * a.channels[c][i]));
    expect(err).toBeLessThan(1e-7);
  });

  it('refuses a sidechain from another source (a one-file chain has none) before writing; the key filter alone is fine', async () => {
    const { existsSync } = await import('node:fs');
    const out = join(dir, 'keyed.wav');
    await expect(processFile(input, out, { chain: [{ type: 'compressor', sidechain: { source: 'kick' } }] })).rejects.toThrow(/chain\[0\]\.sidechain\.source: "kick" cannot key a one-file chain/);
    expect(existsSync(out)).toBe(false);
    await processFile(input, out, { chain: [{ type: 'compressor', sidechain: { highpassHz: 100 } }] });
    expect(existsSync(out)).toBe(true);
  });

  it('writes FLAC losslessly (the samples of the same WAV) and MP3', async () => {
    const chain = [{ type: 'gain', gainDb: -3 }];
    await processFile(input, join(dir, 'p.wav'), { chain, bitDepth: '16', dither: false });
    const res = await processFile(input, join(dir, 'p.flac'), { chain, bitDepth: '16', dither: false });
    expect(res.settings).toMatchObject({ bitDepth: '16', dither: 'none' });
    const w = await readAll(join(dir, 'p.wav'));
    const f = await readAll(join(dir, 'p.flac'));
    for (let c = 0; c < 2; c++) expect(Array.from(f.channels[c])).toEqual(Array.from(w.channels[c]));
    const mp3 = await processFile(input, join(dir, 'p.mp3'), { chain });
    expect(mp3.settings).toMatchObject({ bitDepth: null, dither: 'none' });
    expect((await readAll(join(dir, 'p.mp3'))).channels[0].length).toBe(frames); // gapless: the Info frame
  });

  it('compensates look-ahead latency: a limiter and compressor that do not act null against the input', async () => {
    const out = join(dir, 'lookahead.wav');
    const res = await processFile(input, out, {
      chain: [{ type: 'compressor', thresholdDb: 0, ratio: 4, lookaheadMs: 5 }, { type: 'limiter', ceilingDbtp: 0, lookaheadMs: 3 }],
      bitDepth: '32f',
    });
    expect(res.settings.latencyFrames).toBeGreaterThan(300);
    const a = await readAll(input);
    const b = await readAll(out);
    expect(b.channels[0].length).toBe(frames);
    let err = 0;
    let ref = 0;
    for (let c = 0; c < 2; c++) for (let i = 0; i < frames; i++) { err = Math.max(err, Math.abs(b.channels[c][i] - a.channels[c][i])); ref = Math.max(ref, Math.abs(a.channels[c][i])); }
    expect(20 * Math.log10(err / ref)).toBeLessThan(-90);
  });

  it('writes 16- and 24-bit PCM within one dithered LSB', async () => {
    const a = await readAll(input);
    for (const [bits, lsb] of [['16', 1 / 32768], ['24', 1 / 8388608]] as const) {
      const out = join(dir, `pcm${bits}.wav`);
      await processFile(input, out, { chain: [], bitDepth: bits });
      const b = await readAll(out);
      let err = 0;
      for (let c = 0; c < 2; c++) for (let i = 0; i < frames; i++) err = Math.max(err, Math.abs(b.channels[c][i] - a.channels[c][i]));
      // TPDF dither spans ±1 LSB, plus 1/2 LSB rounding.
      expect(err).toBeLessThanOrEqual(1.5 * lsb + 1e-9);
    }
  });

  it('replaces NaN/Inf by 0 and warns', async () => {
    const samples = programme(4800, 0.5);
    samples[10] = NaN;
    samples[99] = Infinity;
    const bad = writeFixture(dir, 'nan.wav', buildWav({ encoding: 'f32', channels: 2, samples }));
    const out = join(dir, 'nan-out.wav');
    const res = await processFile(bad, out, { chain: [{ type: 'gain', gainDb: 0 }], bitDepth: '32f' });
    expect(res.warnings.map((w) => w.code)).toContain('non-finite');
    const b = await readAll(out);
    expect(b.channels[0][5]).toBe(0);
    expect(b.channels[1][49]).toBe(0);
  });
});

describe('processFile --sample-rate', () => {
  it('resamples: a 1 kHz sine at 44.1 kHz comes out at 48 kHz with the same frequency, level and duration', async () => {
    const fsIn = 44100;
    const samples: number[] = [];
    for (let i = 0; i < fsIn; i++) { const v = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / fsIn); samples.push(v, v); }
    const input = writeFixture(dir, 'sine441.wav', buildWav({ encoding: 'f32', channels: 2, sampleRate: fsIn, samples }));
    const out = join(dir, 'sine48.wav');
    await processFile(input, out, { chain: [], sampleRate: 48000, bitDepth: '32f' });
    const b = await readAll(out);
    expect(b.rate).toBe(48000);
    expect(Math.abs(b.channels[0].length - 48000)).toBeLessThanOrEqual(2);
    // Compare with the ideal sine in the steady middle part (no edge transients).
    let err = 0;
    let best = Infinity;
    for (let lag = -64; lag <= 64; lag++) {
      err = 0;
      for (let i = 4800; i < 43200; i++) err = Math.max(err, Math.abs(b.channels[0][i] - 0.5 * Math.sin((2 * Math.PI * 1000 * (i - lag)) / 48000)));
      best = Math.min(best, err);
    }
    expect(20 * Math.log10(best / 0.5)).toBeLessThan(-80);
  });
});
