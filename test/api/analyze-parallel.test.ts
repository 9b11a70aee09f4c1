/**
 * The parallel true peak (worker threads fed through a SharedArrayBuffer ring) against the
 * single-threaded path: the same results bit for bit, on multichannel files with inter-sample peaks
 * and NaN/Inf, for every worker count; the ring's memory is fixed whatever the stream length.
 */
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/api/analyze-files.js';
import { MIN_PARALLEL_SAMPLES, MIN_PARALLEL_SAMPLES_WARM, ParallelTruePeak, truePeakWorkerCount } from '../../src/api/parallel-analyzer.js';
import { SpectrumAccumulator, spectrumFftSize } from '../../src/core/analysis/spectrum.js';
import { TruePeakMeter } from '../../src/core/analysis/true-peak-meter.js';
import { buildWav, tempDir, writeFixture } from '../io/wav-fixtures.js';

const { dir, cleanup } = tempDir('mixmaster-analyze-parallel-');
afterAll(cleanup);

const fs = 48000;

/**
 * Planar test material: per channel a different level of a sine at fs/4 whose peaks fall between
 * samples (true peak above sample peak), a loud burst in the middle, and some noise.
 */
function material(channels: number, frames: number): Float32Array[] {
  let seed = 12345;
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    const x = new Float32Array(frames);
    let lp = 0;
    for (let i = 0; i < frames; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      lp += 0.3 * ((seed / 2 ** 31 - 1) - lp);
      const burst = i > frames / 2 && i < frames / 2 + 2000 ? 0.9 : 0.2;
      // fs/4 at phase π/4: every sample at ±0.707 of the sine's peak, the peaks between samples.
      x[i] = burst * (1 - 0.1 * c) * Math.sin((2 * Math.PI * i) / 4 + Math.PI / 4) + 0.02 * lp;
    }
    out.push(x);
  }
  return out;
}

function interleave(ch: Float32Array[]): Float32Array {
  const n = ch[0].length;
  const out = new Float32Array(n * ch.length);
  for (let i = 0; i < n; i++) for (let c = 0; c < ch.length; c++) out[i * ch.length + c] = ch[c][i];
  return out;
}

describe('analyzeFile with true-peak workers', () => {
  it('gives the single-threaded results bit for bit (3 channels, NaN/Inf, partial last block)', async () => {
    const frames = 65536 + 12345;
    const ch = material(3, frames);
    ch[1][70000] = NaN;
    ch[2][70001] = Infinity;
    const path = writeFixture(dir, 'three.wav', buildWav({ encoding: 'f32', channels: 3, sampleRate: fs, samples: interleave(ch) }));
    const single = await analyzeFile(path, { truePeakWorkers: 0 });
    expect(single.result.nonFiniteSamples).toBe(2);
    // True peak above sample peak: the inter-sample peaks are really measured.
    expect(single.result.truePeakDbtp!).toBeGreaterThan(single.result.samplePeakDbfs! + 0.1);
    for (const workers of [1, 3]) {
      const parallel = await analyzeFile(path, { truePeakWorkers: workers });
      expect(parallel.result).toEqual(single.result);
    }
  });

  it('chooses no worker for short streams', () => {
    expect(truePeakWorkerCount(2, 48000)).toBe(0);
    expect(truePeakWorkerCount(2, MIN_PARALLEL_SAMPLES / 2 - 1)).toBe(0);
    // After a run's first file, only long streams (minutes) are worth a worker's start-up.
    const twentySecondsStereo = MIN_PARALLEL_SAMPLES;
    expect(truePeakWorkerCount(2, twentySecondsStereo, MIN_PARALLEL_SAMPLES_WARM)).toBe(0);
    if (availableParallelism() > 1) {
      expect(truePeakWorkerCount(2, twentySecondsStereo)).toBeGreaterThan(0);
      expect(truePeakWorkerCount(2, MIN_PARALLEL_SAMPLES_WARM / 2, MIN_PARALLEL_SAMPLES_WARM)).toBeGreaterThan(0);
    }
  });
});

