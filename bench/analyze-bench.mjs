// Full analysis (integrated, LRA, true peak, momentary/short-term max at 10 ms, spectrum) of a
// 4-minute 48 kHz stereo float WAV, whole process including start-up, side by side with
// `ffmpeg -af ebur128=peak=true`; a folder of 40 short files in one run; and peak memory on a one-hour file
// (BENCH_QUICK=1 skips it).
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, has, timeCommand, timeInterleaved, writeMusicLikeWav } from './bench-util.mjs';

export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'mixmaster-bench-'));
  try {
    const file = join(dir, 'four-minutes.wav');
    await writeMusicLikeWav(file, { seconds: 240 });
    const oursCmd = ['node', [cli, 'analyze', '--json', '--quiet', file]];
    const ffCmd = ['ffmpeg', ['-nostdin', '-hide_banner', '-nostats', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-']];
    const runs = Number(process.env.BENCH_RUNS ?? 7);
    const [ours, ff] = has('ffmpeg') ? timeInterleaved([oursCmd, ffCmd], { runs }) : [timeCommand(...oursCmd, { runs }), null];
    report('analyze 4 min 48k stereo (mixmaster)', { seconds: ours.seconds, xRealtime: 240 / ours.seconds, peakMiB: ours.rssMiB });
    if (ff) {
      report('analyze 4 min 48k stereo (ffmpeg ebur128)', { seconds: ff.seconds, xRealtime: 240 / ff.seconds });
      report('  speed ratio mixmaster / ffmpeg', { ratio: ff.seconds / ours.seconds, bar: '>= 2', runs: `${runs} interleaved, medians` });
    } else {
      report('ffmpeg not installed', { skipped: 'ratio' });
    }
    // A loud, limited master (no quiet passages: the true peak's chunk-level skip rarely applies).
    const loud = join(dir, 'loud-master.wav');
    const chain = join(dir, 'limit.json');
    writeFileSync(chain, JSON.stringify([{ type: 'limiter', inputGainDb: 10, ceilingDbtp: -1, releaseMs: 60 }]));
    timeCommand('node', [cli, 'process', file, '-o', loud, '--chain', chain, '--bit-depth', '32f', '--quiet'], { runs: 1 });
    if (ffCmd && has('ffmpeg')) {
      const [l, lf] = timeInterleaved([['node', [cli, 'analyze', '--json', '--quiet', loud]], ['ffmpeg', ffCmd[1].map((a) => (a === file ? loud : a))]], { runs });
      report('analyze 4 min loud master (mixmaster)', { seconds: l.seconds, xRealtime: 240 / l.seconds, peakMiB: l.rssMiB });
      report('analyze 4 min loud master (ffmpeg)', { seconds: lf.seconds, xRealtime: 240 / lf.seconds });
      report('  speed ratio mixmaster / ffmpeg', { ratio: lf.seconds / l.seconds, bar: '>= 2' });
    }
    // A folder of stems in one run: 40 × 20 s stereo (a worker's start-up per file would dominate: see
    // MIN_PARALLEL_SAMPLES_WARM), against one ffmpeg process per file, as a script would meter them.
    const stems = Array.from({ length: 40 }, (_, i) => join(dir, `stem${String(i).padStart(2, '0')}.wav`));
    for (const [i, f] of stems.entries()) await writeMusicLikeWav(f, { seconds: 20, part: i });
    const manyCmd = ['node', [cli, 'analyze', '--json', '--quiet', ...stems]];
    const ffLoop = ['bash', ['-c', `for f in "$@"; do ffmpeg -nostdin -hide_banner -nostats -i "$f" -af ebur128=peak=true -f null - 2>/dev/null || exit 1; done`, 'ff', ...stems]];
    const [m, mf] = has('ffmpeg') ? timeInterleaved([manyCmd, ffLoop], { runs: Math.min(runs, 3) }) : [timeCommand(...manyCmd, { runs: 3 }), null];
    report('analyze 40 files x 20 s stereo (mixmaster, one run)', { seconds: m.seconds, xRealtime: 800 / m.seconds, peakMiB: m.rssMiB });
    if (mf) {
      report('analyze 40 files x 20 s stereo (ffmpeg, per file)', { seconds: mf.seconds, xRealtime: 800 / mf.seconds });
      report('  speed ratio mixmaster / ffmpeg', { ratio: mf.seconds / m.seconds });
    }
    for (const f of stems) rmSync(f);
    if (!process.env.BENCH_QUICK) {
      const hour = join(dir, 'one-hour.wav');
      await writeMusicLikeWav(hour, { seconds: 3600 });
      const h = timeCommand('node', [cli, 'analyze', '--json', '--quiet', hour], { runs: 1 });
      report('analyze 1 h 48k stereo (mixmaster)', { seconds: h.seconds, xRealtime: 3600 / h.seconds, peakMiB: h.rssMiB, bar: 'peak < 150 MiB' });
      if (existsSync(hour)) rmSync(hour);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
