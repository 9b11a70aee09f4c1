/**
 * Workers start whatever flags this process was given: V8 and process options (which Node refuses in a
 * worker's own execArgv) and `--input-type` (which a file entry refuses) used to make every worker fail.
 * Each case runs the parallel true peak in a child process started with such flags and compares it with
 * the single-threaded meter.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWav, tempDir, writeFixture } from '../io/wav-fixtures.js';

const { dir, cleanup } = tempDir('mixmaster-module-worker-');
afterAll(cleanup);

const api = pathToFileURL(join(import.meta.dirname, '../../src/api/analyze-files.ts')).href;

function fixture(): string {
  const frames = 48000;
  const data = new Float32Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    // fs/4 at phase π/4: the peaks fall between samples, so the true peak (≈ +3 dB over the samples) is
    // the oversampler's work.
    data[2 * i] = 0.6 * Math.sin((2 * Math.PI * i) / 4 + Math.PI / 4);
    data[2 * i + 1] = 0.3 * Math.sin((2 * Math.PI * i) / 4 + Math.PI / 4);
  }
  return writeFixture(dir, 'peaks.wav', buildWav({ encoding: 'f32', channels: 2, sampleRate: 48000, samples: data }));
}

/** Child process: `node <flags> --import tsx -e <script>` printing [worker peaks, this-thread peaks]. */
function peaksWith(flags: string[], file: string): [number[], number[]] {
  const script = `const { analyzeFile } = await import(${JSON.stringify(api)});
const w = await analyzeFile(${JSON.stringify(file)}, { truePeakWorkers: 1 });
const h = await analyzeFile(${JSON.stringify(file)}, { truePeakWorkers: 0 });
console.log(JSON.stringify([w.result.channelStats.map((c) => c.truePeakDbtp), h.result.channelStats.map((c) => c.truePeakDbtp)]));`;
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed (${flags.join(' ')}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as [number[], number[]];
}

describe('worker threads under the process flags', () => {
  const file = fixture();
  for (const flags of [[], ['--expose-gc'], ['--max-old-space-size=512', '--stack-trace-limit=20']]) {
    it(`meters in a worker with ${flags.join(' ') || 'no flags'} and --input-type`, () => {
      const [worker, here] = peaksWith(flags, file);
      expect(worker).toEqual(here);
      // Samples at 0.6·√½: a meter that ran (in either thread) finds ≈ 3 dB more.
      expect(worker[0]).toBeGreaterThan(20 * Math.log10(0.6 * Math.SQRT1_2) + 2.5);
    });
  }
});
