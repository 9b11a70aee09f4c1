/**
 * bin/mixmaster runs the esbuild bundle of the CLI (dist/cli-bundle, made by `npm run build`, which
 * `npm test` runs first). The bundle must behave exactly as the modules the other tests run: the same
 * JSON and the same output bytes, with its worker entries (the true-peak worker of a long analysis)
 * and the dependencies it leaves external (the YAML parser, loaded on demand) found where it looks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PREWARM_MIN_TRACKS } from '../../src/api/mix-prewarm.js';
import { runCli } from '../helpers/run-cli.js';
import { buildWav, tempDir, writeFixture } from '../io/wav-fixtures.js';

const { dir, cleanup } = tempDir('mixmaster-bundle-');
afterAll(cleanup);

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/mixmaster');

function runBin(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Stereo float noise with a slow envelope and inter-sample peaks, `seconds` long. */
function music(seconds: number, seed: number): number[] {
  const out: number[] = [];
  let s = seed;
  for (let i = 0; i < seconds * 48000; i++) {
    const env = 0.3 + 0.25 * Math.sin(i / 20000);
    for (let c = 0; c < 2; c++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      out.push(env * ((s / 2 ** 32 - 0.5) + 0.6 * Math.sin(i * Math.PI / 2 + Math.PI / 4 + c)));
    }
  }
  return out;
}

describe('the bundled CLI', () => {
  it('is built, with its worker entries where the bundled code starts them', async () => {
    for (const entry of ['main', 'analysis-worker', 'mix-worker-entry', 'chain-worker-entry']) {
      expect(existsSync(join(root, `dist/cli-bundle/${entry}.js`)), entry).toBe(true);
    }
    // The bundled parallel analyzer finds its worker entry (0 would mean: metered on the main thread).
    const pa = await import(pathToFileURL(join(root, 'dist/cli-bundle/parallel-analyzer.js')).href) as { truePeakWorkerCount(c: number, f: number): number };
    if (availableParallelism() > 1) expect(pa.truePeakWorkerCount(2, 48000 * 60)).toBeGreaterThan(0);
  });

  it('analyze: the same JSON as the modules, with the true-peak worker (a 12 s file)', async () => {
    const file = writeFixture(dir, 'long.wav', buildWav({ encoding: 'f32', channels: 2, samples: music(12, 5) }));
    const r = runBin(['analyze', '--json', file]);
    expect(r.code, r.stderr).toBe(0);
    const here = await runCli(['analyze', '--json', file]);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(here.stdout));
    expect(JSON.parse(r.stdout).truePeakDbtp).toBeGreaterThan(JSON.parse(r.stdout).samplePeakDbfs);
  });

  it('mix: a YAML session renders the same bytes', async () => {
    writeFixture(dir, 'a.wav', buildWav({ encoding: 'f32', channels: 2, samples: music(1, 7) }));
    writeFixture(dir, 'b.wav', buildWav({ encoding: 's24', channels: 1, samples: music(0.5, 9).map((v) => Math.round(v * 4e6)) }));
    const session = join(dir, 'session.yaml');
    writeFileSync(session, [
      'sampleRate: 48000',
      'tracks:',
      '  - { name: a, file: a.wav, gainDb: -3, inserts: [{ type: compressor, thresholdDb: -20, ratio: 3 }] }',
      '  - { name: b, file: b.wav, pan: 0.4, startSeconds: 0.25 }',
    ].join('\n'));
    const out = join(dir, 'bundle.wav');
    const r = runBin(['mix', session, '-o', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const ref = join(dir, 'modules.wav');
    expect((await runCli(['mix', session, '-o', ref, '--quiet'])).code).toBe(0);
    expect(Buffer.compare(readFileSync(out), readFileSync(ref))).toBe(0);
  });

  it('mix on worker threads started before the CLI loads (bin/mixmaster prewarms them): the same bytes', async () => {
    writeFixture(dir, 'w1.wav', buildWav({ encoding: 'f32', channels: 2, samples: music(1, 5) }));
    writeFixture(dir, 'w2.wav', buildWav({ encoding: 's16', channels: 2, samples: music(1, 6).map((v) => Math.round(v * 20000)) }));
    const session = join(dir, 'threads.json');
    writeFileSync(session, JSON.stringify({
      sampleRate: 48000,
      tracks: Array.from({ length: PREWARM_MIN_TRACKS }, (_, i) => ({ name: `t${i}`, file: i % 2 ? 'w2.wav' : 'w1.wav', trimInSeconds: i / 100, inserts: [{ type: 'compressor', thresholdDb: -24, ratio: 4 }] })),
    }));
    const out = join(dir, 'threads-bin.wav');
    const r = spawnSync(process.execPath, [bin, 'mix', session, '-o', out, '--quiet', '--json'], { encoding: 'utf8', env: { ...process.env, MIXMASTER_MIX_THREADS: '2' } });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).settings.threads).toBeGreaterThan(0);
    const ref = join(dir, 'threads-here.wav');
    expect((await runCli(['mix', session, '-o', ref, '--quiet'])).code).toBe(0);
    expect(Buffer.compare(readFileSync(out), readFileSync(ref))).toBe(0);
  });

  it('errors: one line naming the file, exit 1', () => {
    const r = runBin(['analyze', join(dir, 'missing.wav')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('missing.wav');
  });

  it('interrupted (SIGTERM, SIGINT): exit 128 + signal, and the hidden temp output is removed', async () => {
    writeFixture(dir, 'late.wav', buildWav({ encoding: 'f32', channels: 2, samples: music(1, 3) }));
    // A clip an hour in: the render streams silence long enough to be interrupted mid-write.
    const session = join(dir, 'late.json');
    writeFileSync(session, JSON.stringify({ tracks: [{ name: 'late', file: 'late.wav', startSeconds: 3600 }] }));
    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      const out = join(dir, `late-${signal}.wav`);
      const temp = () => readdirSync(dir).filter((f) => f.startsWith(`.late-${signal}.wav.tmp-`));
      const child = spawn(process.execPath, [bin, 'mix', session, '-o', out, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      const started = Date.now();
      while (temp().length === 0 && Date.now() - started < 30000) await new Promise((r) => setTimeout(r, 20));
      expect(temp(), 'the render started writing').toHaveLength(1);
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(stderr.trim()).toBe(`mixmaster: interrupted (${signal})`);
      expect(temp()).toEqual([]);
      expect(existsSync(out)).toBe(false);
    }
  }, 60000);
});
