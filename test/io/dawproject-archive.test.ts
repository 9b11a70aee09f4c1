import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { AudioFileError } from '../../src/io/audio-reader.js';
import { DawProjectArchive, parseProjectXml } from '../../src/io/dawproject-archive.js';
import { buildDawProject, MASTER_TRACK, projectXml } from '../helpers/dawproject-fixtures.js';
import { tempDir } from './wav-fixtures.js';

const tmp = tempDir('dawproject-archive-');
afterAll(() => tmp.cleanup());

/** Bytes that deflate somewhat (a repeating ramp with noise), larger than the 1 MiB read slice. */
function payload(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (i & 0xff) ^ (s >>> 29);
  }
  return out;
}

async function errorOf(p: Promise<unknown>): Promise<AudioFileError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(AudioFileError); return e as AudioFileError; }
  throw new Error('expected an AudioFileError');
}

describe('DawProjectArchive', () => {
  const xml = projectXml({ structure: MASTER_TRACK });
  const big = payload(2_500_000 + 17);

  for (const level of [0, 6] as const) {
    it(`reads project.xml and extracts a large entry streaming, byte-exact (${level === 0 ? 'stored' : 'deflated'})`, async () => {
      const path = join(tmp.dir, `p${level}.dawproject`);
      writeFileSync(path, buildDawProject(xml, { 'audio/big.wav': big, './audio/small.wav': strToU8('abc') }, level));
      const a = await DawProjectArchive.open(path);
      try {
        expect(a.project.tag).toBe('Project');
        expect(a.project.attrs.version).toBe('1.0');
        expect(a.project.children.map((c) => c.tag)).toEqual(['Application', 'Transport', 'Structure', 'Arrangement']);
        expect(a.has('audio/big.wav')).toBe(true);
        expect(a.has('audio/small.wav')).toBe(true);
        expect(a.has('audio/none.wav')).toBe(false);
        const out = join(tmp.dir, `big${level}.bin`);
        await a.extractEntry('audio/big.wav', out);
        expect(Buffer.compare(readFileSync(out), Buffer.from(big))).toBe(0);
        // An existing output is refused without force.
        expect((await errorOf(a.extractEntry('audio/big.wav', out))).message).toMatch(/output exists/);
      } finally {
        await a.close();
      }
    });
  }

  it('rejects a file that is not a ZIP archive', async () => {
    const path = join(tmp.dir, 'junk.dawproject');
    writeFileSync(path, Buffer.from('this is not a zip file, just some text that is long enough'.repeat(3)));
    const e = await errorOf(DawProjectArchive.open(path));
    expect(e.file).toBe(path);
    expect(e.message).toBe('not a .dawproject file (not a ZIP archive)');
  });

  it('rejects a ZIP without project.xml, and invalid XML, in one line', async () => {
    const noProject = join(tmp.dir, 'noproj.dawproject');
    writeFileSync(noProject, zipSync({ 'metadata.xml': strToU8('<MetaData/>') }));
    expect((await errorOf(DawProjectArchive.open(noProject))).message).toBe('not a .dawproject file (no project.xml in the archive)');
    const badXml = join(tmp.dir, 'badxml.dawproject');
    writeFileSync(badXml, zipSync({ 'project.xml': strToU8('<Project version="1.0"><Structure></Project>') }));
    const e = await errorOf(DawProjectArchive.open(badXml));
    expect(e.message).toMatch(/^project\.xml is not valid XML \(line 1: /);
    expect(e.message).not.toContain('\n');
  });

  it('detects corrupt entry data (CRC) and leaves no output behind', async () => {
    const path = join(tmp.dir, 'corrupt.dawproject');
    const data = payload(5000);
    const zip = buildDawProject(xml, { 'audio/x.wav': data }, 0);
    // Stored entry: find the payload in the archive and flip one byte of it.
    const at = Buffer.from(zip).indexOf(Buffer.from(data.subarray(0, 64)));
    expect(at).toBeGreaterThan(0);
    zip[at + 100] ^= 0xff;
    writeFileSync(path, zip);
    const a = await DawProjectArchive.open(path);
    const outDir = join(tmp.dir, 'corrupt-out');
    try {
      await import('node:fs/promises').then((fs) => fs.mkdir(outDir));
      const e = await errorOf(a.extractEntry('audio/x.wav', join(outDir, 'x.wav')));
      expect(e.message).toMatch(/"audio\/x\.wav": corrupt data/);
      expect(readdirSync(outDir)).toEqual([]);
    } finally {
      await a.close();
    }
  });

  it('a missing file is one line naming it', async () => {
    const e = await errorOf(DawProjectArchive.open(join(tmp.dir, 'nope.dawproject')));
    expect(e.message).toBe('no such file');
    expect(existsSync(join(tmp.dir, 'nope.dawproject'))).toBe(false);
  });
});

describe('parseProjectXml', () => {
  it('keeps document order across element types, attributes as strings, entities decoded', () => {
    const root = parseProjectXml('<?xml version="1.0"?><Project version="1.0"><A n="x &amp; y"/><B/><A n="2"><C v="0.50"/></A></Project>', 'f');
    expect(root.children.map((c) => c.tag)).toEqual(['A', 'B', 'A']);
    expect(root.children[0].attrs.n).toBe('x & y');
    expect(root.children[2].children[0].attrs.v).toBe('0.50');
  });
});
