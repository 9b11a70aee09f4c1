import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFileError } from '../../src/io/audio-reader.js';
import { checkOutputPath } from '../../src/io/output-path.js';
import { tempDir } from './wav-fixtures.js';

const tmp = tempDir('mixmaster-outpath-');
afterAll(() => tmp.cleanup());

const input = join(tmp.dir, 'in.wav');
writeFileSync(input, 'x');
mkdirSync(join(tmp.dir, 'sub'));

async function failure(output: string, inputs: string[], force: boolean): Promise<AudioFileError | null> {
  try {
    await checkOutputPath(output, inputs, force);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(AudioFileError);
    return e as AudioFileError;
  }
}

describe('checkOutputPath', () => {
  it('accepts a new output', async () => {
    expect(await failure(join(tmp.dir, 'new.wav'), [input], false)).toBeNull();
  });

  it('refuses the same file as an input, even with force, however it is spelled', async () => {
    const link = join(tmp.dir, 'link.wav');
    symlinkSync(input, link);
    const hard = join(tmp.dir, 'hard.wav');
    linkSync(input, hard);
    const spellings = [
      input,
      join(tmp.dir, 'sub', '..', 'in.wav'),
      relative(process.cwd(), input),
      link, // symlink to the input
      hard, // hard link: same inode
    ];
    for (const output of spellings) {
      for (const force of [false, true]) {
        const err = await failure(output, [join(tmp.dir, 'other.wav'), input], force);
        expect(err?.message).toBe('output is the same file as an input');
        expect(err?.file).toBe(output);
      }
    }
    // The input given through a symlinked directory.
    const dirLink = join(tmp.dir, 'dirlink');
    symlinkSync(tmp.dir, dirLink);
    expect((await failure(input, [join(dirLink, 'in.wav')], true))?.message).toBe('output is the same file as an input');
  });

  it('refuses, before any work, an output whose folder is missing or a file, and a folder as the output', async () => {
    expect((await failure(join(tmp.dir, 'missing', 'out.wav'), [input], true))?.message).toBe('cannot create output: directory does not exist');
    expect((await failure(join(input, 'out.wav'), [], true))?.message).toMatch(/is not a directory/);
    expect((await failure(join(tmp.dir, 'sub'), [input], true))?.message).toBe('is a directory');
  });

  it('refuses an existing output without force, accepts it with force', async () => {
    const existing = join(tmp.dir, 'exists.wav');
    writeFileSync(existing, 'y');
    const err = await failure(existing, [input], false);
    expect(err?.message).toBe('output exists (use --force to overwrite)');
    expect(await failure(existing, [input], true)).toBeNull();
  });
});
