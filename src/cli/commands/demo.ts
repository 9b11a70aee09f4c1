/**
 * `mixmaster demo [-o dir] [--preset <name>]`: synthesizes a built-in song, automixes it, masters it.
 * With -o the stems, session.yaml, mix.wav and master.wav are kept in the folder; without it they go to a
 * temporary folder that is removed, and only the summary is printed (so `npm run demo` can be re-run).
 */
import { runDemo } from '../../api/demo.js';
import { findPreset, LOUDNESS_PRESETS } from '../../api/vocabulary.js';
import { UsageError } from '../cli-error.js';
import type { CommonOptions, CommandIO } from '../command-io.js';

const f2 = (x: number | null, unit: string) => (x === null ? '—' : `${x.toFixed(2)} ${unit}`);

export async function demoCommand(opts: CommonOptions & { output?: string; json?: boolean; preset?: string }, io: CommandIO): Promise<number> {
  if (opts.preset !== undefined && !findPreset(opts.preset)) {
    throw new UsageError(`unknown preset "${opts.preset}" (known: ${LOUDNESS_PRESETS.map((p) => p.name).join(', ')})`);
  }
  const res = await runDemo({ outDir: opts.output, force: opts.force, preset: opts.preset });
  if (opts.json) {
    io.stdout(JSON.stringify({ output: res.analysis, master: res.master, preset: res.preset, stems: res.stems, written: res.written }, null, 2));
    return 0;
  }
  io.stdout('mixmaster demo: a built-in 12 s song (kick, snare, hats, bass, chords, lead), automixed and mastered.');
  for (const s of res.stems) {
    io.stdout(`  ${s.name.padEnd(8)} ${s.role.role.padEnd(7)} gain ${s.outputGainDb >= 0 ? '+' : ''}${s.outputGainDb.toFixed(1)} dB, pan ${s.pan.toFixed(2)}${s.eq.highpassHz !== null ? `, HP ${s.eq.highpassHz} Hz` : ''}${s.eq.cuts.length ? `, ${s.eq.cuts.length} masking cut(s)` : ''}${s.compression.insert ? ', compressed' : ''}`);
  }
  io.stdout(`  mix:    ${f2(res.analysis.integratedLufs, 'LUFS')}, true peak ${f2(res.analysis.truePeakDbtp, 'dBTP')}`);
  io.stdout(`  master: ${f2(res.master.integratedLufs, 'LUFS')}, true peak ${f2(res.master.truePeakDbtp, 'dBTP')} (${res.preset})`);
  if (res.written.length) io.stdout(`wrote ${res.written.length} files to ${opts.output}: stems/, session.yaml, mix.wav, master.wav`);
  else io.stdout('(ran in a temporary folder, now removed; add -o <dir> to keep the stems, session, mix and master)');
  return 0;
}
