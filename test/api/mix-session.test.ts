import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixSession, sessionJsonSchema } from '../../src/api/mix-session.js';
import { SessionError } from '../../src/core/mix/session-schema.js';
import { createWavWriter } from '../../src/io/wav-writer.js';
import { mixCommand } from '../../src/cli/commands/mix.js';
import { noise } from '../core/mix/mix-harness.js';
import { readAudioFile } from '../helpers/read-audio.js';

let dir: string;

async function writeStem(name: string, channels: Float32Array[], sampleRate = 48000): Promise<void> {
  const w = await createWavWriter(join(dir, name), { sampleRate, channels: channels.length, format: 'float32' });
  await w.write(channels, channels[0].length);
  await w.close();
}

async function readAll(path: string): Promise<{ rate: number; data: Float32Array[] }> {
  const a = await readAudioFile(path);
  return { rate: a.sampleRate, data: a.channels };
}

const A = [noise(30000, 0.4, 1), noise(30000, 0.4, 2)];
const B = [noise(20000, 0.4, 3), noise(20000, 0.4, 4)];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mix-session-'));
  await writeStem('a.wav', A);
  await writeStem('b.wav', B);
  const sine = new Float32Array(44100);
  for (let i = 0; i < sine.length; i++) sine[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 44100);
  await writeStem('s441.wav', [sine, sine], 44100);
  await writeFile(join(dir, 'junk.wav'), Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) & 255)));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('mixSession', () => {
  it('unity session: the output is the plain sum of the stems (max abs diff 0, float32 out)', async () => {
    await writeFile(join(dir, 'unity.yaml'), 'tracks:\n  - { name: a, file: a.wav }\n  - { name: b, file: b.wav }\n');
    const res = await mixSession(join(dir, 'unity.yaml'), join(dir, 'unity.wav'), { bitDepth: '32f', blockFrames: 1000 });
    expect(res.settings.frames).toBe(30000);
    const { data } = await readAll(join(dir, 'unity.wav'));
    let maxDiff = 0;
    for (let c = 0; c < 2; c++) for (let i = 0; i < 30000; i++) maxDiff = Math.max(maxDiff, Math.abs(data[c][i] - Math.fround(A[c][i] + (B[c][i] ?? 0))));
    expect(maxDiff).toBe(0);
  });

  it('a unity pass of a 16-bit stem to 16 bits is bit-for-bit with --no-dither (dither: false); dithered by default', async () => {
    const pcm = A.map((c) => c.map((v) => Math.round(v * 0.5 * 32768) / 32768)); // on the 16-bit grid
    const w = await createWavWriter(join(dir, 'a16.wav'), { sampleRate: 48000, channels: 2, format: 'pcm16', dither: false });
    await w.write(pcm, pcm[0].length);
    await w.close();
    await writeFile(join(dir, 'u16.yaml'), 'tracks:\n  - { name: a, file: a16.wav }\n');
    const plain = await mixSession(join(dir, 'u16.yaml'), join(dir, 'u16-plain.wav'), { dither: false });
    expect(plain.settings).toMatchObject({ format: 'pcm16', dither: 'none' });
    const dithered = await mixSession(join(dir, 'u16.yaml'), join(dir, 'u16-tpdf.wav'), {});
    expect(dithered.settings).toMatchObject({ format: 'pcm16', dither: 'tpdf' });
    const differing = async (file: string) => {
      const { data } = await readAll(join(dir, file));
      let n = 0;
      for (let c = 0; c < 2; c++) for (let i = 0; i < pcm[c].length; i++) if (data[c][i] !== pcm[c][i]) n++;
      return n;
    };
    expect(await differing('u16-plain.wav')).toBe(0);
    expect(await differing('u16-tpdf.wav')).toBeGreaterThan(1000);
  });

  it('writes FLAC (lossless: the same samples as the WAV) and MP3; refuses a float FLAC before writing', async () => {
    await writeFile(join(dir, 'enc.yaml'), 'tracks:\n  - { name: a, file: a.wav, gainDb: -6 }\n  - { name: b, file: b.wav, pan: 0.3 }\n');
    const wav = await mixSession(join(dir, 'enc.yaml'), join(dir, 'enc.wav'), { bitDepth: '24', dither: false });
    const flac = await mixSession(join(dir, 'enc.yaml'), join(dir, 'enc.flac'), { bitDepth: '24', dither: false });
    expect(flac.settings).toMatchObject({ format: 'pcm24', dither: 'none' });
    const w = (await readAll(join(dir, 'enc.wav'))).data;
    const f = (await readAll(join(dir, 'enc.flac'))).data;
    expect(f[0].length).toBe(wav.settings.frames);
    for (let c = 0; c < 2; c++) expect(Array.from(f[c])).toEqual(Array.from(w[c]));
    // MP3: a 1 kHz sine (through the encoder's low-pass untouched) keeps its level within 0.05 dB, and the
    // length is exact (the Info frame's gapless trim).
    await writeFile(join(dir, 'sine.json'), JSON.stringify({ sampleRate: 48000, tracks: [{ name: 's', file: 's441.wav' }] }));
    const mp3 = await mixSession(join(dir, 'sine.json'), join(dir, 'sine.mp3'), {});
    expect(mp3.settings).toMatchObject({ format: 'mp3', dither: 'none' });
    const m = (await readAll(join(dir, 'sine.mp3'))).data;
    expect(m[0].length).toBe(mp3.settings.frames);
    const mid = m[0].subarray(12000, 36000);
    const rms = Math.sqrt(mid.reduce((a, v) => a + v * v, 0) / mid.length);
    expect(Math.abs(20 * Math.log10(rms / (0.5 / Math.SQRT2)))).toBeLessThan(0.05);
    await expect(mixSession(join(dir, 'enc.yaml'), join(dir, 'enc32.flac'), { bitDepth: '32f' })).rejects.toThrow(/FLAC holds integer samples only/);
    expect((await readdir(dir)).some((x) => x.includes('enc32'))).toBe(false);
  });

  it('refuses, before writing, a stem the resampler cannot convert (above 192 kHz), naming it', async () => {
    await writeFile(join(dir, 'hi.json'), JSON.stringify({ sampleRate: 200000, tracks: [{ name: 'a', file: 'a.wav' }] }));
    const e = await mixSession(join(dir, 'hi.json'), join(dir, 'hi.wav'), {}).catch((x: unknown) => x as { file?: string; message: string });
    expect(e).toMatchObject({ message: 'cannot resample 48000 Hz to 200000 Hz: the resampler works up to 192000 Hz', file: join(dir, 'a.wav') });
    expect((await readdir(dir)).some((f) => f.includes('hi.wav'))).toBe(false);
  });

  it('resamples a 44.1 kHz stem into a 48 kHz session: length and level kept', async () => {
    await writeFile(join(dir, 'rs.json'), JSON.stringify({ sampleRate: 48000, tracks: [{ name: 's', file: 's441.wav' }] }));
    const res = await mixSession(join(dir, 'rs.json'), join(dir, 'rs.wav'), { bitDepth: '32f' });
    expect(res.settings.resampled.length).toBe(1);
    const { rate, data } = await readAll(join(dir, 'rs.wav'));
    expect(rate).toBe(48000);
    expect(data[0].length).toBe(48000);
    // Oracle: the continuous sine at the new rate (skip the edges, where the filter sees the cut).
    let err = 0;
    for (let i = 2000; i < 46000; i++) err = Math.max(err, Math.abs(data[0][i] - 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000)));
    expect(20 * Math.log10(err / 0.5)).toBeLessThan(-60);
  });

  const bad: [string, string, RegExp][] = [
    ['missing stem', 'tracks:\n  - { name: a, file: nope.wav }\n', /nope\.wav: no such file/],
    ['unreadable stem', 'tracks:\n  - { name: a, file: junk.wav }\n', /not a supported audio file/],
    ['unknown bus', 'tracks:\n  - { name: a, file: a.wav, output: drums }\n', /tracks\[0\]\.output: unknown bus "drums"/],
    ['routing cycle', 'tracks:\n  - { name: a, file: a.wav, output: x }\nbuses:\n  - { name: x, output: y }\n  - { name: y, output: x }\n', /routing cycle: x -> y -> x/],
    ['bad parameter', 'tracks:\n  - { name: a, file: a.wav, inserts: [ { type: gain, gainDb: 99 } ] }\n', /tracks\[0\]\.inserts\[0\]\.gainDb: must be <= 48/],
  ];
  for (const [what, yaml, msg] of bad) {
    it(`fails before rendering, writing nothing: ${what}`, async () => {
      const s = join(dir, `bad-${what.replace(/ /g, '-')}.yaml`);
      await writeFile(s, yaml);
      const before = await readdir(dir);
      const out = join(dir, `bad-${what.replace(/ /g, '-')}.wav`);
      const e = (await mixSession(s, out).catch((x) => x)) as Error & { file: string };
      expect(e).toBeInstanceOf(Error);
      expect(`${e.file}: ${e.message}`).toMatch(msg);
      expect((await readdir(dir)).sort()).toEqual(before.sort());
    });
  }

  it('SessionError lists every problem; the CLI prints one line with the session file', async () => {
    const s = join(dir, 'two.yaml');
    await writeFile(s, 'tracks:\n  - { name: a, file: a.wav, pan: 5, gainDb: 99 }\n');
    const e = await mixSession(s, join(dir, 'two.wav')).catch((x) => x);
    expect(e).toBeInstanceOf(SessionError);
    expect((e as SessionError).problems.length).toBe(2);
    const err: string[] = [];
    await expect(mixCommand(s, { output: join(dir, 'two.wav') }, { stdout: () => {}, stderr: (t) => err.push(t) })).rejects.toThrow(/^tracks\[0\]\.(gainDb|pan): must be <= (24|1) \(and 1 more\)$/);
  });

  it('exports a JSON Schema of the session', () => {
    const s = sessionJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['tracks', 'buses', 'master', 'sampleRate']));
    expect(s.required).toContain('tracks');
  });
});
