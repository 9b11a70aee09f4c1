// Automix of 16 stems x 3 minutes (48 kHz stereo float WAV, music-like material under role names):
// analysis of every stem, planning, session YAML and the full render with EQ, compressors and the shared
// reverb, whole process including start-up. Bar: 30 s or less.
// Runs the API from dist/ in a child process (the same work as `mixmaster automix <dir> -o mix.wav`).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, timeCommand, writeMusicLikeWav } from './bench-util.mjs';

const NAMES = ['kick', 'snare', 'hats', 'overheads', 'toms', 'bass', 'lead-vocal', 'backing-vocals', 'lead-synth', 'pad',
  'piano', 'organ', 'guitar-left', 'guitar-right', 'strings', 'fx'];

export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'mixmaster-automix-bench-'));
  try {
    const stems = join(dir, 'stems');
    mkdirSync(stems);
    const seconds = 180;
    for (const [part, n] of NAMES.entries()) await writeMusicLikeWav(join(stems, `${n}.wav`), { seconds, part });
    const script = `import { automix } from ${JSON.stringify(join(root, 'dist', 'api', 'automix.js'))};
await automix([${JSON.stringify(stems)}], { output: ${JSON.stringify(join(dir, 'mix.wav'))}, sessionOut: ${JSON.stringify(join(dir, 'session.yaml'))}, force: true });
if (process.env.MIXMASTER_REPORT_RSS) process.stderr.write('mixmaster-maxrss-kib ' + process.resourceUsage().maxRSS + '\\n');`;
    // A script file, not `node -e`: the analysis' true-peak worker threads inherit the parent's flags.
    const scriptFile = join(dir, 'run-automix.mjs');
    writeFileSync(scriptFile, script);
    const t = timeCommand('node', [scriptFile], { runs: 1 });
    const audio = NAMES.length * seconds;
    report('automix 16 stems x 3 min 48k stereo', { seconds: t.seconds, xRealtime: seconds / t.seconds, stemSecondsPerSecond: audio / t.seconds, peakMiB: t.rssMiB, bar: '<= 30 s' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
