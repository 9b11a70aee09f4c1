/**
 * `mixmaster automix <stems...|folder> [-o mix.wav] [--session-out session.yaml] [--master <preset>]
 *  [--master-out <file>] [--reference <mix.wav>] [--role name=role,...] [--level role=LU,...] [--crest-weight <LU/dB>]
 *  [--exclude name,...] [--no-reverb] [--no-glue] [--json]`
 * Without -o it only plans: the session (and/or the JSON decisions), nothing rendered.
 */
import { automix } from '../../api/automix.js';
import { findPreset, LOUDNESS_PRESETS } from '../../api/vocabulary.js';
import { ROLE_NAMES } from '../../api/vocabulary.js';
import { formatAnalysis } from '../format-analysis.js';
import { createProgress } from '../progress.js';
import { UsageError } from '../cli-error.js';
import type { CommonOptions, CommandIO } from '../command-io.js';
import { parseBitDepth } from './process.js';

export interface AutomixCliOptions extends CommonOptions {
  output?: string;
  sessionOut?: string;
  master?: string;
  masterOut?: string;
  reference?: string;
  role?: string;
  level?: string;
  crestWeight?: string;
  exclude?: string;
  /** Commander sets these false for --no-reverb / --no-glue. */
  reverb?: boolean;
  glue?: boolean;
  json?: boolean;
  strict?: boolean;
  bitDepth?: string;
}

/** `--role kick1=kick,gtr=guitar` → { kick1: 'kick', gtr: 'guitar' }. */
function parseRoles(v: string | undefined): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(.+)=([a-z-]+)$/.exec(part);
    if (!m) throw new UsageError(`--role: expected name=role (got "${part}")`);
    if (!ROLE_NAMES.includes(m[2])) throw new UsageError(`--role: unknown role "${m[2]}" (known: ${ROLE_NAMES.join(', ')})`);
    out[m[1]] = m[2];
  }
  return out;
}

/** `--level vocal=2,drums=-0.5` → { vocal: 2, drums: -0.5 } (role names are checked by the library). */
function parseLevels(v: string | undefined): Record<string, number> | undefined {
  if (v === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z-]+)=([-+]?\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new UsageError(`--level: expected role=LU (got "${part}")`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** `--crest-weight 0.5` → 0.5 (its range is checked by the library). */
function parseCrestWeight(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+(?:\.\d+)?$/.test(v.trim())) throw new UsageError(`--crest-weight: expected a number of LU per dB (got "${v}")`);
  return Number(v);
}

export async function automixCommand(inputs: string[], opts: AutomixCliOptions, io: CommandIO): Promise<number> {
  if (!opts.output && !opts.sessionOut && !opts.json) throw new UsageError('automix needs an output: -o <mix.wav>, or --session-out <session.yaml> to plan without rendering');
  if (!opts.output && opts.master !== undefined) throw new UsageError('--master needs the mix: -o <mix.wav>');
  if (inputs.length === 0) throw new UsageError('automix needs stems: files or a folder');
  if (opts.master !== undefined && !findPreset(opts.master)) {
    throw new UsageError(`unknown preset "${opts.master}" (known: ${LOUDNESS_PRESETS.map((p) => p.name).join(', ')})`);
  }
  if (opts.masterOut !== undefined && opts.master === undefined) throw new UsageError('--master-out needs --master <preset>');
  const progress = createProgress({ quiet: opts.quiet, items: 1 });
  let res;
  try {
    res = await automix(inputs, {
      output: opts.output, sessionOut: opts.sessionOut, master: opts.master, masterOutput: opts.masterOut, reference: opts.reference,
      roles: parseRoles(opts.role), levelLu: parseLevels(opts.level), crestWeight: parseCrestWeight(opts.crestWeight), exclude: opts.exclude?.split(',').map((x) => x.trim()).filter(Boolean), reverb: opts.reverb, glue: opts.glue, force: opts.force, strict: opts.strict,
      bitDepth: parseBitDepth(opts.bitDepth), analyze: opts.json,
      onProgress: (f, _stage, d, t) => progress.update(f, d, t),
    });
  } finally {
    progress.stop();
  }
  const target = opts.output ?? opts.sessionOut ?? 'automix';
  if (!opts.quiet) for (const w of res.warnings) io.stderr(`mixmaster: ${target}: warning: ${w.message}`);
  if (opts.json) {
    io.stdout(JSON.stringify({ output: res.output, master: res.master ? { output: res.master.output, settings: res.master.settings } : undefined, settings: res.settings }, null, 2));
    return 0;
  }
  if (opts.quiet) return 0;
  const s = res.settings;
  if (s.output !== null) io.stdout(`automix: ${s.stems.length} stems -> ${s.output}${s.session ? ` (session ${s.session})` : ''}`);
  else io.stdout(`automix: ${s.stems.length} stems planned -> session ${s.session} (not rendered: mixmaster mix ${s.session} -o mix.wav)`);
  for (const d of s.stems) {
    const eq = [d.eq.highpassHz !== null ? `HP ${d.eq.highpassHz} Hz` : '', ...d.eq.cuts.map((c) => `${c.gainDb} dB@${c.freqHz}`)].filter(Boolean).join(' ');
    if (d.muted) { io.stdout(`  ${d.name.padEnd(28)} ${d.role.role.padEnd(13)} muted (silent)`); continue; }
    const gain = `${d.outputGainDb >= 0 ? '+' : '-'}${Math.abs(d.outputGainDb).toFixed(1)}`.padStart(6);
    io.stdout(`  ${d.name.padEnd(28)} ${d.role.role.padEnd(13)} gain ${gain} dB  pan ${d.pan.toFixed(2).padStart(5)}  ${eq}${d.compression.insert ? '  comp' : ''}`);
  }
  if (s.reference) io.stdout(`  matched to ${s.reference.file}: master ${s.reference.masterGainDb.toFixed(2)} dB, ${s.mix.reference?.bands.length ?? 0} EQ bands`);
  if (res.output) io.stdout(formatAnalysis(res.output));
  if (res.master) io.stdout(`mastered (${opts.master}) -> ${s.masterOutput}: ${res.master.output.integratedLufs?.toFixed(2) ?? '—'} LUFS, true peak ${res.master.output.truePeakDbtp?.toFixed(2) ?? '—'} dBTP`);
  return 0;
}
