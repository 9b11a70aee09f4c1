import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixSession } from '../../src/api/mix-session.js';
import { GROUP_TRACKS } from '../../src/core/mix/mix-renderer.js';
import { createWavWriter } from '../../src/io/wav-writer.js';
import { noise } from '../core/mix/mix-harness.js';

let dir: string;
const SR = 48000;
const FRAMES = 12000;
// More tracks than two groups, so 1, 2 and 3 workers split them differently (and unevenly).
const TRACKS = 2 * GROUP_TRACKS + 3;

/**
 * A session with everything that crosses threads: per-track EQ + compressor (one with automated threshold),
 * pan/gain/send automation, a mono track, a late start (leading silence), pre- and post-fader sends into a
 * reverb, subgroups, a latent master limiter, and a track that sidechains a bus compressor.
 */
function session(): unknown {
  return {
    sampleRate: SR,
    tailSeconds: 0.05,
    tracks: Array.from({ length: TRACKS }, (_, i) => ({
      name: `t${i}`, file: i === 5 ? 'mono.wav' : i === 7 ? 'r44k.wav' : i === 8 ? 'six.wav' : `s${i % 3}.wav`, trimInSeconds: (i * 7) / SR, startSeconds: i === 9 ? 0.1 : 0,
      gainDb: -6 - (i % 4), pan: ((i % 5) - 2) / 2,
      inserts: [
        { type: 'eq', bands: [{ type: 'highpass', freqHz: 60, slopeDbPerOct: 12 }, { type: 'bell', freqHz: 900, gainDb: -3, q: 1.2 }] },
        { type: 'compressor', thresholdDb: -20, ratio: 4, attackMs: 5, releaseMs: 80 },
      ],
      output: `grp${i % 2}`,
      sends: [{ bus: 'verb', levelDb: -18, preFader: i % 3 === 0 }],
      automation: i % 4 === 1
        ? { gainDb: [[0, -20], [0.2, -3]], pan: [[0, -1], [0.25, 1]], 'sends[0].levelDb': [[0, -40], [0.1, -10]], 'inserts[1].thresholdDb': [[0, -30], [0.2, -10]] }
        : undefined,
    })),
    buses: [
      { name: 'grp0', gainDb: -3 },
      { name: 'grp1', inserts: [{ type: 'compressor', thresholdDb: -24, ratio: 3, sidechain: { source: 't2' } }] },
      { name: 'verb', inserts: [{ type: 'reverb', decaySeconds: 0.8 }] },
    ],
    master: { inserts: [{ type: 'limiter', ceilingDbtp: -1 }] },
  };
}

async function stem(name: string, ch: Float32Array[], format: 'float32' | 'pcm24' | 'pcm16' = 'float32', sampleRate = SR): Promise<void> {
  const w = await createWavWriter(join(dir, name), { sampleRate, channels: ch.length, format });
  await w.write(ch, ch[0].length);
  await w.close();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mix-threads-'));
  // Every decoding path a worker's tracks take (float, 24- and 16-bit, mono, resampled, downmixed 5.1).
  const formats = ['float32', 'pcm24', 'pcm16'] as const;
  for (let k = 0; k < 3; k++) await stem(`s${k}.wav`, [noise(FRAMES, 0.5, 10 + 2 * k), noise(FRAMES, 0.5, 11 + 2 * k)], formats[k]);
  await stem('mono.wav', [noise(FRAMES, 0.7, 99)], 'pcm24');
  await stem('r44k.wav', [noise(FRAMES, 0.5, 70), noise(FRAMES, 0.5, 71)], 'pcm24', 44100);
  await stem('six.wav', Array.from({ length: 6 }, (_, c) => noise(FRAMES, 0.3, 80 + c)), 'pcm16');
  await writeFile(join(dir, 'session.json'), JSON.stringify(session()));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('threaded mix', () => {
  it('is bit-identical for 0 (in-process), 1, 2 and 3 worker threads and any block size', async () => {
    const outs: Buffer[] = [];
    for (const [threads, blockFrames] of [[0, 1024], [1, 1024], [2, 1024], [3, 1024], [0, 333]]) {
      const out = join(dir, `out-${threads}-${blockFrames}.wav`);
      const res = await mixSession(join(dir, 'session.json'), out, { bitDepth: '32f', threads, blockFrames });
      expect(res.settings.threads).toBe(threads);
      outs.push(await readFile(out));
    }
    // The output is not trivially silent, and every thread count gives the same bytes.
    expect(outs[0].length).toBeGreaterThan(FRAMES * 8);
    expect(outs[0].subarray(200).some((b) => b !== 0)).toBe(true);
    expect(outs.map((o) => o.equals(outs[0]))).toEqual(outs.map(() => true));
  });

  it('unity session through workers: the plain sum of the stems (exact)', async () => {
    const tracks = Array.from({ length: GROUP_TRACKS + 2 }, (_, i) => ({ name: `u${i}`, file: `s${i % 3}.wav` }));
    await writeFile(join(dir, 'unity.json'), JSON.stringify({ tracks }));
    await mixSession(join(dir, 'unity.json'), join(dir, 'unity-0.wav'), { bitDepth: '32f', threads: 0 });
    await mixSession(join(dir, 'unity.json'), join(dir, 'unity-2.wav'), { bitDepth: '32f', threads: 2 });
    const a = await readFile(join(dir, 'unity-0.wav'));
    const b = await readFile(join(dir, 'unity-2.wav'));
    expect(b.equals(a)).toBe(true);
  });

  it('a plan the workers cannot take (a track keyed from a bus) renders here, with the tracks\' processors', async () => {
    // With workers asked for, the plan is first compiled without the tracks' processors (the workers build
    // theirs); ungroupable, it must be compiled again with them, or the tracks' inserts would do nothing.
    const s = {
      sampleRate: SR,
      tracks: Array.from({ length: GROUP_TRACKS + 2 }, (_, i) => ({
        name: `k${i}`, file: `s${i % 3}.wav`, output: i === 0 ? 'keybus' : 'master',
        inserts: [{ type: 'eq', bands: [{ type: 'bell', freqHz: 1000, gainDb: 9, q: 1 }] },
          ...(i === 1 ? [{ type: 'compressor', thresholdDb: -40, ratio: 8, sidechain: { source: 'keybus' } }] : [])],
      })),
      buses: [{ name: 'keybus' }],
    };
    await writeFile(join(dir, 'keyed.json'), JSON.stringify(s));
    const r0 = await mixSession(join(dir, 'keyed.json'), join(dir, 'keyed-0.wav'), { bitDepth: '32f', threads: 0 });
    const r2 = await mixSession(join(dir, 'keyed.json'), join(dir, 'keyed-2.wav'), { bitDepth: '32f', threads: 2 });
    expect(r0.settings.threads).toBe(0);
    expect(r2.settings.threads).toBe(0);
    expect((await readFile(join(dir, 'keyed-2.wav'))).equals(await readFile(join(dir, 'keyed-0.wav')))).toBe(true);
    // And the inserts did act: without them (unity) the output differs.
    await writeFile(join(dir, 'keyed-plain.json'), JSON.stringify({ ...s, tracks: s.tracks.map((t) => ({ ...t, inserts: [] })) }));
    await mixSession(join(dir, 'keyed-plain.json'), join(dir, 'keyed-plain.wav'), { bitDepth: '32f', threads: 0 });
    expect((await readFile(join(dir, 'keyed-plain.wav'))).equals(await readFile(join(dir, 'keyed-0.wav')))).toBe(false);
  });
});
