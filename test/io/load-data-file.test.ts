import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataFile } from '../../src/io/load-data-file.js';
import { tempDir } from './wav-fixtures.js';

const tmp = tempDir('mixmaster-data-file-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

describe('loadDataFile', () => {
  it('reads JSON and YAML with a byte-order mark (as Windows editors save them)', async () => {
    const data = { tracks: [{ name: 'a', file: 'a.wav' }] };
    expect(await loadDataFile(file('bom.json', `\uFEFF${JSON.stringify(data)}`))).toEqual(data);
    expect(await loadDataFile(file('bom.yaml', '\uFEFFtracks:\n  - { name: a, file: a.wav }\n'))).toEqual(data);
  });

  it('YAML merge keys share settings between entries; the later keys win', async () => {
    const yaml = 'tracks:\n  - &t { name: a, file: a.wav, gainDb: -6 }\n  - { <<: *t, name: b }\n';
    expect(await loadDataFile(file('merge.yaml', yaml))).toEqual({ tracks: [{ name: 'a', file: 'a.wav', gainDb: -6 }, { name: 'b', file: 'a.wav', gainDb: -6 }] });
  });

  it('bad syntax is one error naming the file and the format', async () => {
    await expect(loadDataFile(file('bad.json', '{"tracks": ['))).rejects.toThrow(/not valid JSON/);
    await expect(loadDataFile(file('bad.yaml', 'tracks: [a, b\n'))).rejects.toThrow(/not valid YAML/);
  });
});
