// Automix balance against reference mixes (issue 6's level bar), when a corpus is at hand:
// CORPUS_DEV=<dir built by shared/corpus-dev/build.sh> runs `mixmaster automix` on every song's stems
// (<dir>/multitrack/<song>/*, without reference_mix.wav) and scores the mix with shared/eval/mixscore.py:
// mean absolute per-stem level error against reference_mix.wav (LU), next to the scorer's equal-loudness and
// unity-sum baselines, and over all songs the mean error and the number of songs where automix beats equal
// loudness. CORPUS_DEV may also be a held-out set made by bench/make-holdout-multitrack.py (same layout).
// Skipped without CORPUS_DEV, python3 or the scorer (it is not a CI benchmark).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli, has, root } from './bench-util.mjs';

const SCORER = resolve(root, '..', 'shared', 'eval', 'mixscore.py');
const AUDIO = /\.(wav|flac|aiff?|ogg)$/i;

export async function run(report) {
  const corpus = process.env.CORPUS_DEV;
  if (!corpus || !has('python3') || !existsSync(SCORER)) {
    report('automix levels vs reference mixes', { skipped: 'set CORPUS_DEV to a corpus-dev build (needs python3 and shared/eval)' });
    return;
  }
  const songsDir = join(corpus, 'multitrack');
  const songs = readdirSync(songsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const dir = mkdtempSync(join(tmpdir(), 'mixmaster-automix-levels-'));
  const errs = [], base = [];
  try {
    for (const song of songs) {
      const src = join(songsDir, song);
      if (!existsSync(join(src, 'reference_mix.wav'))) continue;
      // The stems alone: the scorer reads every audio file of the folder as a stem.
      const stems = join(dir, song);
      mkdirSync(stems);
      for (const f of readdirSync(src)) if (AUDIO.test(f) && f !== 'reference_mix.wav') symlinkSync(join(src, f), join(stems, f));
      const mix = join(dir, `${song}.wav`);
      const am = spawnSync('node', [cli, 'automix', stems, '-o', mix, '--session-out', join(dir, `${song}.yaml`), '--force', '--quiet']);
      if (am.status !== 0) { report(`automix levels ${song}`, { error: am.stderr.toString().split('\n')[0] }); continue; }
      const out = join(dir, `${song}.score.json`);
      const sc = spawnSync('python3', [SCORER, '--stems', stems, '--mix', mix, '--reference', join(src, 'reference_mix.wav'), '--json', out]);
      if (sc.status !== 0) { report(`automix levels ${song}`, { error: sc.stderr.toString().split('\n').filter(Boolean).pop() }); continue; }
      const s = JSON.parse(readFileSync(out, 'utf8'));
      const b = s.baselines ?? {};
      errs.push(s.engine.rel_level_mae_lu);
      base.push(b.equal_loudness?.rel_level_mae_lu);
      report(`automix levels ${song}`, {
        levelErrLu: s.engine.rel_level_mae_lu,
        equalLoudnessLu: b.equal_loudness?.rel_level_mae_lu,
        unitySumLu: b.unity_sum?.rel_level_mae_lu,
        beatsEqualLoudness: s.engine.rel_level_mae_lu < b.equal_loudness?.rel_level_mae_lu,
        score: s.summary?.score,
      });
    }
    // Over many songs (bench/make-holdout-multitrack.py builds 28 more): the mean and the count of wins.
    const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
    if (errs.length > 1) {
      report('automix levels, all songs', {
        songs: errs.length, meanLevelErrLu: mean(errs), meanEqualLoudnessLu: mean(base),
        beatsEqualLoudnessOn: errs.filter((e, i) => e < base[i]).length,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
