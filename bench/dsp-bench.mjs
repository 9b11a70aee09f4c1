// ns per sample for every insert of the catalog at 48 kHz stereo (in-process, default parameters
// plus a setting that makes it work), and a mastering chain (6-band EQ, 3-band multiband, imager,
// true-peak limiter at 4x) over a 4-minute stereo file through `mixmaster process` (one core, the bar,
// and the default assembly line over all cores), side by side
// with a sox chain doing similar work (equalizer ×6, compand, gain) when sox is installed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, has, root, timeInterleaved, writeMusicLikeWav } from './bench-util.mjs';

/** Parameters that make each insert do real work (defaults are often transparent). */
const WORKING = {
  eq: { bands: [{ type: 'highpass', freqHz: 30, slopeDbPerOct: 24 }, { type: 'bell', freqHz: 300, gainDb: -2, q: 1 }, { type: 'bell', freqHz: 3000, gainDb: 2, q: 1 }, { type: 'highshelf', freqHz: 10000, gainDb: 1.5 }] },
  compressor: { thresholdDb: -20, ratio: 4 },
  multiband: { crossoversHz: [200, 2000], bands: [{ thresholdDb: -20, ratio: 2 }, { thresholdDb: -20, ratio: 2 }, { thresholdDb: -20, ratio: 2 }] },
  limiter: { inputGainDb: 6, ceilingDbtp: -1 },
  saturator: { driveDb: 6 },
  gain: { gainDb: -3 },
};

export const MASTERING_CHAIN = [
  { type: 'eq', bands: [
    { type: 'highpass', freqHz: 25, slopeDbPerOct: 12 }, { type: 'lowshelf', freqHz: 100, gainDb: 1 },
    { type: 'bell', freqHz: 350, gainDb: -1.5, q: 1 }, { type: 'bell', freqHz: 2500, gainDb: 1, q: 0.8 },
    { type: 'bell', freqHz: 6000, gainDb: -1, q: 2 }, { type: 'highshelf', freqHz: 12000, gainDb: 1.5 }] },
  { type: 'multiband', crossoversHz: [150, 3000], bands: [
    { thresholdDb: -24, ratio: 2, attackMs: 20, releaseMs: 200 }, { thresholdDb: -22, ratio: 1.8, attackMs: 10, releaseMs: 150 },
    { thresholdDb: -24, ratio: 2, attackMs: 5, releaseMs: 100 }] },
  { type: 'imager', widthPercent: 110, monoBelowHz: 120 },
  { type: 'limiter', ceilingDbtp: -1, inputGainDb: 4, releaseMs: 80 },
];

export async function run(report) {
  const { INSERTS, createInsert } = await import(join(root, 'dist', 'core', 'dsp', 'insert-catalog.js'));
  const fs = 48000;
  const frames = fs * 10;
  const block = 1024;
  const input = [new Float32Array(frames), new Float32Array(frames)];
  let seed = 1;
  for (const ch of input) for (let i = 0; i < frames; i++) { seed = (seed * 1664525 + 1013904223) >>> 0; ch[i] = 0.3 * (seed / 2147483648 - 1); }
  const out = [new Float32Array(block), new Float32Array(block)];
  for (const def of INSERTS) {
    const spec = { type: def.type, ...(WORKING[def.type] ?? {}) };
    let p;
    try { p = createInsert(spec, { sampleRate: fs, channels: 2, maxBlockFrames: block }); } catch (e) { report(`insert ${def.type}`, { error: e.message }); continue; }
    // No sidechain: the common case (a compressor keyed from its own input), as the mix renderer runs it.
    // The last block is partial (480 000 = 468.75 blocks): it must be given its own length, or the
    // processors read past their inputs, which makes V8 deoptimize them into slower, allocating code.
    const pass = () => {
      for (let off = 0; off < frames; off += block) {
        const n = Math.min(block, frames - off);
        p.process([input[0].subarray(off, off + n), input[1].subarray(off, off + n)], out, n);
      }
    };
    pass(); // warm-up (JIT)
    const t0 = process.hrtime.bigint();
    pass();
    const ns = Number(process.hrtime.bigint() - t0) / (frames * 2);
    report(`insert ${def.type}`, { nsPerSample: ns, xRealtime: 1e9 / (ns * fs * 2) });
  }

  const dir = mkdtempSync(join(tmpdir(), 'mixmaster-bench-'));
  try {
    const file = join(dir, 'mix.wav');
    await writeMusicLikeWav(file, { seconds: 240 });
    const chain = join(dir, 'chain.json');
    writeFileSync(chain, JSON.stringify(MASTERING_CHAIN));
    const have = new Set(INSERTS.map((d) => d.type));
    const missing = MASTERING_CHAIN.filter((i) => !have.has(i.type)).map((i) => i.type);
    if (missing.length) { report('mastering chain', { skipped: `missing inserts: ${missing.join(',')}` }); return; }
    // The bar is for one core (--threads 1); the default splits the chain over spare cores (reported
    // too). All commands run interleaved (A B C A B C ...), so the shared machine's drift hits them alike.
    const runs = Number(process.env.BENCH_RUNS ?? 5);
    const oneCore = ['node', [cli, 'process', file, '-o', join(dir, 'out.wav'), '--chain', chain, '--force', '--quiet', '--bit-depth', '32f', '--threads', '1']];
    const allCores = ['node', [cli, 'process', file, '-o', join(dir, 'out2.wav'), '--chain', chain, '--force', '--quiet', '--bit-depth', '32f']];
    const soxCmd = ['sox', [file, '-b', '32', '-e', 'floating-point', join(dir, 'sox.wav'),
      'highpass', '25', 'bass', '1', '100', 'equalizer', '350', '1q', '-1.5', 'equalizer', '2500', '0.8q', '1', 'equalizer', '6000', '2q', '-1', 'treble', '1.5', '12000',
      'mcompand', '0.02,0.2 6:-24,-12', '150', '0.01,0.15 6:-22,-12', '3000', '0.005,0.1 6:-24,-12', 'gain', '-n', '-1']];
    const [ours, lined, sox] = timeInterleaved(has('sox') ? [oneCore, allCores, soxCmd] : [oneCore, allCores], { runs });
    report('mastering chain 4 min (mixmaster process, 1 core)', { seconds: ours.seconds, xRealtime: 240 / ours.seconds, peakMiB: ours.rssMiB, bar: '>= 100x' });
    report('mastering chain 4 min (mixmaster process, all cores)', { seconds: lined.seconds, xRealtime: 240 / lined.seconds, peakMiB: lined.rssMiB });
    if (sox) {
      report('mastering chain 4 min (sox)', { seconds: sox.seconds, xRealtime: 240 / sox.seconds });
      report('  speed ratio mixmaster / sox (1 core)', { ratio: sox.seconds / ours.seconds });
      report('  speed ratio mixmaster / sox (all cores)', { ratio: sox.seconds / lined.seconds });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
