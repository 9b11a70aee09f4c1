/**
 * Report files (`--report <file.html>`): checked before any work like every other output (an existing
 * file is refused without --force, an input is never overwritten), written atomically at the end.
 */
import { extname, resolve } from 'node:path';
import { AudioFileError } from '../io/audio-reader.js';
import { createAtomicFile, ioError } from '../io/atomic-file.js';
import { checkOutputPath } from '../io/output-path.js';

/** Extensions a report may have: it is one HTML file. */
const REPORT_EXTENSIONS = ['.html', '.htm'];

/**
 * Refuses a report path before any work: not .html/.htm, the same path as an output, an input, or an
 * existing file without `force`.
 * @param inputs files read by the command (never overwritten)
 * @param outputs files the command writes (the report must not be one of them)
 * @throws AudioFileError
 */
export async function checkReportPath(report: string, inputs: string[], outputs: string[], force: boolean): Promise<void> {
  if (!REPORT_EXTENSIONS.includes(extname(report).toLowerCase())) {
    throw new AudioFileError(report, `a report is an HTML file: name it .html (got ${extname(report) || 'no extension'})`, 'usage');
  }
  for (const o of outputs) {
    if (resolve(o) === resolve(report)) throw new AudioFileError(report, 'the report would overwrite the audio output', 'usage');
  }
  await checkOutputPath(report, inputs, force);
}

/** Writes `html` to `path` through a temp file beside it, renamed at the end (nothing partial is left). */
export async function writeReport(path: string, html: string, force: boolean): Promise<void> {
  const file = await createAtomicFile(path, { force });
  try {
    await file.handle.writeFile(html, 'utf8');
  } catch (err) {
    await file.abort();
    throw ioError(path, err, 'cannot write report');
  }
  await file.commit();
}
