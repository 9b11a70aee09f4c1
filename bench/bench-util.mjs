// Shared helpers for the benchmarks: timing child processes, peak memory, test-signal files.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cli = join(root, 'bin', 'mixmaster');

/** Whether a command exists on PATH. */
export function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Runs a command `runs` times; returns the median wall time (s) and the max RSS (MiB) mixmaster reported. */
export function timeCommand(cmd, args, { runs = 3, env = {} } = {}) {
  const times = [];
  let rssMiB = null;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: { ...process.env, MIXMASTER_REPORT_RSS: '1', ...env }, maxBuffer: 1 << 28 });
    const t = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString().slice(0, 400)}`);
    times.push(t);
    const m = /mixmaster-maxrss-kib (\d+)/.exec(r.stderr.toString());
    if (m) rssMiB = Math.max(rssMiB ?? 0, Number(m[1]) / 1024);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)], rssMiB };
}

/**
 * Times several commands run alternately (A B A B ...), so drift in a shared machine's speed hits all
 * of them alike; returns each one's median wall time (s) and max reported RSS (MiB).
 */
export function timeInterleaved(commands, { runs = 5 } = {}) {
  const results = commands.map(() => ({ times: [], rssMiB: null }));
  for (let i = 0; i < runs; i++) {
    commands.forEach(([cmd, args], k) => {
      const r = timeCommand(cmd, args, { runs: 1 });
      results[k].times.push(r.seconds);
      if (r.rssMiB !== null) results[k].rssMiB = Math.max(results[k].rssMiB ?? 0, r.rssMiB);
    });
  }
  return results.map(({ times, rssMiB }) => {
    times.sort((a, b) => a - b);
    return { seconds: times[Math.floor(times.length / 2)], rssMiB };
  });
}

/**
 * Writes a music-like stereo float WAV: pink-ish noise with a slow envelope, drum-like transients
 * and a few tones, streamed in blocks (memory stays small for long files). `part` > 0 makes another part
 * of the same song: its own noise, tones a few semitones away, hits and swells shifted, so stems of
 * different parts sum like independent tracks instead of 16 copies of one signal (+24 dB, not +12).
 */
export async function writeMusicLikeWav(path, { seconds, sampleRate = 48000, channels = 2, part = 0 }) {
  const { createWavWriter } = await import(join(root, 'dist', 'io', 'wav-writer.js'));
  const w = await createWavWriter(path, { sampleRate, channels, format: 'float32', force: true });
  const block = 65536;
  const bufs = Array.from({ length: channels }, () => new Float32Array(block));
  let seed = 22222 + 7919 * part;
  const detune = Math.pow(2, (3 * part) / 12);
  const hitOffset = Math.round(sampleRate * 0.0625 * part);
  const swellOffset = sampleRate * 0.9 * part;
  const lp = new Float64Array(channels * 3);
  const total = Math.round(seconds * sampleRate);
  const beat = Math.round(sampleRate * 0.5);
  for (let off = 0; off < total; off += block) {
    const n = Math.min(block, total - off);
    for (let c = 0; c < channels; c++) {
      const ch = bufs[c];
      for (let i = 0; i < n; i++) {
        const t = off + i;
        seed = (seed * 1664525 + 1013904223) >>> 0;
        const white = seed / 2147483648 - 1;
        // Three one-poles summed: a crude pink-ish tilt.
        lp[c * 3] += 0.02 * (white - lp[c * 3]);
        lp[c * 3 + 1] += 0.2 * (white - lp[c * 3 + 1]);
        lp[c * 3 + 2] += 0.6 * (white - lp[c * 3 + 2]);
        const env = 0.55 + 0.45 * Math.sin((2 * Math.PI * (t + swellOffset)) / (sampleRate * 7.3));
        const hit = Math.exp(-(((t + hitOffset) % beat) / sampleRate) * 18);
        const tone = 0.1 * Math.sin((2 * Math.PI * 110 * detune * t) / sampleRate) + 0.05 * Math.sin((2 * Math.PI * 440.5 * detune * t) / sampleRate + c);
        ch[i] = 0.35 * env * (2.5 * lp[c * 3] + 0.8 * lp[c * 3 + 1] + 0.3 * lp[c * 3 + 2]) * (0.5 + hit) + tone * env;
      }
    }
    await w.write(bufs.map((b) => b.subarray(0, n)), n);
  }
  await w.close();
}
