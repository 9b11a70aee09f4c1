/** `mixmaster process <in> -o <out> --chain <chain.yaml|json> [--json] [--bit-depth 16|24|32f]` */
import { processFile } from '../../api/process-file.js';
import { formatAnalysis } from '../format-analysis.js';
import { createProgress } from '../progress.js';
import { UsageError } from '../cli-error.js';
import type { CommonOptions, CommandIO } from '../command-io.js';
import type { BitDepth } from '../../api/output-format.js';

export interface ProcessCliOptions extends CommonOptions {
  output?: string;
  chain?: string;
  json?: boolean;
  strict?: boolean;
  bitDepth?: string;
  /** false with --no-dither (commander's negated option). */
  dither?: boolean;
  sampleRate?: string;
  threads?: string;
}

/** Validates --threads: `1` (one thread) or `auto` (default: the chain split over spare cores). */
export function parseThreads(v: string | undefined): false | undefined {
  if (v === undefined || v === 'auto') return undefined;
  if (v === '1') return false;
  throw new UsageError(`--threads must be 1 or auto (got ${v})`);
}

/** Validates --sample-rate (usage error otherwise). */
export function parseSampleRate(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 8000 || n > 384000) throw new UsageError(`--sample-rate must be a whole number of Hz from 8000 to 384000 (got ${v})`);
  return n;
}

/** Validates --bit-depth (usage error otherwise). */
export function parseBitDepth(v: string | undefined): BitDepth | undefined {
  if (v === undefined) return undefined;
  if (v === '16' || v === '24' || v === '32f') return v;
  throw new UsageError(`--bit-depth must be 16, 24 or 32f (got ${v})`);
}

export async function processCommand(input: string, opts: ProcessCliOptions, io: CommandIO): Promise<number> {
  if (!opts.output) throw new UsageError('process needs an output: -o <file>');
  if (!opts.chain) throw new UsageError('process needs a chain: --chain <chain.yaml|json>');
  const progress = createProgress({ quiet: opts.quiet, items: 1 });
  let res;
  try {
    res = await processFile(input, opts.output, {
      chain: opts.chain, force: opts.force, strict: opts.strict, bitDepth: parseBitDepth(opts.bitDepth), dither: opts.dither, sampleRate: parseSampleRate(opts.sampleRate), analyze: opts.json,
      pipeline: parseThreads(opts.threads),
      onProgress: (f, d, t) => progress.update(f, d, t),
    });
  } finally {
    progress.stop();
  }
  if (!opts.quiet) for (const w of res.warnings) io.stderr(`mixmaster: ${input}: warning: ${w.message}`);
  if (opts.json) io.stdout(JSON.stringify({ input: res.input, output: res.output, settings: res.settings }, null, 2));
  else if (res.output) io.stdout(formatAnalysis(res.output));
  else if (!opts.quiet) io.stdout(`wrote ${opts.output} (${res.settings.chain.length} inserts, latency ${res.settings.latencyFrames} frames compensated)`);
  return 0;
}
