/**
 * masterFiles(): the programmatic face of `mixmaster master`.
 *
 * Per file: an analysis pass (Analyzer + the mid/side fine spectrum), decisions (auto-master from the
 * target curve, crest factor and PLR; or reference matching; album planning across files), a loudness
 * search that re-streams the file through the real chain per pass (memory independent of length; the
 * limiter's ceiling is fixed and only its input gain moves), a final render through the encoder with
 * an output analysis, and for lossy outputs a decode-and-verify of the true peak.
 *
 * Reference mode with an EQ match adds one pass before the search: the output of the first fit is
 * measured and the residual tonal difference corrected (refineReferenceEq); that pass's loudness,
 * corrected by the predicted loudness change of the refit, seeds the search, which then usually lands
 * in one pass. The first drive guess of every search subtracts the EQ's predicted loudness change
 * (K-weighted, from the input's spectrum), so gain-only targets usually need a single search pass.
 */
import { mkdir, mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { AnalysisResult, AnalysisWarning } from '../core/analysis/analysis-result.js';
import { Analyzer } from '../core/analysis/analyzer.js';
import { LoudnessMeter } from '../core/analysis/loudness-meter.js';
import { TruePeakMeter } from '../core/analysis/true-peak-meter.js';
import { channelRolesFromMask, channelWeights } from '../core/audio/channel-layout.js';
import { gainToDb } from '../core/audio/db.js';
import { DC_BLOCK_BAND } from '../core/dsp/eq.js';
import type { InsertSpec } from '../core/dsp/insert-catalog.js';
import { albumSpectrum, planAlbum } from '../core/master/album.js';
import { decideMultiband, type MultibandDecision } from '../core/master/auto-dynamics.js';
import { decideAutoEq, type AutoEqDecision } from '../core/master/auto-eq.js';
import { eqResponseDb, type EqBand } from '../core/master/eq-fit.js';
import { FineSpectrum, type FineSpectrumResult } from '../core/master/fine-spectrum.js';
import { decideLoudnessMaximiser, decideMaximiserForHeavyLimiting, type MaximiserDecision } from '../core/master/loudness-maximiser.js';
import { searchLimiterDrive, type LoudnessSearchResult } from '../core/master/loudness-search.js';
import { MASTER_LIMITER_DEFAULTS, MasteringChain, masteringInserts, type MasteringStages, type MaximiserSettings } from '../core/master/mastering-chain.js';
import { DEFAULT_PRESET, findPreset, LOUDNESS_PRESETS, MIN_TARGET_LUFS } from '../core/master/presets.js';
import { decideReferenceMatch, MATCH_BANDS_HZ, matchBandLevels, refineReferenceEq, refineWidthPercent, type MatchAspect, type ReferenceMatchDecision } from '../core/master/reference-match.js';
import { detectResonances, type Resonance } from '../core/master/resonance-control.js';
import { AudioFileError, type AudioReader } from '../io/audio-reader.js';
import { assertEncodable, createEncoder, encodedFormatOf, isLossy, type EncodedFormat } from '../io/encoders.js';
import { openAudio } from '../io/open-audio.js';
import { ioError } from '../io/atomic-file.js';
import { checkOutputPath } from '../io/output-path.js';
import { assertResamplable, resampleReader } from '../io/resampling-reader.js';
import { createWavWriter } from '../io/wav-writer.js';
import { renderMasterReport } from '../report/master-report.js';
import type { BitDepth } from './output-format.js';
import { scrubNonFinite, streamThrough, withReader } from './stream-through.js';
import { checkReportPath, writeReport } from './write-report.js';
import { assertMeterableRate } from './errors.js';

export interface MasterOptions {
  /** Output file (one input) or folder (several inputs, or --album). */
  output: string;
  /** Loudness preset name (presets.ts); default spotify when neither preset nor target is given. */
  preset?: string;
  /** Integrated loudness target, LUFS (overrides the preset's). */
  targetLufs?: number;
  /** True-peak ceiling, dBTP (overrides the preset's). */
  ceilingDbtp?: number;
  /** Reference master to match. */
  reference?: string;
  /** What to match (default all). */
  match?: MatchAspect[];
  /** Reference-matching amount 0..1 (default 1). */
  amount?: number;
  /** Bound of the reference-match EQ curve, ±dB (default MATCH_EQ_RANGE_DB = 24, where the match is trusted). */
  matchRangeDb?: number;
  /** Album mode: one gain offset, consistent tone. */
  album?: boolean;
  /** Stage switches and amounts. */
  eq?: boolean;
  eqAmount?: number;
  resonance?: boolean;
  multiband?: boolean;
  /**
   * The loudness maximiser (soft clip before the limiter) when the limiter alone saturates or needs more
   * than MAXIMISER_ENGAGE_GR_DB of gain reduction (default true). false: limiter only, whatever it costs
   * in loudness range or in a missed target.
   */
  maximiser?: boolean;
  multibandAmount?: number;
  /** Imager width, percent (default 100 = unchanged; reference mode: matched). */
  widthPercent?: number;
  /** Mono below this frequency, Hz (default 0 = off). */
  monoBelowHz?: number;
  /** Allow more than MAX_GAIN_DB of gain. */
  force?: boolean;
  strict?: boolean;
  bitDepth?: BitDepth;
  /** Output format for folder outputs (default wav). */
  format?: EncodedFormat;
  /**
   * Output sample rate, Hz (default: the input's). The input is resampled (libsamplerate best sinc) before
   * the chain, so the loudness search and the true-peak limiter work on the rate that is written.
   */
  sampleRate?: number;
  /** Write an HTML report (input/output analyses, plots, every decision) to this .html file. */
  report?: string;
  blockFrames?: number;
  onProgress?: (file: string, stage: string, framesDone: number, framesTotal: number | null) => void;
}

export interface MasterSettings {
  outputFile: string;
  format: EncodedFormat;
  bitDepth: BitDepth | null;
  dither: 'tpdf' | 'none';
  /** Output (and processing) rate, Hz. */
  sampleRate: number;
  /** The input's rate when --sample-rate resampled it, else null. */
  resampledFromHz: number | null;
  target: { targetLufs: number; ceilingDbtp: number; preset: string | null; source: 'preset' | 'target' | 'reference' | 'album' };
  mode: 'auto' | 'reference' | 'silent';
  eq: { enabled: boolean; decision?: AutoEqDecision; bands: unknown[] };
  resonance: { enabled: boolean; resonances: Resonance[] };
  multiband: { enabled: boolean; decision?: MultibandDecision };
  imager: { widthPercent: number; monoBelowHz: number } | null;
  limiter: {
    ceilingDbtp: number; limiterCeilingDbtp: number; inputGainDb: number; releaseMs: number; lookaheadMs: number;
    maxGainReductionDb: number | null; preLimiterLufs: number | null;
  } | null;
  search: LoudnessSearchResult | null;
  /**
   * The loudness maximiser (a soft clipper before the limiter), engaged only when the limiter alone could
   * not reach the target; with the measurement that showed it (the limiter's loudness ceiling). null: off.
   */
  maximiser: (MaximiserSettings & { trigger: MaximiserDecision['trigger'] }) | null;
  reference?: { file: string; analysis: AnalysisResult; decision: ReferenceMatchDecision };
  album?: { offsetDb: number; loudestFile: string; albumTargetLufs: number };
  chain: InsertSpec[];
  latencyFrames: number;
  skipped: { stage: string; reason: string }[];
}

export interface MasterResult {
  input: AnalysisResult;
  output: AnalysisResult;
  settings: MasterSettings;
  warnings: AnalysisWarning[];
}

/** Largest gain master applies without --force, dB. */
export const MAX_GAIN_DB = 30;
/** Limiter gain reduction above which a warning is given, dB. */
export const GAIN_REDUCTION_WARNING_DB = 6;
/** Shortest programme master accepts: one BS.1770 gating block, s. */
export const MIN_SECONDS = 0.4;
/** Extra headroom below the ceiling for lossy outputs (codec overshoot), dB; verified after decoding. */
export const LOSSY_HEADROOM_DB = 1;
/** A DC offset above this (any channel, linear; -60 dBFS) is removed before the chain. */
export const DC_OFFSET_LIMIT = 0.001;

interface Analysed {
  file: string;
  /** The file streamed through the chain: `file`, or its resampled copy (--sample-rate). */
  source: string;
  analysis: AnalysisResult;
  fine: FineSpectrumResult;
  /** The processing (and output) rate, Hz. */
  sampleRate: number;
  channels: number;
  channelMask?: number;
  pcmBits: number | null;
}

/** Pass 1: the full analysis plus the mid/side fine spectrum. */
async function analyseFile(file: string, opts: MasterOptions): Promise<Analysed> {
  return withReader(file, opts.strict, async (r) => {
    const { sampleRate, channels, channelMask } = r.info;
    assertMeterableRate(file, sampleRate);
    const an = new Analyzer({ sampleRate, channels, channelMask, series: opts.report !== undefined });
    const fine = new FineSpectrum(sampleRate, channels);
    let done = 0;
    for (;;) {
      const buf = await r.read(opts.blockFrames ?? 8192);
      if (!buf) break;
      const n = buf[0].length;
      an.push(buf, n);
      scrubNonFinite(buf, n);
      fine.push(buf, n);
      done += n;
      opts.onProgress?.(file, 'analyse', done, r.info.frames);
    }
    const analysis: AnalysisResult = { file, ...an.result(), warnings: [...an.result().warnings, ...r.warnings] };
    return { file, source: file, analysis, fine: fine.result(), sampleRate, channels, channelMask, pcmBits: r.info.pcmBits };
  });
}

/**
 * Streams the file (its resampled copy with --sample-rate) through the chain (latency removed, length
 * kept), handing each output block to `sink`.
 * @returns the number of non-finite input samples replaced by 0
 */
async function renderThrough(
  a: Analysed, opts: MasterOptions, chain: MasteringChain, block: number, stage: string,
  sink: (views: Float32Array[], frames: number) => Promise<void> | void,
  preTap?: (b: readonly Float32Array[], n: number) => void,
): Promise<number> {
  return withReader(a.source, opts.strict, (r) => streamThrough(r, {
    latencyFrames: chain.latencyFrames,
    process: (i, o, n) => chain.process(i, o, n, preTap),
  }, { blockFrames: block, onProgress: (d, t) => opts.onProgress?.(a.file, stage, d, t) }, sink));
}

/** Frames per read while resampling (large blocks amortize the converter's per-call cost). */
const RESAMPLE_BLOCK_FRAMES = 65536;

/**
 * --sample-rate: resamples the input once (libsamplerate best sinc, as `process` does) into a float32
 * WAV in `dir`; every later pass (probe, loudness search, render) streams that copy, so the chain, the
 * search and the true-peak limiter run at the output rate and the target holds on what is written.
 * Once rather than per pass: the best converter runs at only ≈ 5× real time (stereo 44.1 kHz).
 * NaN/Inf input samples are zeroed before the converter (its filter would spread them).
 */
async function resampleInput(a: Analysed, sampleRate: number, dir: string, index: number, opts: MasterOptions): Promise<Analysed> {
  const path = join(dir, `${index}.wav`);
  const src = await openAudio(a.file, { strict: opts.strict });
  const scrubbed: AudioReader = {
    path: src.path, info: src.info, warnings: src.warnings, close: () => src.close(),
    read: async (n) => { const b = await src.read(n); if (b) scrubNonFinite(b, b[0].length); return b; },
  };
  const reader = await resampleReader(scrubbed, sampleRate, { quality: 'best' }).catch(async (e) => { await src.close(); throw e; });
  try {
    const w = await createWavWriter(path, { sampleRate, channels: a.channels, format: 'float32', channelMask: a.channelMask });
    try {
      let done = 0;
      for (;;) {
        const b = await reader.read(RESAMPLE_BLOCK_FRAMES);
        if (!b) break;
        await w.write(b, b[0].length);
        done += b[0].length;
        opts.onProgress?.(a.file, 'resample', done, reader.info.frames);
      }
      await w.close();
    } catch (e) {
      await w.abort();
      throw e;
    }
  } finally {
    await reader.close();
  }
  return { ...a, source: path, sampleRate };
}

function weightsFor(a: Analysed): number[] {
  return a.channelMask !== undefined ? channelWeights(a.channels, channelRolesFromMask(a.channelMask, a.channels)) : channelWeights(a.channels);
}

/** Output path for one input. */
function outputPathFor(input: string, opts: MasterOptions, toFolder: boolean): string {
  if (!toFolder) return opts.output;
  const ext = '.' + (opts.format ?? 'wav');
  return join(opts.output, basename(input, extname(input)) + ext);
}

function resolveTarget(opts: MasterOptions): { targetLufs: number; ceilingDbtp: number; preset: string | null; source: 'preset' | 'target' } {
  const name = opts.preset ?? DEFAULT_PRESET;
  const preset = findPreset(name);
  if (!preset) throw new AudioFileError(name, `unknown preset (known: ${LOUDNESS_PRESETS.map((p) => p.name).join(', ')})`, 'usage');
  return {
    targetLufs: opts.targetLufs ?? preset.targetLufs,
    ceilingDbtp: opts.ceilingDbtp ?? preset.ceilingDbtp,
    preset: opts.targetLufs !== undefined && opts.preset === undefined ? null : preset.name,
    source: opts.targetLufs !== undefined ? 'target' : 'preset',
  };
}

/**
 * Masters one or more files.
 * @param inputs audio files
 * @param opts see MasterOptions
 * @returns one result per input, in order
 * @throws AudioFileError for unreadable inputs, a programme shorter than 400 ms, a target needing more
 *   than 30 dB of gain without force, an output that exists without force or equals an input
 */
export async function masterFiles(inputs: string[], opts: MasterOptions): Promise<MasterResult[]> {
  if (inputs.length === 0) throw new AudioFileError('(none)', 'no input files', 'usage');
  const base = resolveTarget(opts);
  if (!(base.ceilingDbtp <= 0 && base.ceilingDbtp >= -20)) throw new AudioFileError(opts.output, `ceiling ${base.ceilingDbtp} dBTP is outside -20..0`, 'usage');
  if (!(base.targetLufs >= MIN_TARGET_LUFS && base.targetLufs <= 0)) throw new AudioFileError(opts.output, `target ${base.targetLufs} LUFS is outside ${MIN_TARGET_LUFS}..0`, 'usage');
  const rate = opts.sampleRate;
  if (rate !== undefined && !(Number.isInteger(rate) && rate >= 8000 && rate <= 384000)) throw new AudioFileError(opts.output, `sample rate ${rate} Hz is not a whole number from 8000 to 384000`, 'usage');
  const st = await stat(opts.output).catch(() => null);
  const toFolder = inputs.length > 1 || !!opts.album || st?.isDirectory() === true;
  let made: string | undefined;
  if (toFolder && !st?.isDirectory()) {
    if (st) throw new AudioFileError(opts.output, `is a file: ${inputs.length > 1 ? 'several inputs are' : 'an album is'} mastered into a folder`, 'usage');
    if (encodedFormatOf(opts.output)) throw new AudioFileError(opts.output, `${inputs.length > 1 ? 'several inputs are' : 'an album is'} mastered into a folder, and this names a file (give a folder)`, 'usage');
    made = await mkdir(opts.output, { recursive: true }).catch((e: unknown) => { throw ioError(opts.output, e, 'cannot create the output folder'); });
  }
  try {
    return await masterInto(inputs, opts, base, rate, toFolder);
  } catch (e) {
    // A folder this run made is removed again when nothing was written into it.
    if (made !== undefined) await rmdir(opts.output).catch(() => undefined);
    throw e;
  }
}

/** masterFiles() once its options are checked and its output folder (toFolder) exists. */
async function masterInto(inputs: string[], opts: MasterOptions, base: ReturnType<typeof resolveTarget>, rate: number | undefined, toFolder: boolean): Promise<MasterResult[]> {
  const outputs = inputs.map((f) => outputPathFor(f, opts, toFolder));
  if (new Set(outputs).size !== outputs.length) throw new AudioFileError(opts.output, 'two inputs would write the same output file', 'usage');
  const readFiles = opts.reference ? [...inputs, opts.reference] : inputs;
  for (const o of outputs) {
    if (!encodedFormatOf(o)) throw new AudioFileError(o, `cannot write ${extname(o) || 'files without an extension'} (use .wav, .flac or .mp3)`, 'unsupported-output');
    await checkOutputPath(o, readFiles, opts.force ?? false);
  }
  if (opts.report !== undefined) await checkReportPath(opts.report, readFiles, outputs, opts.force ?? false);

  const analysed: Analysed[] = [];
  for (const f of inputs) {
    const a = await analyseFile(f, opts);
    if (a.analysis.durationSeconds < MIN_SECONDS) {
      throw new AudioFileError(f, `too short to master (${a.analysis.durationSeconds.toFixed(3)} s; needs at least ${MIN_SECONDS * 1000} ms, one loudness block)`, 'too-short');
    }
    analysed.push(a);
  }
  const ref = opts.reference ? await analyseFile(opts.reference, opts) : null;
  if (ref && ref.analysis.integratedLufs === null) throw new AudioFileError(opts.reference as string, 'reference has no measurable loudness (silent or shorter than 400 ms)', 'bad-reference');

  // Targets per file.
  const targets = analysed.map(() => ({ ...base, source: base.source as MasterSettings['target']['source'] }));
  let albumInfo: { offsetDb: number; loudestFile: string; albumTargetLufs: number } | undefined;
  let albumTone: AutoEqDecision | null = null;
  const albumTarget = ref && opts.targetLufs === undefined && (opts.match ?? ['loudness']).includes('loudness') ? (ref.analysis.integratedLufs as number) : base.targetLufs;
  if (opts.album) {
    const plan = planAlbum(analysed.map((a) => a.analysis.integratedLufs), albumTarget);
    if (plan) {
      plan.targetsLufs.forEach((t, i) => { if (t !== null) { targets[i].targetLufs = t; targets[i].source = 'album'; } });
      albumInfo = { offsetDb: round2(plan.offsetDb), loudestFile: inputs[plan.loudestIndex], albumTargetLufs: albumTarget };
      const spec = albumSpectrum(analysed.map((a) => a.analysis.spectrum), analysed.map((a) => a.analysis.durationSeconds), analysed.map((a) => a.analysis.integratedLufs));
      albumTone = decideAutoEq(spec, { amount: opts.eqAmount });
    }
  }

  // Refuse excessive gain before rendering anything.
  analysed.forEach((a, i) => {
    const l = a.analysis.integratedLufs;
    if (l === null) return;
    const t = ref && !opts.album && opts.targetLufs === undefined && (opts.match ?? ['loudness']).includes('loudness') ? (ref.analysis.integratedLufs as number) : targets[i].targetLufs;
    if (t - l > MAX_GAIN_DB && !opts.force) {
      throw new AudioFileError(a.file, `reaching ${t.toFixed(1)} LUFS needs ${(t - l).toFixed(1)} dB of gain (more than ${MAX_GAIN_DB} dB): use --force if this is really wanted`, 'too-much-gain');
    }
  });

  // Formats the outputs cannot hold (an MP3 at 96 kHz), and rates the resampler cannot convert, are
  // refused before anything is written.
  if (rate !== undefined) for (const a of analysed) assertResamplable(a.file, a.sampleRate, rate);
  analysed.forEach((a, i) => assertEncodable(outputs[i], rate ?? a.sampleRate, a.channels, defaultBitDepth(a, opts)));

  const results: MasterResult[] = [];
  const tempDir = rate !== undefined && analysed.some((a) => a.sampleRate !== rate) ? await mkdtemp(join(tmpdir(), 'mixmaster-master-')) : null;
  try {
    for (let i = 0; i < analysed.length; i++) {
      const a = tempDir !== null && analysed[i].sampleRate !== rate ? await resampleInput(analysed[i], rate as number, tempDir, i, opts) : analysed[i];
      results.push(await masterOne(a, outputs[i], targets[i], ref, albumTone, albumInfo, opts));
      // The copy is only needed while its file is mastered.
      if (a.source !== a.file) await rm(a.source, { force: true });
    }
  } finally {
    if (tempDir !== null) await rm(tempDir, { recursive: true, force: true });
  }
  if (opts.report !== undefined) {
    await writeReport(opts.report, renderMasterReport(results.map((r) => ({
      input: r.input, output: r.output, settings: r.settings, warnings: r.warnings,
      targetLufs: r.settings.target.targetLufs, reference: r.settings.reference?.analysis,
    }))), opts.force ?? false);
    // The series is for the report's plots only; the JSON result keeps the compact fields.
    for (const r of results) { delete r.input.loudnessSeries; delete r.output.loudnessSeries; }
  }
  return results;
}

/** Output bit depth: the option, else 16 for 16-bit PCM inputs, else 24. */
function defaultBitDepth(a: Analysed, opts: MasterOptions): BitDepth {
  return opts.bitDepth ?? (a.pcmBits === 16 ? '16' : '24');
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

async function masterOne(
  a: Analysed, output: string, target: MasterSettings['target'], ref: Analysed | null, albumTone: AutoEqDecision | null,
  albumInfo: MasterSettings['album'], opts: MasterOptions,
): Promise<MasterResult> {
  const warnings: AnalysisWarning[] = [...a.analysis.warnings];
  const format = encodedFormatOf(output) as EncodedFormat;
  const bitDepth = defaultBitDepth(a, opts);
  assertEncodable(output, a.sampleRate, a.channels, bitDepth);
  const block = opts.blockFrames ?? 4096;
  const spec = { sampleRate: a.sampleRate, channels: a.channels, maxBlockFrames: block };
  const settings: MasterSettings = {
    outputFile: output, format, bitDepth: format === 'mp3' ? null : bitDepth, dither: format !== 'mp3' && bitDepth !== '32f' ? 'tpdf' : 'none',
    sampleRate: a.sampleRate, resampledFromHz: a.source !== a.file ? a.analysis.sampleRate : null,
    target: { ...target }, mode: ref ? 'reference' : 'auto',
    eq: { enabled: false, bands: [] }, resonance: { enabled: false, resonances: [] }, multiband: { enabled: false },
    imager: null, limiter: null, search: null, maximiser: null, chain: [], latencyFrames: 0, skipped: [],
  };
  if (albumInfo) settings.album = albumInfo;

  // Digital silence (no gated loudness): never amplify the noise floor; pass it through unchanged.
  if (a.analysis.integratedLufs === null) {
    settings.mode = 'silent';
    warnings.push({ code: 'silent', message: 'input has no measurable loudness (digital silence): written unchanged, not amplified' });
    const chain = new MasteringChain({ eq: [], resonances: [], multiband: null, imager: null, limiter: { ceilingDbtp: Math.min(0, target.ceilingDbtp), inputGainDb: 0, ...MASTER_LIMITER_DEFAULTS } }, spec);
    const out = await renderToFile(a, output, chain, block, bitDepth, opts, 'write', undefined, undefined, false);
    settings.dither = 'none';
    return { input: a.analysis, output: out, settings, warnings };
  }

  // Decisions.
  let stages: MasteringStages;
  let lossyMargin = isLossy(format) ? LOSSY_HEADROOM_DB : 0;
  if (ref) {
    const decision = decideReferenceMatch({ analysis: a.analysis, fine: a.fine }, { analysis: ref.analysis, fine: ref.fine }, {
      match: opts.match, amount: opts.amount, ceilingDbtp: target.ceilingDbtp, maxBoostDb: opts.matchRangeDb,
    });
    if (decision.targetLufs !== null && opts.targetLufs === undefined && !albumInfo) {
      settings.target = { targetLufs: decision.targetLufs, ceilingDbtp: decision.ceilingDbtp, preset: null, source: 'reference' };
    } else {
      settings.target.ceilingDbtp = decision.ceilingDbtp;
    }
    settings.reference = { file: ref.file, analysis: ref.analysis, decision };
    const mb = opts.multiband === false ? decideMultiband(a.analysis, null, 0) : decision.multiband;
    stages = {
      eq: opts.eq === false ? [] : decision.eq,
      resonances: opts.resonance === true ? detectResonances(a.fine) : [],
      multiband: mb.insert,
      imager: { widthPercent: opts.widthPercent ?? decision.widthPercent, monoBelowHz: opts.monoBelowHz ?? 0 },
      limiter: { ceilingDbtp: 0, inputGainDb: 0, ...MASTER_LIMITER_DEFAULTS },
    };
    settings.multiband = { enabled: !!mb.insert, decision: mb };
  } else {
    const eqDecision = opts.eq === false ? null : albumTone ?? decideAutoEq(a.analysis.spectrum, { amount: opts.eqAmount });
    const mb = decideMultiband(a.analysis, target, opts.multiband === false ? 0 : opts.multibandAmount ?? 1);
    stages = {
      eq: eqDecision?.bands ?? [],
      resonances: opts.resonance === false ? [] : detectResonances(a.fine),
      multiband: mb.insert,
      imager: { widthPercent: opts.widthPercent ?? 100, monoBelowHz: opts.monoBelowHz ?? 0 },
      limiter: { ceilingDbtp: 0, inputGainDb: 0, ...MASTER_LIMITER_DEFAULTS },
    };
    settings.eq = { enabled: stages.eq.length > 0, decision: eqDecision ?? undefined, bands: stages.eq };
    settings.multiband = { enabled: !!mb.insert, decision: mb };
  }
  if (ref) settings.eq = { enabled: stages.eq.length > 0, bands: stages.eq };
  settings.resonance = { enabled: stages.resonances.length > 0, resonances: stages.resonances };
  if (stages.imager && stages.imager.widthPercent === 100 && stages.imager.monoBelowHz === 0) stages.imager = null;
  settings.imager = stages.imager;
  const targetLufs = settings.target.targetLufs;
  const ceiling = settings.target.ceilingDbtp;
  const inputLufs = a.analysis.integratedLufs;
  const weights = weightsFor(a);
  // A DC offset would eat headroom at the limiter (and shift every peak): removed first.
  const dc = Math.max(0, ...a.analysis.dcOffset.map(Math.abs));
  if (dc > DC_OFFSET_LIMIT) {
    stages.dcBlock = true;
    warnings.push({ code: 'dc-offset', message: `input has a DC offset of ${dc.toFixed(4)} (${gainToDb(dc).toFixed(1)} dBFS): removed by a ${DC_BLOCK_BAND.freqHz} Hz high-pass` });
  }
  // The limiter's drive spans -80..36 dB; a (forced) larger gain is split off into a static pre-gain.
  const needed = targetLufs - inputLufs;
  if (needed > MAX_GAIN_DB - 6) stages.preGainDb = round2(needed - (MAX_GAIN_DB - 6));
  // First drive guess: the gain to the target, less what the EQ adds (predicted from the input's spectrum).
  let searchStart = needed - (stages.preGainDb ?? 0) - (stages.eq.length > 0 ? eqLoudnessChangeDb([], stages.eq, a.fine) : 0);

  // Reference EQ match, second pass: render once with the first fit, measure the output's spectrum
  // (the whole chain, limiter included) and correct the residual. The pass also measures loudness, so
  // the search starts from a drive corrected by it (slope-1 step) and usually needs one or two passes.
  const decision = settings.reference?.decision;
  if (decision?.eqPlan && stages.eq.length > 0 && a.channels <= 2) {
    stages.limiter.ceilingDbtp = round2(ceiling - lossyMargin);
    const probe = new MasteringChain(stages, spec);
    probe.restart(searchStart);
    const meter = new LoudnessMeter({ sampleRate: a.sampleRate, channels: a.channels, weights });
    const outFine = new FineSpectrum(a.sampleRate, a.channels);
    await renderThrough(a, opts, probe, block, 'match', (v, n) => { meter.push(v, n); outFine.push(v, n); });
    const probeLufs = meter.result().integratedLufs;
    const before = stages.eq;
    const measured = outFine.result();
    stages.eq = refineReferenceEq(decision, measured);
    settings.eq = { enabled: stages.eq.length > 0, bands: stages.eq };
    // Width in the loop too: the match EQ moves the side/mid ratio (a sub-bass boost is a mid boost).
    const so = measured.sideToMidDb, sr = ref?.fine.sideToMidDb ?? null, si = a.fine.sideToMidDb;
    if (stages.imager && opts.widthPercent === undefined && decision.widthPercent !== 100 && so !== null && sr !== null && si !== null) {
      const amount = Math.min(1, Math.max(0, opts.amount ?? 1));
      const w = refineWidthPercent(stages.imager.widthPercent, so, si + amount * (sr - si));
      stages.imager = { ...stages.imager, widthPercent: w };
      decision.widthPercent = w;
      settings.imager = stages.imager;
    }
    // The refit moves the level a little; that is the search's job, started from the probe's landing.
    if (probeLufs !== null) searchStart += Math.max(-12, Math.min(12, targetLufs - probeLufs - eqLoudnessChangeDb(before, stages.eq, measured)));
  }

  // Search and render; for lossy outputs, verify the decoded true peak and tighten if needed.
  let overwrite = opts.force ?? false;
  // Lossy codecs change loudness a little (low-pass, quantization): the offset measured on the decoded
  // output is folded back into the search target on the next attempt.
  let codecTrimLu = 0;
  let maximiserWarning: AnalysisWarning | null = null;
  for (let attempt = 0; ; attempt++) {
    stages.limiter.ceilingDbtp = round2(ceiling - lossyMargin);
    let chain = new MasteringChain(stages, spec);
    const meter = new LoudnessMeter({ sampleRate: a.sampleRate, channels: a.channels, weights });
    // The limiter's largest gain reduction in each search pass, by drive: the chosen pass's tells whether
    // limiting is heavy without rendering it again.
    const passGr = new Map<number, number>();
    const measureWith = (c: MasteringChain) => async (driveDb: number) => {
      c.restart(driveDb);
      meter.reset();
      c.limiter.readMeters();
      let gr = 0;
      await renderThrough(a, opts, c, block, 'search', (v, n) => {
        meter.push(v, n);
        gr = Math.max(gr, c.limiter.readMeters().gainReductionDb);
      });
      passGr.set(driveDb, gr);
      return { driveDb, integratedLufs: meter.result().integratedLufs, truePeakDbtp: null };
    };
    let search = await searchLimiterDrive(measureWith(chain), { targetLufs: targetLufs + codecTrimLu, initialDriveDb: searchStart + codecTrimLu });
    // The limiter alone saturated short of the target, or needed more than 3 dB of gain reduction to reach
    // it (which squashes the loudness range): add the soft clipper and search again.
    const maxi = stages.maximiser || opts.maximiser === false ? null
      : decideLoudnessMaximiser(search, targetLufs + codecTrimLu) ?? decideMaximiserForHeavyLimiting(passGr.get(search.driveDb) ?? 0, search.driveDb);
    if (maxi) {
      stages.maximiser = maxi.settings;
      settings.maximiser = { ...maxi.settings, trigger: maxi.trigger };
      maximiserWarning = maxi.warning;
      chain = new MasteringChain(stages, spec);
      search = await searchLimiterDrive(measureWith(chain), { targetLufs: targetLufs + codecTrimLu, initialDriveDb: maxi.startDriveDb });
    }
    stages.limiter.inputGainDb = round2(search.driveDb);
    chain.restart(search.driveDb);
    chain.limiter.readMeters();
    const preMeter = new LoudnessMeter({ sampleRate: a.sampleRate, channels: a.channels, weights });
    let maxGr = 0;
    const out = await renderToFile(a, output, chain, block, bitDepth, { ...opts, force: overwrite }, 'render', (b, n) => preMeter.push(b, n), () => {
      maxGr = Math.max(maxGr, chain.limiter.readMeters().gainReductionDb);
    });
    let final = out;
    if (isLossy(format)) final = await analyseDecoded(output, opts);
    settings.search = search;
    settings.skipped = chain.skipped;
    settings.latencyFrames = chain.latencyFrames;
    const pre = preMeter.result().integratedLufs;
    settings.limiter = {
      ceilingDbtp: ceiling, limiterCeilingDbtp: stages.limiter.ceilingDbtp, inputGainDb: stages.limiter.inputGainDb,
      releaseMs: stages.limiter.releaseMs, lookaheadMs: stages.limiter.lookaheadMs, maxGainReductionDb: round2(maxGr), preLimiterLufs: pre === null ? null : round2(pre),
    };
    settings.chain = masteringInserts(stages);
    const tp = final.truePeakDbtp;
    const decodedLufs = final.integratedLufs;
    const tpOver = tp !== null && tp > ceiling;
    const loudMiss = decodedLufs !== null && Math.abs(decodedLufs - targetLufs) > 0.05;
    if (isLossy(format) && (tpOver || loudMiss) && attempt < 3) {
      if (tpOver) lossyMargin += (tp as number) - ceiling + 0.2;
      if (loudMiss) codecTrimLu += targetLufs - (decodedLufs as number);
      overwrite = true; // the next attempt replaces our own output
      continue;
    }
    if (codecTrimLu !== 0) warnings.push({ code: 'codec-trim', message: `the ${format} codec changed loudness; the search target was trimmed by ${codecTrimLu.toFixed(2)} LU to land after decoding` });
    if (maximiserWarning) warnings.push(maximiserWarning);
    if (!search.converged) warnings.push({ code: 'target-missed', message: `loudness target ${targetLufs} LUFS not reached: ${search.problem}` });
    if (maxGr > GAIN_REDUCTION_WARNING_DB) {
      warnings.push({ code: 'heavy-limiting', message: `the limiter reduces peaks by up to ${maxGr.toFixed(1)} dB to reach ${targetLufs} LUFS (more than ${GAIN_REDUCTION_WARNING_DB} dB): expect audible limiting; a lower target or a denser mix would help` });
    }
    for (const s of chain.skipped) warnings.push({ code: 'stage-skipped', message: `${s.stage}: ${s.reason}` });
    return { input: a.analysis, output: final, settings, warnings };
  }
}

/**
 * Predicted loudness change when the EQ `before` is replaced by `after`, LU: the measured output's
 * channel power per match band, K-weighted (BS.1770's shelf and high-pass, as analogue prototypes), summed
 * with and without the EQ difference. Only a first guess for the drive search (the limiter is ignored).
 */
function eqLoudnessChangeDb(before: EqBand[], after: EqBand[], out: FineSpectrumResult): number {
  const f = MATCH_BANDS_HZ;
  const levels = matchBandLevels(out, f);
  const k = eqResponseDb([
    { type: 'highshelf', freqHz: 1681, q: Math.SQRT1_2, gainDb: 4 },
    { type: 'highpass', freqHz: 38, slopeDbPerOct: 12, q: 0.5, gainDb: 0 },
  ], f);
  const a = eqResponseDb(before, f), b = eqResponseDb(after, f);
  let p0 = 0, p1 = 0;
  levels.forEach((l, i) => {
    if (l === null) return;
    const w = Math.pow(10, (l + k[i]) / 10);
    p0 += w;
    p1 += w * Math.pow(10, (b[i] - a[i]) / 10);
  });
  return p0 > 0 ? 10 * Math.log10(p1 / p0) : 0;
}

/** Final render into the encoder, analysing what is written (before encoding). */
async function renderToFile(
  a: Analysed, output: string, chain: MasteringChain, block: number, bitDepth: BitDepth, opts: MasterOptions, stage: string,
  preTap?: (b: readonly Float32Array[], n: number) => void, afterBlock?: () => void, dither = true,
): Promise<AnalysisResult> {
  const enc = await createEncoder(output, { sampleRate: a.sampleRate, channels: a.channels, bitDepth, channelMask: a.channelMask, force: opts.force, dither });
  const an = new Analyzer({ sampleRate: a.sampleRate, channels: a.channels, channelMask: a.channelMask, series: opts.report !== undefined });
  try {
    await renderThrough(a, opts, chain, block, stage, async (v, n) => {
      afterBlock?.();
      an.push(v, n);
      await enc.write(v, n);
    }, preTap);
    await enc.close();
  } catch (e) {
    await enc.abort();
    throw e;
  }
  return { file: output, ...an.result() };
}

/** Analysis of an encoded file as a player decodes it (lossy outputs). */
async function analyseDecoded(file: string, opts: MasterOptions): Promise<AnalysisResult> {
  return withReader(file, opts.strict, async (r) => {
    const an = new Analyzer({ sampleRate: r.info.sampleRate, channels: r.info.channels, series: opts.report !== undefined });
    for (;;) {
      const buf = await r.read(8192);
      if (!buf) break;
      an.push(buf, buf[0].length);
    }
    return { file, ...an.result() };
  });
}

/** The true peak of planar audio, dBTP (helper for tests and benches). */
export function truePeakDbtp(channels: Float32Array[], sampleRate: number): number {
  const m = new TruePeakMeter({ sampleRate, channels: channels.length });
  m.push(channels, channels[0].length);
  return gainToDb(Math.max(...m.peaks()));
}
