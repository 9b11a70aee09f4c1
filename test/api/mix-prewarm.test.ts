import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prewarmForMixArgs, prewarmMixWorkers, PREWARM_MIN_TRACKS, takeMixWorkers } from '../../src/api/mix-prewarm.js';

const envWas = process.env.MIXMASTER_MIX_THREADS;
afterEach(() => {
  if (envWas === undefined) delete process.env.MIXMASTER_MIX_THREADS;
  else process.env.MIXMASTER_MIX_THREADS = envWas;
});

it('mix workers started ahead are the ones taken; the spares a session does not use are terminated', async () => {
  process.env.MIXMASTER_MIX_THREADS = '3';
  const started = prewarmMixWorkers();
  expect(started).toHaveLength(3);
  // Asked again, it only makes up the count.
  expect(prewarmMixWorkers()).toHaveLength(0);
  const exits = started.slice(1).map((w) => once(w, 'exit'));
  const taken = takeMixWorkers(1);
  expect(taken).toEqual([started[0]]);
  await Promise.all(exits); // the other two, unused
  // None left: the next ones start fresh.
  const fresh = takeMixWorkers(2);
  expect(fresh).toHaveLength(2);
  expect(fresh.some((w) => started.includes(w))).toBe(false);
  await Promise.all([...taken, ...fresh].map((w) => w.terminate()));
});

it('`mix` arguments: workers ahead only for a session of PREWARM_MIN_TRACKS tracks or more (JSON or YAML)', async () => {
  process.env.MIXMASTER_MIX_THREADS = '2';
  const dir = await mkdtemp(join(tmpdir(), 'prewarm-'));
  try {
    const json = join(dir, 'big.json');
    await writeFile(json, JSON.stringify({ tracks: Array.from({ length: PREWARM_MIN_TRACKS }, (_, i) => ({ name: `t${i}`, file: `s${i}.wav` })) }));
    const yaml = join(dir, 'small.yaml');
    await writeFile(yaml, ['tracks:', ...Array.from({ length: PREWARM_MIN_TRACKS - 1 }, (_, i) => `  - { name: t${i}, file: s${i}.wav }`)].join('\n'));
    const bigYaml = join(dir, 'big.yaml');
    await writeFile(bigYaml, ['tracks:', ...Array.from({ length: PREWARM_MIN_TRACKS }, (_, i) => `  - name: t${i}\n    file: "s${i}.wav"`)].join('\n'));
    expect(prewarmForMixArgs([yaml, '-o', 'x.wav'])).toHaveLength(0);
    expect(prewarmForMixArgs(['-o', json, join(dir, 'missing.json')])).toHaveLength(0); // -o's value is not the session
    const a = prewarmForMixArgs(['--bit-depth', '24', json, '-o', 'x.wav']);
    expect(a).toHaveLength(2);
    await Promise.all(takeMixWorkers(0).concat(a).map((w) => w.terminate()));
    const b = prewarmForMixArgs(['--quiet', bigYaml]);
    expect(b).toHaveLength(2);
    takeMixWorkers(0);
    await Promise.all(b.map((w) => w.terminate()));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
