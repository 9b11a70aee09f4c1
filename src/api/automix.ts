/**
 * automix(): the programmatic face of `mixmaster automix <stems...|folder> -o mix.wav`.
 *
 * Analyzes every stem (one streaming pass each), lets the core planner decide (roles, balance, pan, EQ,
 * dynamics, reverb; src/core/mix/automix), writes the decisions as a commented session YAML with stem
 * paths relative to it, and renders that very session with mixSession(), so `mixmaster mix session.yaml`
 * gives the same output. With a reference the master fader is then set from the measured mix loudness
 * (one more render); with a preset the mix is mastered with masterFiles().
 *
 * Without `sessionOut` the session is written to a temporary folder and removed after rendering.
 * Without `output` nothing is rendered (plan only: the session, and the decisions in the result); with a
 * reference the mix is still rendered, to a temporary file, to measure the loudness the master fader needs,
 * so the session is the one a full run writes.
 */
import { mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { AnalysisResult, AnalysisWarning } from '../core/analysis/analysis-result.js';
import { planAutomix, type AutomixPlan, type StemDecision } from '../core/mix/automix/plan-automix.js';
import { ROLE_NAMES } from '../core/mix/automix/role-table.js';
import { automixSessionYaml } from '../core/mix/automix/session-yaml.js';
import { findPreset } from '../core/master/presets.js';
import { AudioFileError } from '../io/audio-reader.js';
import { checkOutputPath } from '../io/output-path.js';
import { analyzeFile } from './analyze-files.js';
import { masterFiles, type MasterResult } from './master-files.js';
import { mixSession, type MixSettings } from './mix-session.js';
import { assertWritableFormat, type BitDepth } from './output-format.js';

/** What --session-out may be: YAML keeps every decision as a comment, JSON is the bare session. */
const SESSION_EXTENSIONS = ['.yaml', '.yml', '.json'];
/**
 * The loudest true peak the (unlimited) mix may have, dBTP: the reference loudness match stops there, and
 * a mix that clipped its integer file is brought down to it.
 */
const REFERENCE_CEILING_DBTP = -1;

/** Largest role level override, LU: beyond it a stem is inaudible or buries the rest (a typo, not a choice). */
const MAX_LEVEL_OVERRIDE_LU = 40;
/** Largest crest weight, LU per dB: at 1 the balance already equalises peaks instead of loudness. */
const MAX_CREST_WEIGHT = 1;

/** File extensions picked up from a stem folder. */
export const STEM_EXTENSIONS = ['.wav', '.wave', '.rf64', '.bw64', '.aif', '.aiff', '.aifc', '.flac', '.mp3', '.ogg', '.oga', '.opus', '.m4a', '.aac', '.caf', '.wv', '.ape', '.wma'];

export interface AutomixOptions {
  /** The mix to write (.wav, .flac, .mp3); none = plan only (then `master` is not allowed). */
  output?: string;
  /** Where to write the session YAML (stem paths relative to it); default: a temporary file, removed. */
  sessionOut?: string;
  /** Master the mix to this loudness preset (spotify, ...). */
  master?: string;
  /** Master output file (default: `<mix>.master.wav` beside the mix). */
  masterOutput?: string;
  /** Reference mix: match its tonal balance and loudness. */
  reference?: string;
  /** Roles forced by stem name (file name without extension): { "ch01": "bass" }. */
  roles?: Record<string, string>;
  /** Files a folder scan leaves out, by file name with or without extension (e.g. a reference mix kept beside the stems). */
  exclude?: string[];
  /** Role level overrides, LU (replacing the role table's rows). */
  levelLu?: Record<string, number>;
  /** Crest correction of the balance, LU per dB of crest above the stems' mean (default CREST_WEIGHT, balance.ts; 0 = role levels only). */
  crestWeight?: number;
  reverb?: boolean;
  glue?: boolean;
  force?: boolean;
  strict?: boolean;
  bitDepth?: BitDepth;
  /** Analyze the output (for --json). */
  analyze?: boolean;
  onProgress?: (file: string, stage: 'analyze' | 'mix' | 'master', framesDone: number, framesTotal: number | null) => void;
}

export interface AutomixSettings {
  stems: StemDecision[];
  mix: AutomixPlan['mix'];
  /** Stem name → output gain (trim + fader), dB: what the automix did to each stem's level. */
  gainsDb: Record<string, number>;
  session: string | null;
  /** The mix written; null when only planned. */
  output: string | null;
  masterOutput: string | null;
  reference: { file: string; integratedLufs: number | null; masterGainDb: number } | null;
  /** The render's settings; null when only planned. */
  render: MixSettings | null;
}

export interface AutomixResult {
  output: AnalysisResult | null;
  master: MasterResult | null;
  settings: AutomixSettings;
  warnings: AnalysisWarning[];
}

const stemName = (file: string) => basename(file, extname(file));

/**
 * Expands folders into their audio files (sorted, not recursive); files are kept as given.
 * @param skip files a folder scan leaves out (this run's outputs and reference: a mix written into the stems
 *   folder by an earlier run is not a stem); a file named explicitly is never skipped
 * @param excludeNames file names (with or without extension) a folder scan leaves out, as the user asked
 * @returns the stems, the files the folder scans skipped, and the exclude names no file matched
 */
export async function collectStems(inputs: string[], skip: readonly string[] = [], excludeNames: readonly string[] = []): Promise<{ files: string[]; skipped: string[]; unmatched: string[] }> {
  const files: string[] = [];
  const skipped: string[] = [];
  const skipSet = new Set(skip.map((f) => resolve(f)));
  const unmatched = new Set(excludeNames);
  const isExcluded = (n: string) => {
    const hit = [n, stemName(n)].filter((x) => excludeNames.includes(x));
    for (const x of hit) unmatched.delete(x);
    return hit.length > 0;
  };
  for (const p of inputs) {
    let st;
    try { st = await stat(p); } catch { throw new AudioFileError(p, 'no such file or folder'); }
    if (st.isDirectory()) {
      const names = (await readdir(p)).filter((n) => STEM_EXTENSIONS.includes(extname(n).toLowerCase()) && !n.startsWith('.')).sort();
      for (const n of names) if (!isExcluded(n)) (skipSet.has(resolve(p, n)) ? skipped : files).push(join(p, n));
    } else files.push(p);
  }
  return { files, skipped, unmatched: [...unmatched] };
}

/** Writes a text file atomically (temp beside it, then rename). */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(tmp, text);
  await rename(tmp, path);
}

