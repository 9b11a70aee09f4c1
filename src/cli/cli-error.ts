/** Errors the CLI turns into one line on stderr and an exit code (shared/DESIGN.md "The CLI contract"). */
import { AudioFileError } from '../api/errors.js';

/** Exit codes: 0 success, 1 bad input data or processing failure, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_DATA = 1;
export const EXIT_USAGE = 2;

/** A usage error: bad flags or arguments (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An input-validation error about a file (session, chain) at a path inside it (exit 1 unless said otherwise). */
export class InputError extends Error {
  constructor(public readonly file: string | null, message: string, public readonly exitCode = EXIT_DATA) {
    super(message);
    this.name = 'InputError';
  }
}

/** The one line printed for an error, and its exit code. */
export function describeError(err: unknown): { line: string; exitCode: number } {
  if (err instanceof UsageError) return { line: `mixmaster: ${err.message}`, exitCode: EXIT_USAGE };
  // The library marks option errors it finds (an unknown preset, --role for no stem...) with code 'usage'.
  if (err instanceof AudioFileError) return { line: `mixmaster: ${err.file}: ${err.message}`, exitCode: err.code === 'usage' ? EXIT_USAGE : EXIT_DATA };
  if (err instanceof InputError) {
    return { line: err.file ? `mixmaster: ${err.file}: ${err.message}` : `mixmaster: ${err.message}`, exitCode: err.exitCode };
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.path === 'string') {
    const what = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.code === 'ENOSPC' ? 'no space left on device' : e.message;
    return { line: `mixmaster: ${e.path}: ${what}`, exitCode: EXIT_DATA };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { line: `mixmaster: ${msg.split('\n')[0]}`, exitCode: EXIT_DATA };
}
