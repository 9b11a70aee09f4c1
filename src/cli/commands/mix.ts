/** `mixmaster mix <session> -o <out> [--json] [--bit-depth 16|24|32f] [--no-dither] [--sample-rate N] [--strict] [--report <file.html>]` */
import { mixSession } from '../../api/mix-session.js';
import { SessionError } from '../../api/vocabulary.js';
import { formatAnalysis } from '../format-analysis.js';
import { createProgress } from '../progress.js';
import { InputError, UsageError } from '../cli-error.js';
import type { CommonOptions, CommandIO } from '../command-io.js';
import { parseReport } from './analyze.js';
import { parseBitDepth } from './process.js';

export interface MixCliOptions extends CommonOptions {
  output?: string;
  json?: boolean;
  strict?: boolean;
  bitDepth?: string;
  /** false with --no-dither (commander's negated option). */
  dither?: boolean;
  sampleRate?: string;
  report?: string;
}

export async function mixCommand(session: string, opts: MixCliOptions, io: CommandIO): Promise<number> {
  if (!opts.output) throw new UsageError('mix needs an output: -o <file.wav>');
  let sampleRate: number | undefined;
  if (opts.sampleRate !== undefined) {
    sampleRate = Number(opts.sampleRate);
    if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 384000) throw new UsageError(`--sample-rate must be an integer 8000..384000 (got ${opts.sampleRate})`);
  }
  const report = parseReport(opts.report);
  const progress = createProgress({ quiet: opts.quiet, items: 1 });
  let res;
  try {
    res = await mixSession(session, opts.output, {
      force: opts.force, strict: opts.strict, bitDepth: parseBitDepth(opts.bitDepth), dither: opts.dither, sampleRate, analyze: opts.json, report,
      onProgress: (f, d, t) => progress.update(f, d, t),
    });
  } catch (e) {
    // One line: `mixmaster: <session>: <path>: <message> (and N more)`.
    if (e instanceof SessionError) throw new InputError(e.file, e.message);
    throw e;
  } finally {
    progress.stop();
  }
  if (!opts.quiet) for (const w of res.warnings) io.stderr(`mixmaster: ${session}: warning: ${w.message}`);
  if (opts.json) io.stdout(JSON.stringify({ output: res.output, settings: res.settings }, null, 2));
  else if (!opts.quiet) {
    const s = res.settings;
    io.stdout(`wrote ${s.output}: ${s.tracks} tracks, ${s.buses} buses, ${s.durationSeconds.toFixed(2)} s at ${s.sampleRate} Hz (${s.format}), latency ${s.latencyFrames} frames compensated`);
    if (res.output) io.stdout(formatAnalysis(res.output));
  }
  return 0;
}
