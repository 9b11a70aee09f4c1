/** `mixmaster import <project.dawproject> -o <dir> [--force] [--json]`: a DAWproject as a session + audio. */
import { importDawProject } from '../../api/import-dawproject.js';
import { UsageError } from '../cli-error.js';
import type { CommonOptions, CommandIO } from '../command-io.js';

export interface ImportCliOptions extends CommonOptions {
  output?: string;
  json?: boolean;
}

export async function importCommand(project: string, opts: ImportCliOptions, io: CommandIO): Promise<number> {
  if (!opts.output) throw new UsageError('import needs an output folder: -o <dir>');
  const res = await importDawProject(project, opts.output, { force: opts.force });
  if (!opts.quiet) for (const w of res.warnings) io.stderr(`mixmaster: ${project}: warning: ${w.message}`);
  if (opts.json) {
    io.stdout(JSON.stringify({
      session: res.sessionPath, tracks: res.tracks, buses: res.buses, audioFiles: res.audioFiles, tempoBpm: res.tempoBpm, warnings: res.warnings,
    }, null, 2));
    return 0;
  }
  if (!opts.quiet) {
    io.stdout(`wrote ${res.sessionPath}: ${res.tracks} track${res.tracks === 1 ? '' : 's'}, ${res.buses} bus${res.buses === 1 ? '' : 'es'}, ${res.audioFiles.length} audio file${res.audioFiles.length === 1 ? '' : 's'}, ${res.warnings.length} warning${res.warnings.length === 1 ? '' : 's'}`);
    io.stdout(`render it with: mixmaster mix ${res.sessionPath} -o mix.wav`);
  }
  return 0;
}
