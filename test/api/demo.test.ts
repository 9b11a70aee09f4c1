import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/api/demo.js';

describe('runDemo', () => {
  it('without a folder: automixes and masters in a temp folder, twice in a row, keeping nothing', async () => {
    const a = await runDemo({ seconds: 4 });
    const b = await runDemo({ seconds: 4 });
    expect(a.written).toEqual([]);
    expect(a.stems.map((s) => s.role.role)).toEqual(['kick', 'snare', 'hat', 'bass', 'chords', 'lead']);
    expect(a.master.integratedLufs).not.toBeNull();
    expect(Math.abs(a.master.integratedLufs! + 14)).toBeLessThan(0.5);
    expect(a.master.truePeakDbtp!).toBeLessThanOrEqual(-1 + 0.05);
    // Deterministic.
    expect(b.analysis.integratedLufs).toBe(a.analysis.integratedLufs);
  }, 60000);

  it('with a folder: writes stems, session, mix and master; refuses to overwrite without force', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-'));
    try {
      const r = await runDemo({ outDir: dir, seconds: 3 });
      expect((await readdir(dir)).sort()).toEqual(['master.wav', 'mix.wav', 'session.yaml', 'stems']);
      expect(r.written.length).toBe(9);
      await expect(runDemo({ outDir: dir, seconds: 3 })).rejects.toThrow(/exists/);
      await runDemo({ outDir: dir, seconds: 3, force: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60000);
});
