/**
 * `mixmaster master <in>... -o <out|dir> [--preset <name> | --target <LUFS>] [--ceiling <dBTP>]
 *  [--reference <file> [--match eq,loudness,width,dynamics] [--amount 0..1]] [--album] [--json]
 *  [--sample-rate N] [--report <file.html>]`
 * plus stage switches (--no-eq, --eq-amount, --no-resonance, --no-multiband, --multiband-amount,
 * --width, --mono-below) and the common output options.
 */
import { masterFiles } from '../../api/master-files.js';
import { findPreset, LOUDNESS_PRESETS, MIN_TARGET_LUFS } from '../../api/vocabulary.js';
import { MATCH_ASPECTS, type MatchAspect } from '../../api/vocabulary.js';
import { formatAnalysis } from '../format-analysis.js';
import { createProgress } from '../progress.js';
import { UsageError } from '../cli-error.js';
import type { CommonOptions, CommandIO } from '../command-io.js';
import { parseReport } from './analyze.js';
import { parseBitDepth, parseSampleRate } from './process.js';

export interface MasterCliOptions extends CommonOptions {
  output?: string;
  preset?: string;
  target?: string;
  ceiling?: string;
  reference?: string;
  match?: string;
  amount?: string;
  album?: boolean;
  json?: boolean;
  strict?: boolean;
  bitDepth?: string;
  format?: string;
  /** Commander sets these false for --no-eq / --no-resonance / --no-multiband. */
  eq?: boolean;
  resonance?: boolean;
  multiband?: boolean;
  maximiser?: boolean;
  eqAmount?: string;
  multibandAmount?: string;
  width?: string;
  monoBelow?: string;
  sampleRate?: string;
  report?: string;
}

/** A number option within [min, max] (usage error otherwise). */
function num(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < min || x > max) throw new UsageError(`${name} must be a number from ${min} to ${max} (got ${v})`);
  return x;
}

function parseMatch(v: string | undefined): MatchAspect[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) if (!(MATCH_ASPECTS as readonly string[]).includes(p)) throw new UsageError(`--match: unknown aspect "${p}" (known: ${MATCH_ASPECTS.join(', ')})`);
  if (parts.length === 0) throw new UsageError(`--match needs a list of ${MATCH_ASPECTS.join(', ')}`);
  return parts as MatchAspect[];
}

export async function masterCommand(inputs: string[], opts: MasterCliOptions, io: CommandIO): Promise<number> {
  if (!opts.output) throw new UsageError('master needs an output: -o <file> (or a folder for several inputs / --album)');
  if (opts.preset !== undefined && opts.target !== undefined) throw new UsageError('give --preset or --target, not both');
  if (opts.preset !== undefined && !findPreset(opts.preset)) {
    throw new UsageError(`unknown preset "${opts.preset}" (known: ${LOUDNESS_PRESETS.map((p) => p.name).join(', ')})`);
  }
  if ((opts.match !== undefined || opts.amount !== undefined) && !opts.reference) throw new UsageError('--match and --amount need --reference <file>');
  const format = opts.format;
  if (format !== undefined && format !== 'wav' && format !== 'flac' && format !== 'mp3') throw new UsageError(`--format must be wav, flac or mp3 (got ${format})`);
  const sampleRate = parseSampleRate(opts.sampleRate);
  const report = parseReport(opts.report);
  const progress = createProgress({ quiet: opts.quiet, items: inputs.length });
  let res;
  try {
    res = await masterFiles(inputs, {
      output: opts.output,
      preset: opts.preset,
      targetLufs: num('--target', opts.target, MIN_TARGET_LUFS, 0),
      ceilingDbtp: num('--ceiling', opts.ceiling, -20, 0),
      reference: opts.reference,
      match: parseMatch(opts.match),
      amount: num('--amount', opts.amount, 0, 1),
      album: opts.album,
      eq: opts.eq,
      eqAmount: num('--eq-amount', opts.eqAmount, 0, 1),
      resonance: opts.resonance,
      multiband: opts.multiband,
      maximiser: opts.maximiser,
      multibandAmount: num('--multiband-amount', opts.multibandAmount, 0, 1),
      widthPercent: num('--width', opts.width, 0, 200),
      monoBelowHz: num('--mono-below', opts.monoBelow, 0, 500),
      force: opts.force,
      strict: opts.strict,
      bitDepth: parseBitDepth(opts.bitDepth),
      format,
      sampleRate,
      report,
      onProgress: (f, _stage, d, t) => progress.update(f, d, t),
    });
  } finally {
    progress.stop();
  }
  if (!opts.quiet) for (const r of res) for (const w of r.warnings) io.stderr(`mixmaster: ${r.input.file}: warning: ${w.message}`);
  if (opts.json) {
    // The decisions' warnings (heavy limiting, maximiser, target missed, codec trim) go into the JSON too.
    const body = res.map((r) => ({ input: r.input, output: r.output, settings: r.settings, warnings: r.warnings }));
    io.stdout(JSON.stringify(body.length === 1 ? body[0] : body, null, 2));
  } else if (!opts.quiet) {
    for (const r of res) {
      const s = r.settings;
      const o = r.output;
      const lufs = o.integratedLufs === null ? '—' : `${o.integratedLufs.toFixed(2)} LUFS`;
      const tp = o.truePeakDbtp === null ? '—' : `${o.truePeakDbtp.toFixed(2)} dBTP`;
      io.stdout(`${r.input.file} -> ${s.outputFile}: ${lufs}, true peak ${tp} (target ${s.target.targetLufs.toFixed(1)} LUFS, ceiling ${s.target.ceilingDbtp} dBTP)`);
      io.stdout(formatAnalysis(o));
    }
  }
  return 0;
}
