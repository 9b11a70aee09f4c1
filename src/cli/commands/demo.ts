/** `mixmaster demo [-o dir]`: the main job on built-in material. */
import { runDemo } from '../../api/index.js';
import { formatAnalysis } from '../format-analysis.js';
import type { CommonOptions, CommandIO } from '../command-io.js';

export async function demoCommand(opts: CommonOptions & { output?: string; json?: boolean }, io: CommandIO): Promise<number> {
  const res = await runDemo({ outDir: opts.output, force: opts.force });
  if (opts.json) {
    io.stdout(JSON.stringify({ output: res.analysis, written: res.written }, null, 2));
    return 0;
  }
  io.stdout('mixmaster demo: a built-in 12 s song (kick, snare, hats, bass, chords, lead), summed and analyzed.\n');
  io.stdout(formatAnalysis(res.analysis));
  if (res.written.length) io.stdout(`\nwrote ${res.written.join(', ')}`);
  else io.stdout('\n(add -o <dir> to write the audio)');
  return 0;
}
