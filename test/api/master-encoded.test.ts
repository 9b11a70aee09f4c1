import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { masterFiles } from '../../src/api/master-files.js';
import { Analyzer } from '../../src/core/analysis/analyzer.js';
import { openAudio } from '../../src/io/open-audio.js';
import { createWavWriter } from '../../src/io/wav-writer.js';

const FS = 44100;
const dir = mkdtempSync(join(tmpdir(), 'mm-master-enc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Band-limited (two-pole smoothed) noise with a 2 Hz envelope: music-like spectrum falling above a few kHz. */
function programme(seconds: number): Float32Array[] {
  let s = 11;
  const rnd = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296 - 0.5; };
  const n = seconds * FS;
  return [0, 1].map(() => {
    const x = new Float32Array(n);
    let y1 = 0, y2 = 0;
    for (let i = 0; i < n; i++) {
      y1 += 0.3 * (rnd() - y1);
      y2 += 0.3 * (y1 - y2);
      x[i] = 0.3 * (0.6 + 0.4 * Math.sin((2 * Math.PI * 2 * i) / FS)) * y2;
    }
    return x;
  });
}

async function measureFile(p: string) {
  const r = await openAudio(p);
  const a = new Analyzer({ sampleRate: r.info.sampleRate, channels: r.info.channels, series: false });
  for (;;) { const b = await r.read(65536); if (!b) break; a.push(b, b[0].length); }
  await r.close();
  return a.result();
}

describe('masterFiles: encoded outputs (decoded with our decoders)', () => {
  it('FLAC and MP3 land on the target; the decoded MP3 stays under the ceiling', async () => {
    const src = join(dir, 'enc.wav');
    const w = await createWavWriter(src, { sampleRate: FS, channels: 2, format: 'float32' });
    const x = programme(3);
    await w.write(x, x[0].length);
    await w.close();
    for (const ext of ['flac', 'mp3']) {
      const out = join(dir, `enc-m.${ext}`);
      const [res] = await masterFiles([src], { output: out, targetLufs: -14, ceilingDbtp: -1, bitDepth: '16' });
      const m = await measureFile(out);
      expect(Math.abs((m.integratedLufs as number) + 14)).toBeLessThanOrEqual(0.1);
      expect(m.truePeakDbtp as number).toBeLessThanOrEqual(-1);
      expect(res.settings.format).toBe(ext);
      expect(m.sampleRate).toBe(FS);
    }
  }, 60000);

  it('refuses FLAC with float samples before doing any work', async () => {
    await expect(masterFiles([join(dir, 'enc.wav')], { output: join(dir, 'x.flac'), bitDepth: '32f' })).rejects.toThrow(/FLAC holds integer/);
  });
});
