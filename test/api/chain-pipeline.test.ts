/**
 * The chain split over two threads (chain-pipeline.ts) against the one-thread chain: the same file bit
 * for bit, with look-ahead latency in both stages, NaN input, blocks that do not divide the file, and a
 * ring smaller than the stream; and the split planner's choices.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { processFile } from '../../src/api/process-file.js';
import { planChainSplit } from '../../src/api/chain-pipeline.js';
import { runCli } from '../helpers/run-cli.js';
import { writeFileSync } from 'node:fs';
import { buildWav, tempDir, writeFixture } from '../io/wav-fixtures.js';

const { dir, cleanup } = tempDir('mixmaster-pipeline-');
afterAll(cleanup);

/** Loud programme with dynamics (so compressors and the limiter act), interleaved stereo. */
function programme(frames: number): number[] {
  const out: number[] = [];
  let seed = 11;
  let lp = 0;
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    lp += 0.2 * ((seed / 2147483648 - 1) - lp);
    const env = 0.3 + 0.7 * Math.abs(Math.sin((2 * Math.PI * 1.3 * i) / 48000));
    out.push(env * (0.6 * Math.sin((2 * Math.PI * 220 * i) / 48000) + lp), env * (0.5 * lp + 0.3 * Math.sin((2 * Math.PI * 330 * i) / 48000)));
  }
  return out;
}

const CHAIN = [
  { type: 'eq', bands: [{ type: 'highpass', freqHz: 30, slopeDbPerOct: 24 }, { type: 'bell', freqHz: 2500, gainDb: 2, q: 1 }] },
  { type: 'compressor', thresholdDb: -18, ratio: 3, lookaheadMs: 2 },
  { type: 'multiband', crossoversHz: [150, 3000], bands: [{ thresholdDb: -24, ratio: 2 }, { thresholdDb: -22, ratio: 2 }, { thresholdDb: -24, ratio: 2 }] },
  { type: 'imager', widthPercent: 110, monoBelowHz: 120 },
  { type: 'limiter', ceilingDbtp: -1, inputGainDb: 6, releaseMs: 60 },
];

describe('ChainPipeline through processFile', () => {
  const frames = 48000 * 3 + 777;
  const samples = programme(frames);
  samples[2 * 5000] = NaN;
  samples[2 * 70000 + 1] = Infinity;
  const input = writeFixture(dir, 'in.wav', buildWav({ encoding: 'f32', channels: 2, samples }));

  it('writes the one-thread output bit for bit, for every cut and block size', async () => {
    for (const blockFrames of [1000, 4096]) {
      const one = join(dir, `one-${blockFrames}.wav`);
      const r1 = await processFile(input, one, { chain: CHAIN, bitDepth: '32f', pipeline: false, blockFrames });
      expect(r1.settings.threads).toBe(1);
      expect(r1.warnings.map((w) => w.code)).toContain('non-finite');
      const want = readFileSync(one);
      // Every single cut (look-ahead in the first station, the second, or both) and every pair of cuts.
      const plans: number[][] = [];
      for (let a = 1; a <= CHAIN.length; a++) {
        plans.push([a]);
        for (let b = a + 1; b <= CHAIN.length; b++) plans.push([a, b]);
      }
      for (const cuts of plans) {
        const two = join(dir, `two-${blockFrames}-${cuts.join('-')}.wav`);
        const r2 = await processFile(input, two, { chain: CHAIN, bitDepth: '32f', pipeline: cuts, blockFrames });
        expect(r2.settings.threads).toBe(cuts.length + 1);
        expect(r2.settings.latencyFrames).toBe(r1.settings.latencyFrames);
        expect(r2.warnings).toEqual(r1.warnings);
        expect(readFileSync(two).equals(want)).toBe(true);
      }
    }
  });

  it('--threads 1 keeps one thread through the CLI; anything but 1 or auto is a usage error', async () => {
    const chainFile = join(dir, 'chain.json');
    writeFileSync(chainFile, JSON.stringify(CHAIN));
    const one = await runCli(['process', input, '-o', join(dir, 'cli1.wav'), '--chain', chainFile, '--threads', '1', '--json', '--quiet', '--bit-depth', '32f']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).settings.threads).toBe(1);
    const bad = await runCli(['process', input, '-o', join(dir, 'cli2.wav'), '--chain', chainFile, '--threads', '3', '--quiet']);
    expect(bad.code).toBe(2);
  });

  it('a file too short to repay a worker stays on one thread by default', async () => {
    const r = await processFile(input, join(dir, 'auto.wav'), { chain: CHAIN, bitDepth: '32f' });
    expect(r.settings.threads).toBe(1);
  });
});

describe('planChainSplit', () => {
  it('balances the stations by cost, and keeps cheap chains, single inserts and single cores on one thread', () => {
    // EQ + compressor (≈ 20 ns) | multiband (60) | imager + limiter + I/O here (≈ 59): no station above 60.
    expect(planChainSplit(CHAIN, 0, 2)).toEqual([2, 3]);
    // One worker when only one dear insert stands before the rest.
    expect(planChainSplit([{ type: 'multiband' }, { type: 'limiter' }], 0, 2)).toEqual([1]);
    expect(planChainSplit([{ type: 'gain', gainDb: -3 }], 0, 2)).toEqual([]);
    expect(planChainSplit([], 0, 2)).toEqual([]);
    // A single dear insert cannot be split: a worker would do everything and this thread only I/O.
    expect(planChainSplit([{ type: 'saturator', driveDb: 6 }], 0, 2)).toEqual([]);
    expect(planChainSplit(CHAIN, 0, 1)).toEqual([]);
  });
});