const relPath = (from: string, file: string) => relative(from, resolve(file)).split(sep).join('/');

/**
 * Automixes stems into a stereo mix and an editable session.
 * @param inputs stem files and/or folders of stems
 * @throws AudioFileError (unreadable stems, output problems; nothing is written then)
 */
export async function automix(inputs: string[], opts: AutomixOptions): Promise<AutomixResult> {
  const output = opts.output ?? null;
  if (output === null && opts.master !== undefined) throw new AudioFileError('--master', 'mastering needs the mix: give an output (-o)', 'usage');
  const masterOutput = opts.master !== undefined && output !== null ? (opts.masterOutput ?? join(dirname(output), `${stemName(output)}.master.wav`)) : null;
  const ownFiles = [...(output ? [output] : []), ...(masterOutput ? [masterOutput] : []), ...(opts.reference ? [opts.reference] : [])];
  const { files, skipped, unmatched } = await collectStems(inputs, ownFiles, opts.exclude);
  if (unmatched.length > 0) throw new AudioFileError(`--exclude ${unmatched.join(',')}`, 'no file of the stem folders has this name', 'usage');
  if (files.length === 0) throw new AudioFileError(inputs.join(', ') || '(none)', 'no stems found (expected audio files or a folder of them)', 'usage');
  const force = opts.force === true;
  for (const [name, role] of Object.entries(opts.roles ?? {})) {
    if (!ROLE_NAMES.includes(role)) throw new AudioFileError(name, `unknown role "${role}" (known: ${ROLE_NAMES.join(', ')})`, 'usage');
  }
  for (const [role, lu] of Object.entries(opts.levelLu ?? {})) {
    if (!ROLE_NAMES.includes(role)) throw new AudioFileError(`--level ${role}`, `unknown role (known: ${ROLE_NAMES.join(', ')})`, 'usage');
    if (!Number.isFinite(lu) || Math.abs(lu) > MAX_LEVEL_OVERRIDE_LU) throw new AudioFileError(`--level ${role}`, `level must be a number of LU within ±${MAX_LEVEL_OVERRIDE_LU}`, 'usage');
  }
  if (opts.crestWeight !== undefined && !(opts.crestWeight >= 0 && opts.crestWeight <= MAX_CREST_WEIGHT)) {
    throw new AudioFileError('--crest-weight', `must be a number from 0 to ${MAX_CREST_WEIGHT} (LU per dB)`, 'usage');
  }
  const names = new Set(files.map(stemName));
  for (const name of Object.keys(opts.roles ?? {})) {
    if (!names.has(name)) throw new AudioFileError(`--role ${name}`, `no stem has this name (stems: ${[...names].join(', ')})`, 'usage');
  }
  if (opts.master !== undefined && !findPreset(opts.master)) throw new AudioFileError(opts.master, 'unknown mastering preset', 'usage');
  const protectedInputs = opts.reference ? [...files, opts.reference] : files;
  if (output !== null) {
    assertWritableFormat(output);
    await checkOutputPath(output, protectedInputs, force);
  }
  const written = output !== null ? [...protectedInputs, output] : protectedInputs;
  if (opts.sessionOut) {
    if (!SESSION_EXTENSIONS.includes(extname(opts.sessionOut).toLowerCase())) throw new AudioFileError(opts.sessionOut, 'a session is .yaml, .yml or .json', 'usage');
    await checkOutputPath(opts.sessionOut, written, force);
  }
  if (masterOutput && output !== null) {
    assertWritableFormat(masterOutput);
    if (resolve(masterOutput) === resolve(output)) throw new AudioFileError(masterOutput, 'the master would overwrite the mix', 'usage');
    await checkOutputPath(masterOutput, written, force);
  }

  // Analysis: one pass per stem, with the loudness series (activity), all on this thread: a true-peak
  // worker per stem costs its start-up each time, more than it saves on stems of a few minutes (120 x 20 s
  // mono: 12.3 -> 2.3 s; 16 x 3 min stereo: 2.5 s either way), and the true peak's bits are the same.
  const analyses: AnalysisResult[] = [];
  for (const f of files) {
    const a = await analyzeFile(f, { strict: opts.strict, series: true, truePeakWorkers: 0, onProgress: (file, d, t) => opts.onProgress?.(file, 'analyze', d, t) });
    analyses.push(a.result);
  }
  const rate = analyses[0].sampleRate;
  let refAnalysis: AnalysisResult | null = null;
  if (opts.reference) {
    refAnalysis = (await analyzeFile(opts.reference, { strict: opts.strict })).result;
    if (refAnalysis.integratedLufs === null) throw new AudioFileError(opts.reference, 'reference has no measurable loudness (silent or shorter than 400 ms)', 'bad-reference');
  }

  // A temporary folder for what the caller did not ask to keep: the session, or a plan-only run's mix
  // that the reference loudness match has to measure.
  const render = output !== null || refAnalysis !== null;
  const tempDir = opts.sessionOut && output !== null ? null : await mkdtemp(join(tmpdir(), 'mixmaster-automix-'));
  const sessionPath = opts.sessionOut ?? join(tempDir as string, 'session.yaml');
  const mixPath = output ?? join(tempDir as string, 'mix.wav');
  const sessionDir = dirname(resolve(sessionPath));
  try {
    const plan = planAutomix(files.map((f, i) => ({
      name: stemName(f), file: relPath(sessionDir, f), analysis: analyses[i], role: opts.roles?.[stemName(f)],
    })), {
      sampleRate: rate, levelLu: opts.levelLu, crestWeight: opts.crestWeight, reverb: opts.reverb, glue: opts.glue,
      reference: refAnalysis && refAnalysis.sampleRate === rate ? refAnalysis.spectrum : undefined,
    });
    const warnings: AnalysisWarning[] = skipped.map((f) => ({ code: 'automix', message: `${f}: not a stem (this run's output or reference), skipped` }));
    warnings.push(...plan.warnings.map((m) => ({ code: 'automix', message: m })));
    if (refAnalysis && refAnalysis.sampleRate !== rate) warnings.push({ code: 'automix', message: `reference at ${refAnalysis.sampleRate} Hz, stems at ${rate} Hz: tonal match skipped (loudness still matched)` });
    const header = [`mixmaster automix of ${files.length} stems${opts.reference ? `, matched to ${basename(opts.reference)}` : ''}`];
    const sessionText = () => (extname(sessionPath).toLowerCase() === '.json' ? `${JSON.stringify(plan.session, null, 2)}\n` : automixSessionYaml(plan, header));
    await writeAtomic(sessionPath, sessionText());
    const gainsDb: Record<string, number> = {};
    for (const s of plan.stems) gainsDb[s.name] = s.outputGainDb;
    const settings = { stems: plan.stems, mix: plan.mix, gainsDb, session: opts.sessionOut ?? null, output, masterOutput };
    if (!render) return { output: null, master: null, warnings, settings: { ...settings, reference: null, render: null } };

    const needLoudness = opts.analyze === true || refAnalysis !== null;
    const mixOpts = { force, strict: opts.strict, bitDepth: opts.bitDepth, analyze: needLoudness, onProgress: (f: string, d: number, t: number | null) => opts.onProgress?.(f, 'mix', d, t) };
    let mixed = await mixSession(sessionPath, mixPath, mixOpts);
    /** Sets the master fader, rewrites the session and renders it again (a plan-only run keeps the session only). */
    const withMasterFader = async (gainDb: number, analyze: boolean) => {
      plan.session.master = { ...plan.session.master, gainDb };
      await writeAtomic(sessionPath, sessionText());
      return output !== null ? mixSession(sessionPath, output, { ...mixOpts, force: true, analyze }) : mixed;
    };
    /** Gain from a true peak up to the ceiling, dB, rounded down to 0.01 dB so that the ceiling holds. */
    const headroomDb = (peak: number) => Math.floor((REFERENCE_CEILING_DBTP - peak) * 100) / 100;
    let reference: AutomixSettings['reference'] = null;
    if (refAnalysis) {
      // Loudness match: the master fader is after every insert, so the measured difference is exact.
      const measured = mixed.output?.integratedLufs ?? null;
      let gainDb = refAnalysis.integratedLufs !== null && measured !== null ? Math.round((refAnalysis.integratedLufs - measured) * 100) / 100 : 0;
      // A fader cannot make a mix as loud as a limited master: the gain stops where the true peak reaches
      // the headroom ceiling (the rest is the mastering's job).
      const peak = mixed.output?.truePeakDbtp ?? null;
      if (peak !== null && gainDb > REFERENCE_CEILING_DBTP - peak) {
        const capped = headroomDb(peak);
        warnings.push({ code: 'automix', message: `matching the reference's ${refAnalysis.integratedLufs?.toFixed(1)} LUFS needs ${gainDb.toFixed(1)} dB, capped at ${capped.toFixed(1)} dB to keep the mix's true peak under ${REFERENCE_CEILING_DBTP} dBTP (use --master to reach the loudness with a limiter)` });
        gainDb = capped;
      }
      reference = { file: opts.reference as string, integratedLufs: refAnalysis.integratedLufs, masterGainDb: gainDb };
      if (gainDb !== 0) mixed = await withMasterFader(gainDb, opts.analyze === true);
    }
    if (output !== null && mixed.warnings.some((w) => w.code === 'clipped')) {
      // Many stems peaking together can push a mix aimed at -20 LUFS past full scale, and an integer file
      // then loses those samples. Lower the master fader under the ceiling and render again: rare, so the
      // common case pays nothing. The peak comes from the render's analysis, or one more render without one.
      const measured = mixed.output ?? (await mixSession(sessionPath, output, { ...mixOpts, force: true, analyze: true })).output;
      const peak = measured?.truePeakDbtp ?? null;
      if (peak !== null && peak > REFERENCE_CEILING_DBTP) {
        const cut = headroomDb(peak);
        mixed = await withMasterFader(Math.round(((plan.session.master?.gainDb ?? 0) + cut) * 100) / 100, mixOpts.analyze);
        warnings.push({ code: 'automix', message: `the mix peaked at ${peak.toFixed(1)} dBTP and clipped its ${mixed.settings.format} file: master fader ${cut.toFixed(2)} dB to keep it under ${REFERENCE_CEILING_DBTP} dBTP` });
      }
    }
    warnings.push(...mixed.warnings);
    if (output === null) return { output: null, master: null, warnings, settings: { ...settings, reference, render: null } };

    let master: MasterResult | null = null;
    if (masterOutput) {
      const res = await masterFiles([output], {
        output: masterOutput, preset: opts.master, force, bitDepth: opts.bitDepth,
        onProgress: (f, _s, d, t) => opts.onProgress?.(f, 'master', d, t),
      });
      master = res[0];
      warnings.push(...master.warnings);
    }
    return { output: mixed.output, master, warnings, settings: { ...settings, reference, render: mixed.settings } };
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}
