// Mastering: for every loudness preset, the landed loudness error and true peak on test material
// (the built-in demo song, a music-like noise programme and, when MIXMASTER_CORPUS points at a built
// shared/corpus-dev folder, its reference mixes and mastered excerpts), measured by our Analyzer on the
// written file and cross-checked with ffmpeg's ebur128 filter when installed; the time and passes per
// master; and reference mode on the corpus pairs (reference mix -> mastered excerpt): loudness error,
// true peak and the 1/3-octave tonal distance (masterscore.py's definition) before and after.
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

/** Reference mode on the corpus pairs: loudness error, true peak, tonal distance before/after. */
export async function referencePairs(corpus, songs, dir, report) {
  const { masterFiles } = await import(join(root, 'dist', 'api', 'master-files.js'));
  const { FineSpectrum } = await import(join(root, 'dist', 'core', 'master', 'fine-spectrum.js'));
  const { matchBandLevels } = await import(join(root, 'dist', 'core', 'master', 'reference-match.js'));
  const { withReader } = await import(join(root, 'dist', 'api', 'stream-through.js'));
  for (const [song, m] of songs) {
    const input = join(corpus, 'multitrack', song, 'reference_mix.wav');
    const ref = join(corpus, 'mastered', `${m}.wav`);
    const out = join(dir, `ref-${song}.wav`);
    const t0 = performance.now();
    const [res] = await masterFiles([input], { output: out, reference: ref, force: true, bitDepth: '24' });
    const fields = {
      errLu: res.output.integratedLufs - res.settings.target.targetLufs, tpDbtp: res.output.truePeakDbtp,
      passes: res.settings.search?.passes.length ?? 0, seconds: (performance.now() - t0) / 1000,
      widthPercent: res.settings.reference.decision.widthPercent,
    };
    // Each file's bands at its own rate (the scorer resamples; the bands are the same).
    const levels = (f) => withReader(f, false, async (r) => {
      const fs = new FineSpectrum(r.info.sampleRate, r.info.channels);
      for (;;) { const b = await r.read(8192); if (!b) break; fs.push(b, b[0].length); }
      return matchBandLevels(fs.result());
    });
    const lr = await levels(ref);
    fields.tonalBeforeDb = tonalDistance(await levels(input), lr);
    fields.tonalAfterDb = tonalDistance(await levels(out), lr);
    report(`master reference ${song} -> ${m}`, fields);
  }
}

/** masterscore.py's spectral_distance: total-power match, 50 dB floor, mean removed, RMS (dB). */
function tonalDistance(a, b) {
  const la = a.map((v) => v ?? -300), lb = b.map((v) => v ?? -300);
  const tot = (v) => 10 * Math.log10(v.reduce((s, x) => s + 10 ** (x / 10), 0));
  const shift = tot(lb) - tot(la);
  const floor = Math.max(...lb) - 50;
  const d = [];
  la.forEach((x, k) => { const p = Math.max(x + shift, floor), q = Math.max(lb[k], floor); if (p > floor || q > floor) d.push(p - q); });
  const m = d.reduce((s, x) => s + x, 0) / d.length;
  return Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / d.length);
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
    const corpus = process.env.MIXMASTER_CORPUS;
    const songs = [['ultimate_run', '01_knalgan_theme'], ['linns_basket', '02_legends_of_the_north'], ['ttsong_iii_imuh3', '03_revelation']];
    const files = [['demo', demo], ['music-like', music]];
    if (corpus && existsSync(join(corpus, 'mastered'))) {
      for (const [song, m] of songs) files.push([song, join(corpus, 'multitrack', song, 'reference_mix.wav')], [m, join(corpus, 'mastered', `${m}.wav`)]);
      files.push(['04_weight_of_revenge', join(corpus, 'mastered', '04_weight_of_revenge.wav')]);
    }
    for (const [name, file] of files) {
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
    if (corpus && existsSync(join(corpus, 'mastered'))) await referencePairs(corpus, songs, dir, report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
