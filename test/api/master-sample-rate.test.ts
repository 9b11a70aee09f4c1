/**
 * master --sample-rate: the output is written at the asked rate, and the loudness target and the true-peak
 * ceiling hold on what is written (measured here on the file, with an independent BS.1770 meter too).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { masterCommand } from '../../src/cli/commands/master.js';
import { UsageError } from '../../src/cli/cli-error.js';
import { masterFiles } from '../../src/api/master-files.js';
import { Analyzer } from '../../src/core/analysis/analyzer.js';
import { openAudio } from '../../src/io/open-audio.js';
import { createWavWriter } from '../../src/io/wav-writer.js';
import { loadEbur128Wasm } from '../helpers/ebur128-oracle.js';
import { readAudioFile } from '../helpers/read-audio.js';

const FS = 48000;
const SECONDS = 8;
const TONE_HZ = 1000;
let dir = '';
let input = '';
let oracle: (fs: number, ch: Float32Array[]) => number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-master-sr-'));
  oracle = await loadEbur128Wasm();
  // A 1 kHz tone over noise with a 1 Hz envelope, quiet (about -30 LUFS): master must add gain and limit.
  let s = 7;
  const rand = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296 - 0.5; };
  const n = SECONDS * FS;
  const l = new Float32Array(n), r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const env = 0.55 + 0.45 * Math.sin((2 * Math.PI * i) / FS);
    const tone = 0.03 * Math.sin((2 * Math.PI * TONE_HZ * i) / FS);
    l[i] = env * (tone + 0.02 * rand());
    r[i] = env * (tone + 0.02 * rand());
  }
  input = join(dir, 'in48k.wav');
  const w = await createWavWriter(input, { sampleRate: FS, channels: 2, format: 'pcm24' });
  await w.write([l, r], n);
  await w.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Power of `x` at `freqHz` (Goertzel over the whole signal), relative units. */
function powerAt(x: Float32Array, fs: number, freqHz: number): number {
  const k = 2 * Math.cos((2 * Math.PI * freqHz) / fs);
  let s1 = 0, s2 = 0;
  for (let i = 0; i < x.length; i++) { const s0 = x[i] + k * s1 - s2; s2 = s1; s1 = s0; }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

describe('master --sample-rate', () => {
  it('48 kHz in, --sample-rate 44100: a 44.1 kHz file at the target ±0.1 LU and under the ceiling', async () => {
    const out = join(dir, 'out441.wav');
    const out_: string[] = [];
    const code = await masterCommand([input], { output: out, target: '-14', ceiling: '-1', sampleRate: '44100', json: true, quiet: true },
      { stdout: (t) => out_.push(t), stderr: () => undefined });
    expect(code).toBe(0);
    const json = JSON.parse(out_[0]);
    expect(json.output.sampleRate).toBe(44100);
    expect(json.input.sampleRate).toBe(48000);
    expect(json.settings).toMatchObject({ sampleRate: 44100, resampledFromHz: 48000 });

    const r = await openAudio(out);
    expect(r.info.sampleRate).toBe(44100);
    await r.close();
    const { channels, sampleRate } = await readAudioFile(out);
    expect(sampleRate).toBe(44100);
    expect(channels[0].length).toBe(Math.round((SECONDS * FS * 44100) / FS));

    // Measured on the written file (24-bit, dithered): our meter and the independent one.
    const an = new Analyzer({ sampleRate, channels: 2, series: false });
    an.push(channels, channels[0].length);
    const m = an.result();
    expect(Math.abs((m.integratedLufs as number) + 14)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(oracle(sampleRate, channels) + 14)).toBeLessThanOrEqual(0.1);
    expect(m.truePeakDbtp as number).toBeLessThanOrEqual(-1);
    // The content is resampled, not relabelled: the tone is still at 1 kHz (relabelled 48 kHz samples
    // would put it at 1088 Hz).
    expect(powerAt(channels[0], sampleRate, TONE_HZ)).toBeGreaterThan(1000 * powerAt(channels[0], sampleRate, (TONE_HZ * FS) / 44100));
    // The temporary resampled copy is gone.
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('mixmaster-master-')).length).toBe(0);
  }, 120000);

  it('the same rate as the input changes nothing (no resampling)', async () => {
    const [res] = await masterFiles([input], { output: join(dir, 'same.wav'), targetLufs: -14, sampleRate: 48000 });
    expect(res.output.sampleRate).toBe(48000);
    expect(res.output.frames).toBe(SECONDS * FS);
    expect(res.settings).toMatchObject({ sampleRate: 48000, resampledFromHz: null });
  }, 60000);

  it('refuses unsupported rates with a usage error before writing anything', async () => {
    const o = { stdout: () => undefined, stderr: () => undefined };
    for (const bad of ['1000', '44100.5', 'fast', '500000', '']) {
      await expect(masterCommand([input], { output: join(dir, 'x.wav'), sampleRate: bad }, o)).rejects.toBeInstanceOf(UsageError);
    }
    await expect(masterFiles([input], { output: join(dir, 'x.wav'), sampleRate: 7999 })).rejects.toThrow(/sample rate/);
    // A rate the output format cannot hold is refused before any output exists.
    await expect(masterFiles([input], { output: join(dir, 'x.mp3'), sampleRate: 96000 })).rejects.toThrow(/MP3 cannot hold 96000/);
    // Above the resampler's range (192 kHz), in or out: refused naming the file, before any work.
    await expect(masterFiles([input], { output: join(dir, 'x.wav'), sampleRate: 200000 })).rejects.toThrow(/cannot resample 48000 Hz to 200000 Hz: the resampler works up to 192000 Hz/);
    expect(existsSync(join(dir, 'x.wav'))).toBe(false);
    expect(existsSync(join(dir, 'x.mp3'))).toBe(false);
  }, 60000);
});
