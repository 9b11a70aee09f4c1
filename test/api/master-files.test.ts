import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { masterFiles } from '../../src/api/master-files.js';
import { Analyzer } from '../../src/core/analysis/analyzer.js';
import type { AnalysisResult } from '../../src/core/analysis/analysis-result.js';
import { mixDemoStems, synthesizeDemoStems } from '../../src/core/synth/demo-song.js';
import { createWavWriter } from '../../src/io/wav-writer.js';
import { loadEbur128Wasm } from '../helpers/ebur128-oracle.js';
import { readAudioFile } from '../helpers/read-audio.js';

const FS = 48000;
let dir = '';
let oracle: (fs: number, ch: Float32Array[]) => number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-master-'));
  oracle = await loadEbur128Wasm();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rng(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296 - 0.5; };
}

async function writeWav(name: string, ch: Float32Array[]): Promise<string> {
  const p = join(dir, name);
  const w = await createWavWriter(p, { sampleRate: FS, channels: ch.length, format: 'float32', force: true });
  await w.write(ch, ch[0].length);
  await w.close();
  return p;
}

async function readAll(p: string): Promise<{ ch: Float32Array[]; fs: number }> {
  const a = await readAudioFile(p);
  return { ch: a.channels, fs: a.sampleRate };
}

function analyse(ch: Float32Array[], fs: number): AnalysisResult {
  const a = new Analyzer({ sampleRate: fs, channels: ch.length, series: false });
  a.push(ch, ch[0].length);
  return a.result();
}

/** Noise with a 2 Hz envelope, stereo, around `amp` rms. */
function noiseProgramme(seconds: number, amp: number, seed: number): Float32Array[] {
  const r = rng(seed);
  const n = seconds * FS;
  const l = new Float32Array(n), rr = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const env = 0.6 + 0.4 * Math.sin((2 * Math.PI * 2 * i) / FS);
    const c = r();
    l[i] = amp * env * (c + 0.5 * r()) * 2;
    rr[i] = amp * env * (c + 0.5 * r()) * 2;
  }
  return [l, rr];
}

/** Kick-like decaying bursts every 0.5 s over quiet noise: a high-PLR programme. */
function drumProgramme(seconds: number): Float32Array[] {
  const r = rng(3);
  const n = seconds * FS;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = (i % (FS / 2)) / FS;
    x[i] = 0.9 * Math.exp(-t * 25) * Math.sin(2 * Math.PI * (50 + 80 * Math.exp(-t * 30)) * t) + 0.01 * r();
  }
  return [x, Float32Array.from(x)];
}

async function checkLanding(name: string, input: Float32Array[], target: number, ceiling: number): Promise<void> {
  const src = await writeWav(`${name}.wav`, input);
  const out = join(dir, `${name}-m.wav`);
  const [res] = await masterFiles([src], { output: out, targetLufs: target, ceilingDbtp: ceiling });
  const { ch, fs } = await readAll(out);
  const m = analyse(ch, fs);
  expect(Math.abs((m.integratedLufs as number) - target)).toBeLessThanOrEqual(0.1);
  expect(m.truePeakDbtp as number).toBeLessThanOrEqual(ceiling);
  // Second, independent measurement (ebur128-wasm, a port of libebur128).
  expect(Math.abs(oracle(fs, ch) - target)).toBeLessThanOrEqual(0.1);
  expect(ch[0].length).toBe(input[0].length);
  expect(res.settings.search?.converged).toBe(true);
}

describe('masterFiles: loudness lands on target, true peak under the ceiling', () => {
  it('quiet noise programme to -14 LUFS / -1 dBTP', () => checkLanding('noise', noiseProgramme(3, 0.02, 1), -14, -1), 30000);
  it('demo song to -9 LUFS / -0.3 dBTP (cd preset values: heavy limiting)', () => {
    const mix = mixDemoStems(synthesizeDemoStems({ sampleRate: FS, seconds: 4 }));
    return checkLanding('demo', mix.channels, -9, -0.3);
  }, 30000);
  it('drum bursts (high PLR) to -16 LUFS / -2 dBTP', () => checkLanding('drums', drumProgramme(3), -16, -2), 30000);
});

