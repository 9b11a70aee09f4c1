/** `mixmaster analyze <file>... [--json] [--album] [--strict] [--series] [--report <file.html>]` */
import { extname } from 'node:path';
import { analyzeFiles } from '../../api/analyze-files.js';
import { UsageError } from '../cli-error.js';
import { formatAnalysis } from '../format-analysis.js';
import { createProgress } from '../progress.js';
import type { CommonOptions, CommandIO } from '../command-io.js';

export interface AnalyzeCliOptions extends CommonOptions {
  json?: boolean;
  album?: boolean;
  strict?: boolean;
  series?: boolean;
  report?: string;
}

/** Validates --report (usage error otherwise): the report is one HTML file. */
export function parseReport(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const ext = extname(v).toLowerCase();
  if (ext !== '.html' && ext !== '.htm') throw new UsageError(`--report must name an .html file (got ${v})`);
  return v;
}

export async function analyzeCommand(files: string[], opts: AnalyzeCliOptions, io: CommandIO): Promise<number> {
  const report = parseReport(opts.report);
  const progress = createProgress({ quiet: opts.quiet, items: files.length });
  let out;
  try {
    out = await analyzeFiles(files, {
      strict: opts.strict, series: opts.series, album: opts.album, report, force: opts.force,
      onProgress: (f, d, t) => progress.update(f, d, t),
    });
  } finally {
    progress.stop();
  }
  if (opts.json) {
    const body = opts.album ? { files: out.results, album: out.album } : files.length === 1 ? out.results[0] : out.results;
    io.stdout(JSON.stringify(body, null, 2));
  } else {
    io.stdout(out.results.map(formatAnalysis).join('\n\n'));
    if (out.album) {
      const a = out.album;
      io.stdout(`\nAlbum (${files.length} files): ${a.integratedLufs === null ? '—' : a.integratedLufs.toFixed(1) + ' LUFS'} integrated, ` +
        `${a.loudnessRangeLu === null ? '—' : a.loudnessRangeLu.toFixed(1) + ' LU'} loudness range`);
    }
  }
  // Warnings go to stderr as well, once per file, so scripts reading JSON still see them.
  if (!opts.quiet && opts.json) for (const r of out.results) for (const w of r.warnings) io.stderr(`mixmaster: ${r.file}: warning: ${w.message}`);
  return 0;
}
