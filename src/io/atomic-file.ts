/**
 * Atomic output files: everything is written to a hidden temp file beside the target (same directory,
 * so the final rename stays on one file system) and only a successful commit() makes it visible under
 * the target name. A failed or aborted job never leaves a partial output.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { link, lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AudioFileError } from './audio-reader.js';

export interface AtomicFileOptions {
  /** Replace an existing target. Without it an existing target is refused before anything is written. */
  force?: boolean;
}

export interface AtomicFile {
  /** The final path. */
  readonly path: string;
  /** The hidden temp file being written (`.name.tmp-<pid>-<random>` beside the target). */
  readonly tempPath: string;
  /** Open for writing (positioned writes are fine). */
  readonly handle: FileHandle;
  /** Closes the handle and renames the temp file over the target. */
  commit(): Promise<void>;
  /** Closes the handle and removes the temp file; safe to call more than once and after a failed commit. */
  abort(): Promise<void>;
}

/** Temp files not yet committed or aborted; removed if the process exits first. */
const liveTemps = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of liveTemps) {
      try {
        unlinkSync(p);
      } catch {
        // already gone
      }
    }
  });
}

/** A file-system error as a one-line AudioFileError about `path`. */
export function ioError(path: string, err: unknown, doing: string): AudioFileError {
  if (err instanceof AudioFileError) return err;
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return new AudioFileError(path, `${doing}: directory does not exist`, 'io');
    case 'EACCES':
    case 'EPERM':
      return new AudioFileError(path, `${doing}: permission denied`, 'io');
    case 'ENOSPC':
      return new AudioFileError(path, `${doing}: no space left on device`, 'io');
    case 'EROFS':
      return new AudioFileError(path, `${doing}: read-only file system`, 'io');
    case 'ENOTDIR':
      return new AudioFileError(path, `${doing}: part of the path is a file, not a directory`, 'io');
    case 'EISDIR':
      return new AudioFileError(path, 'is a directory', 'io');
    default:
      return new AudioFileError(path, `${doing}: ${e.message ?? String(err)}`, 'io');
  }
}

export const OUTPUT_EXISTS = 'output exists (use --force to overwrite)';

async function exists(path: string): Promise<{ isDirectory: boolean } | null> {
  try {
    const st = await lstat(path);
    return { isDirectory: st.isDirectory() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw ioError(path, err, 'cannot check output');
  }
}

/**
 * Creates the temp file for `target`.
 * @throws AudioFileError 'output exists (use --force to overwrite)' | 'is a directory' | '<doing>: ...'
 */
export async function createAtomicFile(target: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
  const force = options.force ?? false;
  const existing = await exists(target);
  if (existing?.isDirectory) throw new AudioFileError(target, 'is a directory', 'io');
  if (existing && !force) throw new AudioFileError(target, OUTPUT_EXISTS, 'output-exists');
  const tempPath = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let handle: FileHandle;
  try {
    handle = await open(tempPath, 'wx');
  } catch (err) {
    throw ioError(target, err, 'cannot create output');
  }
  installExitHook();
  liveTemps.add(tempPath);
  let closed = false;
  let done = false;
  const closeHandle = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const removeTemp = async () => {
    liveTemps.delete(tempPath);
    await unlink(tempPath).catch(() => undefined);
  };
  return {
    path: target,
    tempPath,
    handle,
    async commit() {
      if (done) throw new AudioFileError(target, 'output already finished', 'io');
      done = true;
      try {
        await closeHandle();
        if (force) {
          await rename(tempPath, target);
        } else {
          // No clobbering even if the target appeared while we wrote: link() fails when it exists.
          try {
            await link(tempPath, target);
            await unlink(tempPath);
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            if (code === 'EEXIST') throw new AudioFileError(target, OUTPUT_EXISTS, 'output-exists');
            // File systems without hard links: check and rename.
            if (await exists(target)) throw new AudioFileError(target, OUTPUT_EXISTS, 'output-exists');
            await rename(tempPath, target);
          }
        }
        liveTemps.delete(tempPath);
      } catch (err) {
        await removeTemp();
        throw ioError(target, err, 'cannot write output');
      }
    },
    async abort() {
      done = true;
      try {
        await closeHandle();
      } catch {
        // closing failed: the temp file is removed anyway
      }
      await removeTemp();
    },
  };
}
