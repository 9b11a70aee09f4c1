/** `mixmaster analyze <file>... [--json] [--album] [--strict] [--series]` */
import { analyzeFiles } from '../../api/analyze-files.js';
import { formatAnalysis } from '../format-analysis.js';
import { createProgress } from '../progress.js';
import type { CommonOptions, CommandIO } from '../command-io.js';

export interface AnalyzeCliOptions extends CommonOptions {
  json?: boolean;
  album?: boolean;
  strict?: boolean;
  series?: boolean;
}

export async function analyzeCommand(files: string[], opts: AnalyzeCliOptions, io: CommandIO): Promise<number> {
  const progress = createProgress({ quiet: opts.quiet, items: files.length });
  let out;
  try {
    out = await analyzeFiles(files, { strict: opts.strict, series: opts.series, album: opts.album, onProgress: (f, d, t) => progress.update(f, d, t) });
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
