// Full analysis (integrated, LRA, true peak, momentary/short-term max at 10 ms, spectrum) of a
// 4-minute 48 kHz stereo float WAV, whole process including start-up, side by side with
// `ffmpeg -af ebur128=peak=true`; and peak memory on a one-hour file (BENCH_QUICK=1 skips it).
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, has, timeCommand, writeMusicLikeWav } from './bench-util.mjs';

export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'mixmaster-bench-'));
  try {
    const file = join(dir, 'four-minutes.wav');
    await writeMusicLikeWav(file, { seconds: 240 });
    const ours = timeCommand('node', [cli, 'analyze', '--json', '--quiet', file], { runs: 5 });
    report('analyze 4 min 48k stereo (mixmaster)', { seconds: ours.seconds, xRealtime: 240 / ours.seconds, peakMiB: ours.rssMiB });
    if (has('ffmpeg')) {
      const ff = timeCommand('ffmpeg', ['-nostdin', '-hide_banner', '-nostats', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { runs: 5 });
      report('analyze 4 min 48k stereo (ffmpeg ebur128)', { seconds: ff.seconds, xRealtime: 240 / ff.seconds });
      report('  speed ratio mixmaster / ffmpeg', { ratio: ff.seconds / ours.seconds, bar: '>= 2' });
    } else {
      report('ffmpeg not installed', { skipped: 'ratio' });
    }
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