describe('masterFiles: bad input and limits', () => {
  it('leaves digital silence silent', async () => {
    const src = await writeWav('silence.wav', [new Float32Array(FS), new Float32Array(FS)]);
    const [res] = await masterFiles([src], { output: join(dir, 'silence-m.wav') });
    const { ch } = await readAll(join(dir, 'silence-m.wav'));
    expect(ch.every((c) => c.every((v) => v === 0))).toBe(true);
    expect(res.warnings.map((w) => w.code)).toContain('silent');
  });

  it('refuses a programme shorter than 400 ms', async () => {
    const src = await writeWav('short.wav', noiseProgramme(1, 0.1, 2).map((c) => c.slice(0, 0.3 * FS)));
    await expect(masterFiles([src], { output: join(dir, 'short-m.wav') })).rejects.toThrow(/too short/);
  });

  it('several inputs: refuses an output named like a file, and removes the folder it made when the run fails', async () => {
    const { existsSync } = await import('node:fs');
    const a = await writeWav('batch-a.wav', noiseProgramme(1, 0.1, 8));
    const short = await writeWav('batch-short.wav', noiseProgramme(1, 0.1, 9).map((c) => c.slice(0, 0.3 * FS)));
    await expect(masterFiles([a, a], { output: join(dir, 'two.wav') })).rejects.toThrow(/names a file \(give a folder\)/);
    expect(existsSync(join(dir, 'two.wav'))).toBe(false);
    await expect(masterFiles([a, short], { output: join(dir, 'batch-out') })).rejects.toThrow(/too short/);
    expect(existsSync(join(dir, 'batch-out'))).toBe(false);
  });

  it('reaches a quiet target far below the input (more than 24 dB down), and refuses one under -60 LUFS', async () => {
    const src = await writeWav('hot.wav', noiseProgramme(3, 0.3, 10));
    const [res] = await masterFiles([src], { output: join(dir, 'hot-quiet.wav'), targetLufs: -55 });
    expect((res.input.integratedLufs as number) + 55).toBeGreaterThan(30);
    expect(Math.abs((res.output.integratedLufs as number) + 55)).toBeLessThanOrEqual(0.1);
    await expect(masterFiles([src], { output: join(dir, 'hot-65.wav'), targetLufs: -65 })).rejects.toThrow(/outside -60\.\.0/);
  }, 30000);

  it('removes a DC offset first (a 10 Hz high-pass): on target, under the ceiling, the offset gone and reported', async () => {
    const src = await writeWav('dc.wav', noiseProgramme(3, 0.05, 11).map((c) => c.map((v) => v + 0.05)));
    const [res] = await masterFiles([src], { output: join(dir, 'dc-m.wav'), targetLufs: -14, ceilingDbtp: -1 });
    expect(Math.min(...res.input.dcOffset)).toBeGreaterThan(0.04);
    expect(Math.max(...res.output.dcOffset.map(Math.abs))).toBeLessThan(0.002);
    expect(Math.abs((res.output.integratedLufs as number) + 14)).toBeLessThanOrEqual(0.1);
    expect(res.output.truePeakDbtp as number).toBeLessThanOrEqual(-1);
    expect(res.warnings.map((w) => w.code)).toContain('dc-offset');
    expect(res.settings.chain[0]).toEqual({ type: 'eq', bands: [{ type: 'highpass', freqHz: 10, slopeDbPerOct: 12 }] });
  }, 30000);

  it('refuses more than 30 dB of gain unless forced', async () => {
    const src = await writeWav('faint.wav', noiseProgramme(3, 0.0065, 4)); // ≈ -45 LUFS: 31 dB short of -14
    const out = join(dir, 'faint-m.wav');
    await expect(masterFiles([src], { output: out, targetLufs: -14 })).rejects.toThrow(/more than 30 dB/);
    const [res] = await masterFiles([src], { output: out, targetLufs: -14, force: true });
    expect(Math.abs((res.output.integratedLufs as number) + 14)).toBeLessThanOrEqual(0.1);
  }, 30000);

  it('mono and 5.1 are mastered as they are (same channel count, on target); NaN/Inf input is zeroed and reported', async () => {
    const [l, r] = noiseProgramme(4, 0.02, 6);
    const cases: [string, Float32Array[]][] = [
      ['mono', [l]],
      // 5.1 (L R C LFE Ls Rs): BS.1770 weights, the LFE excluded from loudness but still processed.
      ['surround', [l, r, Float32Array.from(l, (v, i) => 0.5 * (v + r[i])), Float32Array.from(l, (v) => 0.3 * v), r, l]],
    ];
    for (const [name, ch] of cases) {
      const src = await writeWav(`${name}.wav`, ch);
      const out = join(dir, `${name}-m.wav`);
      const [res] = await masterFiles([src], { output: out, targetLufs: -16, ceilingDbtp: -1 });
      const back = await readAll(out);
      expect(back.ch.length).toBe(ch.length);
      expect(back.ch[0].length).toBe(ch[0].length);
      expect(Math.abs((res.output.integratedLufs as number) + 16)).toBeLessThanOrEqual(0.1);
      expect(res.output.truePeakDbtp as number).toBeLessThanOrEqual(-1);
    }
    const bad = noiseProgramme(4, 0.02, 7);
    bad[0][1000] = NaN;
    bad[1][90000] = Infinity;
    const src = await writeWav('nan.wav', bad);
    const out = join(dir, 'nan-m.wav');
    const [res] = await masterFiles([src], { output: out, targetLufs: -16, ceilingDbtp: -1 });
    expect(res.input.nonFiniteSamples).toBe(2);
    expect(res.warnings.map((w) => w.code)).toContain('non-finite');
    const back = await readAll(out);
    expect(back.ch.every((c) => c.every((v) => Number.isFinite(v)))).toBe(true);
    expect(Math.abs((res.output.integratedLufs as number) + 16)).toBeLessThanOrEqual(0.1);
  }, 60000);

  it('with gain only (no limiting needed), the loudness range is kept within 1 LU', async () => {
    // 4 s at one level, 4 s 8 dB lower: an LRA of several LU; -23 LUFS needs no limiting.
    const a = noiseProgramme(8, 0.02, 5);
    for (const c of a) for (let i = 4 * FS; i < c.length; i++) c[i] *= 0.4;
    const src = await writeWav('lra.wav', a);
    const [res] = await masterFiles([src], { output: join(dir, 'lra-m.wav'), preset: 'ebu-r128', eq: false, multiband: false, resonance: false });
    expect(Math.abs((res.output.loudnessRangeLu as number) - (res.input.loudnessRangeLu as number))).toBeLessThanOrEqual(1);
    expect(Math.abs((res.output.integratedLufs as number) + 23)).toBeLessThanOrEqual(0.1);
  }, 30000);
});

