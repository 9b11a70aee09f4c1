// Issue 6's gain-invariance and re-render bars, when a corpus is at hand (CORPUS_DEV=<dir built by
// shared/corpus-dev/build.sh>; skipped without it, it is not a CI benchmark):
// - invariance: `automix --json` on <song>/ch*.wav and on <song>/scrambled/ch*.wav (the same stems, each
//   scaled by scrambled/gains.json). Each stem's output gain (trim + fader) on the scrambled stems, plus its
//   scramble, should equal its gain on the plain stems up to one constant per song (the mix is aimed at a
//   fixed loudness). Reports the worst deviation from that constant (bar 0.5 dB).
// - re-render: `mixmaster mix` of the session automix wrote, against automix's own output: the peak of
//   the difference relative to the peak of the mix (bar −100 dB; −Infinity when bit-exact).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, root } from './bench-util.mjs';

const STEM = /^ch.*\.wav$/i;

/** Per-stem output gain (dB) by stem name, from `automix --json`. */
function automixGains(folder, out, extra = []) {
  const stems = readdirSync(folder).filter((f) => STEM.test(f)).sort().map((f) => join(folder, f));
  const r = spawnSync('node', [cli, 'automix', ...stems, '-o', out, '--force', '--quiet', '--json', ...extra], { maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr.toString().split('\n')[0]);
  return new Map(JSON.parse(r.stdout.toString()).settings.stems.map((s) => [s.name, s.outputGainDb]));
}

/** Reads a whole file as planar float channels with mixmaster's own reader. */
async function readAll(path) {
  const { openAudio } = await import(join(root, 'dist', 'io', 'open-audio.js'));
  const reader = await openAudio(path);
  const parts = Array.from({ length: reader.info.channels }, () => []);
  try {
    for (let block; (block = await reader.read(1 << 16)) !== null;) block.forEach((ch, c) => parts[c].push(Float32Array.from(ch)));
  } finally {
    await reader.close();
  }
  return parts.map((chunks) => {
    const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return out;
  });
}

/** Peak of a − b relative to the peak of a, dB (−Infinity when identical; Infinity on a shape mismatch). */
async function differenceDb(a, b) {
  const [x, y] = [await readAll(a), await readAll(b)];
  if (x.length !== y.length || x.some((ch, c) => ch.length !== y[c].length)) return Infinity;
  let peak = 0, diff = 0;
  x.forEach((ch, c) => {
    const other = y[c];
    for (let i = 0; i < ch.length; i++) {
      peak = Math.max(peak, Math.abs(ch[i]));
      diff = Math.max(diff, Math.abs(ch[i] - other[i]));
    }
  });
  return 20 * Math.log10(diff / peak);
}

export async function run(report) {
  const corpus = process.env.CORPUS_DEV;
  if (!corpus || !existsSync(join(corpus, 'multitrack'))) {
    report('automix invariance and re-render', { skipped: 'set CORPUS_DEV to a corpus-dev build' });
    return;
  }
  const songsDir = join(corpus, 'multitrack');
  const songs = readdirSync(songsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const dir = mkdtempSync(join(tmpdir(), 'mixmaster-automix-invariance-'));
  try {
    let worst = 0, worstRender = -Infinity;
    for (const song of songs) {
      const src = join(songsDir, song);
      const scrambled = join(src, 'scrambled');
      const mix = join(dir, `${song}.wav`);
      const session = join(dir, `${song}.yaml`);
      const plain = automixGains(src, mix, ['--session-out', session]);
      const fields = { stems: plain.size };
      if (existsSync(join(scrambled, 'gains.json'))) {
        const scramble = JSON.parse(readFileSync(join(scrambled, 'gains.json'), 'utf8')).gain_db;
        const gains = automixGains(scrambled, join(dir, `${song}-scrambled.wav`));
        const diffs = [...plain].map(([name, g]) => gains.get(name) + scramble[`${name}.wav`] - g);
        const mean = diffs.reduce((a, d) => a + d, 0) / diffs.length;
        fields.invarianceDb = Math.max(...diffs.map((d) => Math.abs(d - mean)));
        worst = Math.max(worst, fields.invarianceDb);
      }
      const rendered = join(dir, `${song}-rerender.wav`);
      const mx = spawnSync('node', [cli, 'mix', session, '-o', rendered, '--force', '--quiet']);
      if (mx.status !== 0) { report(`automix re-render ${song}`, { error: mx.stderr.toString().split('\n')[0] }); continue; }
      fields.rerenderDiffDb = await differenceDb(mix, rendered);
      worstRender = Math.max(worstRender, fields.rerenderDiffDb);
      report(`automix invariance ${song}`, fields);
    }
    report('automix invariance, all songs', { worstInvarianceDb: worst, barDb: 0.5, worstRerenderDiffDb: worstRender, rerenderBarDb: -100 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
