/**
 * The output-path guard every command runs before any work (shared/DESIGN.md "Bad input"): an output
 * that is one of the inputs is refused even with --force, an existing output is refused without it.
 */
import type { Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AudioFileError } from './audio-reader.js';
import { ioError, OUTPUT_EXISTS } from './atomic-file.js';

/** The canonical path of `p`: realpath when it exists, else realpath of its directory + its name. */
async function canonical(p: string): Promise<string> {
  const abs = resolve(p);
  try {
    return await realpath(abs);
  } catch {
    try {
      return join(await realpath(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

async function identity(p: string): Promise<{ dev: bigint; ino: bigint } | null> {
  try {
    const st = await stat(p, { bigint: true });
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

/**
 * Refuses an output path that would destroy an input or overwrite a file unasked.
 * Compares canonical paths (symlinks resolved) and, when both exist, device + inode (hard links,
 * case-insensitive file systems).
 * @throws AudioFileError(output, 'output is the same file as an input') | (output, 'output exists (use --force to overwrite)')
 */
export async function checkOutputPath(output: string, inputs: string[], force: boolean): Promise<void> {
  const outCanon = await canonical(output);
  const outId = await identity(output);
  for (const input of inputs) {
    let same = resolve(input) === resolve(output) || (await canonical(input)) === outCanon;
    if (!same && outId) {
      const inId = await identity(input);
      same = inId !== null && inId.dev === outId.dev && inId.ino === outId.ino;
    }
    if (same) throw new AudioFileError(output, 'output is the same file as an input', 'output-is-input');
  }
  const existing = await lstat(output).catch(() => null);
  if (existing?.isDirectory()) throw new AudioFileError(output, 'is a directory', 'io');
  if (existing && !force) throw new AudioFileError(output, OUTPUT_EXISTS, 'output-exists');
  // Its folder too, now: a long render must not find out at its end that it has nowhere to go.
  const dir = dirname(resolve(output));
  let folder: Stats;
  try {
    folder = await stat(dir);
  } catch (err) {
    throw ioError(output, err, 'cannot create output');
  }
  if (!folder.isDirectory()) throw new AudioFileError(output, `cannot create output: ${dirname(output)} is not a directory`, 'io');
}