describe('ParallelTruePeak', () => {
  it('loads its worker from the sources and matches TruePeakMeter for any block size, with a fixed ring', async () => {
    const frames = 20000;
    const ch = material(2, frames);
    const meter = new TruePeakMeter({ sampleRate: fs, channels: 2 });
    meter.push(ch, frames);
    const expected = meter.peaks();
    // Tiny blocks and a 2-slot ring: many more blocks than slots pass through the same memory.
    const blockFrames = 257;
    const parallel = ParallelTruePeak.start({ sampleRate: fs, channels: 2, blockFrames, workers: 2, slots: 2, shareWork: false });
    expect(parallel).not.toBeNull();
    // Each slot holds the meter's history (taps − 1 samples) before the block.
    expect(parallel!.ringBytes).toBe(2 * 2 * (blockFrames + meter.historyFrames) * 4);
    for (let s = 0; s < frames; s += blockFrames) {
      const n = Math.min(blockFrames, frames - s);
      await parallel!.push(ch.map((x) => x.subarray(s, s + n)), n);
    }
    const peaks = await parallel!.finish();
    expect(Array.from(peaks)).toEqual(Array.from(expected));
  });

  it('shares blocks between the reading thread and the workers and still matches TruePeakMeter bit for bit', async () => {
    const frames = 48000;
    for (const channels of [1, 3]) {
      const ch = material(channels, frames);
      const meter = new TruePeakMeter({ sampleRate: fs, channels });
      meter.push(ch, frames);
      const expected = Array.from(meter.peaks());
      for (const blockFrames of [20, 1000]) {
        // A 1-slot ring fed without pause: the worker falls behind, so this thread meters many blocks
        // itself, and both sides see non-contiguous blocks (restarts from the carried history).
        const parallel = ParallelTruePeak.start({ sampleRate: fs, channels, blockFrames, workers: 2, slots: 1 })!;
        for (let s = 0; s < frames; s += blockFrames) {
          const n = Math.min(blockFrames, frames - s);
          await parallel.push(ch.map((x) => x.subarray(s, s + n)), n);
        }
        const peaks = await parallel.finish();
        expect(parallel.localBlocks).toBeGreaterThan(0);
        expect(parallel.localBlocks).toBeLessThan(Math.ceil(frames / blockFrames));
        expect(Array.from(peaks)).toEqual(expected);
      }
    }
  });

  it('a meter fed the stream in pieces, in any order, with restart() gives the whole-stream peaks exactly', () => {
    const frames = 30000;
    const ch = material(2, frames);
    const whole = new TruePeakMeter({ sampleRate: fs, channels: 2 });
    whole.push(ch, frames);
    // Pieces metered backwards by one meter and alternately by two: restart() supplies each piece's history.
    const cuts = [0, 5, 31, 700, 4096, 4097, 20000, frames];
    const a = new TruePeakMeter({ sampleRate: fs, channels: 2 });
    const b = new TruePeakMeter({ sampleRate: fs, channels: 2 });
    for (let k = cuts.length - 2; k >= 0; k--) {
      const m = k % 2 === 0 ? a : b;
      const from = cuts[k];
      m.restart(ch, from);
      m.push(ch.map((x) => x.subarray(from, cuts[k + 1])), cuts[k + 1] - from);
    }
    const tail = new TruePeakMeter({ sampleRate: fs, channels: 2 });
    tail.restart(ch, frames);
    const got = [0, 1].map((c) => Math.max(a.peaks(false)[c], b.peaks(false)[c], tail.peaks(true)[c]));
    expect(got).toEqual(Array.from(whole.peaks()));
    // Without restart, a piece is metered as if silence came before it: 8 samples right after the loud
    // burst (which ends at frames/2 + 2000) then miss the burst's ringing into them.
    const from = frames / 2 + 2000;
    const piece = ch.map((x) => x.subarray(from, from + 8));
    const naive = new TruePeakMeter({ sampleRate: fs, channels: 2 });
    naive.push(piece, 8);
    const exact = new TruePeakMeter({ sampleRate: fs, channels: 2 });
    exact.restart(ch, from);
    exact.push(piece, 8);
    expect(exact.peaks(false)[0]).toBeGreaterThan(naive.peaks(false)[0] * 1.5);
  });

  it('publishes blocks written into its slots without a copy, mixed with pushed blocks, bit for bit', async () => {
    const frames = 40000;
    const ch = material(3, frames);
    const meter = new TruePeakMeter({ sampleRate: fs, channels: 3 });
    meter.push(ch, frames);
    const blockFrames = 3000;
    const parallel = ParallelTruePeak.start({ sampleRate: fs, channels: 3, blockFrames, workers: 2, slots: 2 })!;
    for (let s = 0, k = 0; s < frames; s += blockFrames, k++) {
      const n = Math.min(blockFrames, frames - s);
      const block = ch.map((x) => x.subarray(s, s + n));
      if (k % 3 === 0) {
        await parallel.push(block, n);
      } else {
        // Decoded in place, as a reader given the slot does: published without a copy.
        const slot = k % 3 === 1 ? parallel.freeBlock() ?? await parallel.nextBlock() : await parallel.nextBlock();
        slot.forEach((v, c) => v.set(block[c]));
        parallel.publish(slot.map((v) => v.subarray(0, n)), n);
      }
    }
    expect(Array.from(await parallel.finish())).toEqual(Array.from(meter.peaks()));
  });

  it('analyses the spectrum windows in worker 0, in queue order, through a full queue: the same sums as here', async () => {
    // 384 kHz, 8 channels: 65536-point windows of 2 MiB, so the queue holds only 4 and the rest wait
    // (queueSpectrum keeps them; flushSpectrum queues them as room frees up).
    const rate = 384000;
    const size = spectrumFftSize(rate);
    const channels = 8;
    const windows = 11;
    const local = new SpectrumAccumulator(rate, channels);
    let s = 7;
    const all = Array.from({ length: windows }, (_, w) => Array.from({ length: channels }, (_, c) => Float32Array.from({ length: size }, (_, i) => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return (s / 2 ** 32 - 0.5) * (0.1 + 0.1 * c) + 0.3 * Math.sin((i * (w + 1) * (c + 1)) / 300);
    })));
    for (const bufs of all) local.add(bufs);
    // Queued right after the start, faster than the worker (still booting) can take them: the queue fills.
    const parallel = ParallelTruePeak.start({ sampleRate: rate, channels, blockFrames: 1024, workers: 2, spectrumSize: size })!;
    for (const bufs of all) {
      parallel.queueSpectrum(bufs);
      // The caller's buffers are reused at once (LongTermSpectrum's are): the queue must have copied them.
      for (const b of bufs) b.fill(9);
    }
    expect(parallel.spectrumBacklog).toBe(true);
    await parallel.flushSpectrum();
    await parallel.finish();
    const got = parallel.spectrumResult()!;
    expect(got.analysed).toBe(windows);
    expect(Array.from(got.power)).toEqual(Array.from(local.power));
    expect(got.flatnessSum).toBe(local.flatnessSum);
    expect(got.flatnessWeight).toBe(local.flatnessWeight);
  });

  it('a long analysis (evenly spread spectrum windows) gives the single-threaded spectrum bit for bit', async () => {
    const frames = 48000 * 14;
    const ch = material(2, frames);
    const path = writeFixture(dir, 'long.wav', buildWav({ encoding: 'f32', channels: 2, sampleRate: fs, samples: interleave(ch) }));
    const single = await analyzeFile(path, { truePeakWorkers: 0 });
    const parallel = await analyzeFile(path, { truePeakWorkers: 1 });
    expect(parallel.result.spectrum).toEqual(single.result.spectrum);
    expect(parallel.result).toEqual(single.result);
    expect(single.result.spectrum.levelsDb.filter((v) => v !== null).length).toBeGreaterThan(20);
  });

  it('handles an empty stream (peaks 0)', async () => {
    const parallel = ParallelTruePeak.start({ sampleRate: fs, channels: 1, blockFrames: 1024, workers: 1 });
    expect(Array.from(await parallel!.finish())).toEqual([0]);
  });
});