describe('masterFiles: heavy limiting', () => {
  it('a loud target that needs more than 3 dB of limiting engages the clipper: on target, under the ceiling, and less loudness range lost', async () => {
    // The demo song with its second half 6 dB lower (an LRA of several LU), pushed to -9 LUFS with gain
    // and limiting only: the limiter alone needs about 10 dB of gain reduction.
    const a = mixDemoStems(synthesizeDemoStems({ sampleRate: FS, seconds: 12 })).channels;
    for (const c of a) for (let i = 6 * FS; i < c.length; i++) c[i] *= 0.5;
    const src = await writeWav('loud.wav', a);
    const base = { targetLufs: -9, ceilingDbtp: -0.3, eq: false, multiband: false, resonance: false } as const;
    const [clip] = await masterFiles([src], { ...base, output: join(dir, 'loud-m.wav') });
    const [lim] = await masterFiles([src], { ...base, output: join(dir, 'loud-l.wav'), maximiser: false });
    expect(clip.settings.maximiser?.trigger.kind).toBe('heavy-limiting');
    expect(clip.warnings.map((w) => w.code)).toContain('loudness-maximiser');
    expect(lim.settings.maximiser).toBeNull();
    for (const [res, file] of [[clip, 'loud-m.wav'], [lim, 'loud-l.wav']] as const) {
      const { ch, fs } = await readAll(join(dir, file));
      const m = analyse(ch, fs);
      expect(Math.abs((m.integratedLufs as number) + 9)).toBeLessThanOrEqual(0.1);
      expect(m.truePeakDbtp as number).toBeLessThanOrEqual(-0.3);
      expect(res.settings.search?.converged).toBe(true);
    }
    const lost = (r: typeof clip): number => (r.input.loudnessRangeLu as number) - (r.output.loudnessRangeLu as number);
    console.log(`heavy limiting: LRA lost ${lost(lim).toFixed(2)} LU with the limiter alone (GR ${lim.settings.limiter?.maxGainReductionDb} dB), ${lost(clip).toFixed(2)} LU with the clipper (GR ${clip.settings.limiter?.maxGainReductionDb} dB)`);
    expect(lost(clip)).toBeLessThan(lost(lim) - 0.5);
    expect(clip.settings.limiter!.maxGainReductionDb!).toBeLessThan(lim.settings.limiter!.maxGainReductionDb!);
  }, 90000);
});

describe('masterFiles: album mode', () => {
  it('keeps the songs\' level differences, the loudest on the target', async () => {
    const loud = await writeWav('song-a.wav', noiseProgramme(3, 0.03, 6));
    const quiet = await writeWav('song-b.wav', noiseProgramme(3, 0.012, 7));
    const outDir = join(dir, 'album');
    const res = await masterFiles([loud, quiet], { output: outDir, album: true, targetLufs: -14, ceilingDbtp: -1 });
    const inDiff = (res[0].input.integratedLufs as number) - (res[1].input.integratedLufs as number);
    const outs = await Promise.all(['song-a.wav', 'song-b.wav'].map((f) => readAll(join(outDir, f))));
    const l = outs.map((o) => analyse(o.ch, o.fs).integratedLufs as number);
    expect(Math.abs(l[0] + 14)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(l[0] - l[1] - inDiff)).toBeLessThanOrEqual(0.2);
    expect(res[0].settings.album?.offsetDb).toBeCloseTo(-14 - (res[0].input.integratedLufs as number), 1);
  }, 40000);
});

