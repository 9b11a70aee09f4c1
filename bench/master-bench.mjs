// Mastering: for every loudness preset, the landed loudness error and true peak on test material
// (the built-in demo song and a music-like noise programme), measured by our Analyzer on the written
// file and cross-checked with ffmpeg's ebur128 filter when installed; and the time per master.
// Needs the compiled dist/ (npm install / npm run build).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { has, root, writeMusicLikeWav } from './bench-util.mjs';

/** ffmpeg ebur128 integrated loudness (LUFS) and true peak (dBTP) of a file, or null. */
function ffmpegLoudness(file) {
  const r = spawnSync('ffmpeg', ['-nostdin', '-hide_banner', '-nostats', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { encoding: 'utf8' });
  const text = r.stderr ?? '';
  const summary = text.slice(text.lastIndexOf('Summary:'));
  const i = /I:\s+(-?[\d.]+) LUFS/.exec(summary);
  const p = /Peak:\s+(-?[\d.]+) dBFS/.exec(summary);
  return i ? { lufs: Number(i[1]), tp: p ? Number(p[1]) : null } : null;
}

export async function run(report) {
  const api = join(root, 'dist', 'api', 'master-files.js');
  if (!existsSync(api)) { report('master: dist/api/master-files.js missing', { skipped: 'run npm run build' }); return; }
  const { masterFiles } = await import(api);
  const { LOUDNESS_PRESETS } = await import(join(root, 'dist', 'core', 'master', 'presets.js'));
  const { synthesizeDemoStems, mixDemoStems } = await import(join(root, 'dist', 'core', 'synth', 'demo-song.js'));
  const { createWavWriter } = await import(join(root, 'dist', 'io', 'wav-writer.js'));
  const dir = mkdtempSync(join(tmpdir(), 'mixmaster-master-bench-'));
  try {
    const seconds = 20;
    const demo = join(dir, 'demo.wav');
    const mix = mixDemoStems(synthesizeDemoStems({ sampleRate: 48000, seconds }));
    const w = await createWavWriter(demo, { sampleRate: 48000, channels: 2, format: 'float32' });
    await w.write(mix.channels, mix.channels[0].length);
    await w.close();
    const music = join(dir, 'music-like.wav');
    await writeMusicLikeWav(music, { seconds });
    const ff = has('ffmpeg');
    for (const [name, file] of [['demo', demo], ['music-like', music]]) {
      for (const p of LOUDNESS_PRESETS) {
        const out = join(dir, `${name}-${p.name}.wav`);
        const t0 = performance.now();
        const [res] = await masterFiles([file], { output: out, preset: p.name, force: true, bitDepth: '24' });
        const sec = (performance.now() - t0) / 1000;
        const o = res.output;
        const fields = {
          errLu: o.integratedLufs - p.targetLufs, tpDbtp: o.truePeakDbtp, ceiling: p.ceilingDbtp,
          passes: res.settings.search?.passes.length ?? 0, seconds: sec, xRealtime: seconds / sec,
        };
        if (ff) {
          const m = ffmpegLoudness(out);
          if (m) { fields.ffErrLu = m.lufs - p.targetLufs; fields.ffTp = m.tp; }
        }
        report(`master ${name} ${p.name}`, fields);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
