import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { automix } from '../../src/api/automix.js';
import { mixSession } from '../../src/api/mix-session.js';
import { roleSpec } from '../../src/core/mix/automix/role-table.js';
import { createWavWriter } from '../../src/io/wav-writer.js';
import { readAudioFile } from '../helpers/read-audio.js';

const FS = 48000;
const N = FS * 2;
let dir: string;

function stem(kind: number): Float32Array {
  const x = new Float32Array(N);
  let s = 1234 + kind;
  for (let i = 0; i < N; i++) {
    const t = i / FS;
    s = (s * 1664525 + 1013904223) >>> 0;
    const n = s / 2147483648 - 1;
    if (kind === 0) x[i] = 0.4 * Math.sin(2 * Math.PI * 60 * t);
    else if (kind === 1) x[i] = 0.6 * Math.exp(-((i % 12000) / FS) * 15) * Math.sin(2 * Math.PI * (55 + 60 * Math.exp(-((i % 12000) / FS) * 30)) * t);
    else if (kind === 2) x[i] = 0.1 * n * Math.exp(-((i % 6000) / FS) * 40);
    else x[i] = 0.2 * (Math.sin(2 * Math.PI * 660 * t) + 0.4 * Math.sin(2 * Math.PI * 1320 * t));
  }
  return x;
}
const NAMES = ['bass', 'kick', 'hats', 'lead'];

async function writeStems(sub: string, gains: number[]): Promise<string> {
  const d = join(dir, sub);
  for (let k = 0; k < NAMES.length; k++) {
    const x = stem(k);
    const g = Math.pow(10, gains[k] / 20);
    for (let i = 0; i < N; i++) x[i] *= g;
    const w = await createWavWriter(join(d, `${NAMES[k]}.wav`), { sampleRate: FS, channels: 1, format: 'float32' });
    await w.write([x], N);
    await w.close();
  }
  return d;
}

async function readAll(path: string): Promise<Float32Array[]> {
  return (await readAudioFile(path)).channels;
}

/** Level of (a − b) relative to a, dB. */
function nullDb(a: Float32Array[], b: Float32Array[]): number {
  let e = 0, d = 0;
  for (let c = 0; c < a.length; c++) for (let i = 0; i < a[c].length; i++) { e += a[c][i] ** 2; d += (a[c][i] - b[c][i]) ** 2; }
  return d === 0 ? -Infinity : 10 * Math.log10(d / e);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'automix-'));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dir, 'a')); await mkdir(join(dir, 'b'));
  await writeStems('a', [0, 0, 0, 0]);
  await writeStems('b', [9, -11, 6, -4]);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('automix', () => {
  it('writes a mix and a commented session; `mix` of the session re-renders the mix (null below -100 dB)', async () => {
    const res = await automix([join(dir, 'a')], { output: join(dir, 'a.wav'), sessionOut: join(dir, 'a.yaml'), bitDepth: '32f' });
    expect(res.settings.stems.map((s) => s.role.role)).toEqual(['bass', 'hat', 'kick', 'lead']);
    const yaml = await readFile(join(dir, 'a.yaml'), 'utf8');
    expect(yaml).toMatch(/file: a\/bass\.wav/);
    expect(yaml).toMatch(/# bass: role bass \(from name/);
    await mixSession(join(dir, 'a.yaml'), join(dir, 'a2.wav'), { bitDepth: '32f' });
    expect(nullDb(await readAll(join(dir, 'a.wav')), await readAll(join(dir, 'a2.wav')))).toBeLessThan(-100);
  });

  it('is invariant to input gains: scaled stems give the same mix (null below -100 dB) and gains differing by the scale', async () => {
    const a = await automix([join(dir, 'a')], { output: join(dir, 'ia.wav'), bitDepth: '32f' });
    const b = await automix([join(dir, 'b')], { output: join(dir, 'ib.wav'), bitDepth: '32f' });
    const scale: Record<string, number> = { bass: 9, kick: -11, hats: 6, lead: -4 };
    for (const n of NAMES) expect(Math.abs(b.settings.gainsDb[n] + scale[n] - a.settings.gainsDb[n])).toBeLessThan(0.02);
    // Gains are rounded to 0.01 dB in the session: the mixes agree to about -60 dB, far below audibility;
    // the trims differ by the scale up to that rounding.
    expect(nullDb(await readAll(join(dir, 'ia.wav')), await readAll(join(dir, 'ib.wav')))).toBeLessThan(-55);
  });

  it('takes AIFF stems from a folder: the same samples as AIFF-C float give the same gains as the WAVs', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const d = join(dir, 'aiff');
    await mkdir(d);
    for (let k = 0; k < NAMES.length; k++) {
      const x = stem(k);
      // AIFF-C 'fl32', big-endian: FORM, FVER, COMM (1 channel, N frames, 32 bits, 48000 Hz as 80-bit
      // extended: 0x400E BB80 0000 0000 0000, then the type), SSND.
      const comm = [0, 1, N >>> 24, (N >>> 16) & 255, (N >>> 8) & 255, N & 255, 0, 32, 0x40, 0x0e, 0xbb, 0x80, 0, 0, 0, 0, 0, 0, ...Buffer.from('fl32'), 0, 0];
      const data = Buffer.alloc(8 + 4 * N);
      for (let i = 0; i < N; i++) data.writeFloatBE(x[i], 8 + 4 * i);
      const chunk = (id: string, body: Uint8Array) => { const h = Buffer.alloc(8); h.write(id, 'latin1'); h.writeUInt32BE(body.length, 4); return Buffer.concat([h, body]); };
      const body = Buffer.concat([Buffer.from('AIFC'), chunk('FVER', Buffer.from([0xa2, 0x80, 0x51, 0x40])), chunk('COMM', Buffer.from(comm)), chunk('SSND', data)]);
      const form = Buffer.alloc(8);
      form.write('FORM', 'latin1');
      form.writeUInt32BE(body.length, 4);
      await writeFile(join(d, `${NAMES[k]}${k === 3 ? '.aifc' : k === 2 ? '.aif' : '.aiff'}`), Buffer.concat([form, body]));
    }
    const a = await automix([join(dir, 'a')], { output: join(dir, 'wa.wav'), bitDepth: '32f' });
    const b = await automix([d], { output: join(dir, 'wb.wav'), bitDepth: '32f' });
    expect(b.settings.stems.map((s) => s.role.role)).toEqual(['bass', 'hat', 'kick', 'lead']);
    for (const n of NAMES) expect(b.settings.gainsDb[n]).toBe(a.settings.gainsDb[n]);
    expect(nullDb(await readAll(join(dir, 'wa.wav')), await readAll(join(dir, 'wb.wav')))).toBe(-Infinity);
  });

  it('leaves its own outputs and the reference out of a folder scan, so a re-run into the stems folder mixes the same stems', async () => {
    const { copyFile, mkdir } = await import('node:fs/promises');
    const d = join(dir, 'rerun');
    await mkdir(d);
    for (const n of NAMES) await copyFile(join(dir, 'a', `${n}.wav`), join(d, `${n}.wav`));
    const out = join(d, 'mix.wav');
    const first = await automix([d], { output: out, bitDepth: '32f', master: 'spotify' });
    expect(first.settings.stems.map((s) => s.name)).toEqual([...NAMES].sort());
    // mix.wav and mix.master.wav now sit beside the stems; a reference there too
    await copyFile(out, join(d, 'ref.wav'));
    const again = await automix([d], { output: out, bitDepth: '32f', master: 'spotify', reference: join(d, 'ref.wav'), force: true });
    expect(again.settings.stems.map((s) => s.name)).toEqual([...NAMES].sort());
    const skipped = again.warnings.filter((w) => /not a stem \(this run's output or reference\), skipped/.test(w.message)).map((w) => w.message.split(':')[0]);
    expect(skipped.map((f) => f.split(/[\\/]/).pop()).sort()).toEqual(['mix.master.wav', 'mix.wav', 'ref.wav']);
    // named explicitly, the output is still refused as an input
    await expect(automix([join(d, 'bass.wav'), out], { output: out, force: true })).rejects.toThrow(/same file as an input/);
    // --exclude leaves named files out (with or without extension) and refuses a name no file has
    const fewer = await automix([d], { output: join(dir, 'fewer.wav'), exclude: ['hats', 'ref.wav', 'mix', 'mix.master'] });
    expect(fewer.settings.stems.map((s) => s.name)).toEqual(['bass', 'kick', 'lead']);
    await expect(automix([d], { output: join(dir, 'none.wav'), exclude: ['hat'] })).rejects.toThrow(/no file of the stem folders has this name/);
  });

  it('without an output only plans: the session a full run writes, no audio; the session renders the full run\'s mix', async () => {
    const { mkdir, readdir } = await import('node:fs/promises');
    const out = join(dir, 'plan');
    await mkdir(out);
    const full = await automix([join(dir, 'a')], { output: join(out, 'full.wav'), sessionOut: join(out, 'full.yaml'), bitDepth: '32f' });
    const plan = await automix([join(dir, 'a')], { sessionOut: join(out, 'plan.yaml') });
    expect(plan.output).toBeNull();
    expect(plan.settings.output).toBeNull();
    expect(plan.settings.render).toBeNull();
    expect(plan.settings.gainsDb).toEqual(full.settings.gainsDb);
    expect((await readdir(out)).sort()).toEqual(['full.wav', 'full.yaml', 'plan.yaml']);
    const [a, b] = [await readFile(join(out, 'full.yaml'), 'utf8'), await readFile(join(out, 'plan.yaml'), 'utf8')];
    expect(b).toBe(a);
    // Decisions only (the CLI's --json without outputs): nothing written at all.
    const bare = await automix([join(dir, 'a')], {});
    expect(bare.settings.session).toBeNull();
    expect((await readdir(out)).length).toBe(3);
    await expect(automix([join(dir, 'a')], { sessionOut: join(out, 'm.yaml'), master: 'spotify' })).rejects.toThrow(/needs the mix/);
  });

  it('lowers the master fader when the mix would clip its integer file, and says so; the session still re-renders it', async () => {
    const { mkdir } = await import('node:fs/promises');
    const d = join(dir, 'clicks');
    await mkdir(d);
    // Quiet tones, each with a full-scale click at the same instant: balanced to -20 LUFS, the clicks sum far over 0 dBFS.
    for (let k = 0; k < 4; k++) {
      const x = new Float32Array(N);
      for (let i = 0; i < N; i++) x[i] = 0.01 * Math.sin((2 * Math.PI * (300 + 170 * k) * i) / FS);
      x[FS / 2] = 1;
      const w = await createWavWriter(join(d, `tone${k}.wav`), { sampleRate: FS, channels: 1, format: 'float32' });
      await w.write([x], N);
      await w.close();
    }
    const res = await automix([d], { output: join(dir, 'clicks.wav'), sessionOut: join(dir, 'clicks.yaml'), bitDepth: '24', analyze: true });
    expect(res.warnings.some((w) => /peaked at .* master fader -\d/.test(w.message))).toBe(true);
    expect(res.warnings.some((w) => w.code === 'clipped')).toBe(false);
    expect(res.output!.truePeakDbtp!).toBeLessThanOrEqual(-1 + 0.01);
    const again = await mixSession(join(dir, 'clicks.yaml'), join(dir, 'clicks2.wav'), { bitDepth: '24' });
    expect(again.warnings.some((w) => w.code === 'clipped')).toBe(false);
    expect(nullDb(await readAll(join(dir, 'clicks.wav')), await readAll(join(dir, 'clicks2.wav')))).toBe(-Infinity);
  });

  it('refuses an existing output without force, before writing anything', async () => {
    await expect(automix([join(dir, 'a')], { output: join(dir, 'a.wav') })).rejects.toThrow(/exists/);
  });

  it('writes a JSON session for --session-out x.json, which re-renders the mix', async () => {
    await automix([join(dir, 'a')], { output: join(dir, 'j.wav'), sessionOut: join(dir, 'j.json'), bitDepth: '32f' });
    const session = JSON.parse(await readFile(join(dir, 'j.json'), 'utf8')) as { tracks: { file: string }[] };
    expect(session.tracks.map((t) => t.file)).toEqual(NAMES.map((n) => `a/${n}.wav`).sort());
    await mixSession(join(dir, 'j.json'), join(dir, 'j2.wav'), { bitDepth: '32f' });
    expect(nullDb(await readAll(join(dir, 'j.wav')), await readAll(join(dir, 'j2.wav')))).toBeLessThan(-100);
  });

  it('--level and --crest-weight steer the balance: a role override moves that stem by the change, weight 0 drops the crest term', async () => {
    const base = await automix([join(dir, 'a')], { output: join(dir, 'lv0.wav'), bitDepth: '32f' });
    const louder = await automix([join(dir, 'a')], { output: join(dir, 'lv1.wav'), bitDepth: '32f', levelLu: { hat: -3.5 } });
    const target = (r: typeof base, name: string) => r.settings.stems.find((s) => s.name === name)!.targetLufs!;
    // The hat row is -9.5 LU: 6 LU up against every other stem (the anchor then moves all targets together).
    expect((target(louder, 'hats') - target(louder, 'bass')) - (target(base, 'hats') - target(base, 'bass'))).toBeCloseTo(6, 6);
    expect(target(louder, 'lead') - target(louder, 'bass')).toBeCloseTo(target(base, 'lead') - target(base, 'bass'), 6);
    const flat = await automix([join(dir, 'a')], { output: join(dir, 'lv2.wav'), bitDepth: '32f', crestWeight: 0 });
    for (const s of flat.settings.stems) expect(s.balance.crestAdjustLu).toBe(0);
    expect(base.settings.stems.some((s) => Math.abs(s.balance.crestAdjustLu) > 1)).toBe(true);
    // Role levels alone: the lead row against the bass row, whatever their crests.
    expect(target(flat, 'lead') - target(flat, 'bass')).toBeCloseTo(roleSpec('lead').levelLu - roleSpec('bass').levelLu, 6);
  });

  it('refuses bad options before writing anything: session format, master output, --role for no stem, a silent reference', async () => {
    const { existsSync } = await import('node:fs');
    const silent = join(dir, 'silent.wav');
    const w = await createWavWriter(silent, { sampleRate: FS, channels: 2, format: 'float32' });
    await w.write([new Float32Array(N), new Float32Array(N)], N);
    await w.close();
    const out = join(dir, 'refused.wav');
    const cases: [Parameters<typeof automix>[1], RegExp][] = [
      [{ output: out, sessionOut: join(dir, 'refused.txt') }, /a session is \.yaml, \.yml or \.json/],
      [{ output: out, master: 'spotify', masterOutput: join(dir, 'refused.ogg') }, /cannot write \.ogg/],
      [{ output: out, master: 'spotify', masterOutput: out }, /the master would overwrite the mix/],
      [{ output: out, master: 'spotify', masterOutput: join(dir, 'no-such-folder', 'm.wav') }, /directory does not exist/],
      [{ output: out, roles: { laed: 'lead' } }, /no stem has this name \(stems: bass, hats, kick, lead\)/],
      [{ output: out, reference: silent }, /reference has no measurable loudness/],
      [{ output: out, levelLu: { laed: 0 } }, /unknown role \(known: vocal, /],
      [{ output: out, levelLu: { lead: 400 } }, /level must be a number of LU within ±40/],
      [{ output: out, crestWeight: 1.5 }, /must be a number from 0 to 1 \(LU per dB\)/],
    ];
    for (const [opts, message] of cases) {
      await expect(automix([join(dir, 'a')], opts)).rejects.toThrow(message);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('automix --reference', () => {
  /** Writes a stereo reference: noise shaped by one one-pole low-pass (dark) or its complement (bright). */
  async function writeReference(name: string, bright: boolean, amp: number): Promise<string> {
    const x = new Float32Array(N * 2);
    let s = 77;
    let lp = 0;
    for (let i = 0; i < x.length; i++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      const n = s / 2147483648 - 1;
      lp += 0.05 * (n - lp);
      x[i] = amp * (bright ? n - lp : lp * 4);
    }
    const path = join(dir, name);
    const w = await createWavWriter(path, { sampleRate: FS, channels: 2, format: 'float32' });
    await w.write([x.subarray(0, N), x.subarray(N)], N);
    await w.close();
    return path;
  }
  /** Treble minus bass of the output's long-term 1/3-octave spectrum (dB, 4-8 kHz vs 80-320 Hz). */
  async function tilt(path: string): Promise<{ tiltDb: number; lufs: number }> {
    const { analyzeFile } = await import('../../src/api/analyze-files.js');
    const r = (await analyzeFile(path)).result;
    const band = (lo: number, hi: number) => {
      let p = 0;
      r.spectrum.bandsHz.forEach((f, i) => { if (f >= lo && f <= hi && r.spectrum.levelsDb[i] !== null) p += Math.pow(10, r.spectrum.levelsDb[i]! / 10); });
      return 10 * Math.log10(p);
    };
    return { tiltDb: band(4000, 8000) - band(80, 320), lufs: r.integratedLufs! };
  }

  /** Broadband stems (coloured noise), so a 1/3-octave tonal match has a smooth spectrum to work on. */
  let noiseStems: string | null = null;
  async function writeNoiseStems(): Promise<string> {
    if (noiseStems !== null) return noiseStems;
    const d = join(dir, 'noise');
    noiseStems = d;
    const { mkdir } = await import('node:fs/promises');
    await mkdir(d, { recursive: true });
    const kinds: [string, number][] = [['bass', 0.02], ['keys', 0.3], ['hats', -0.5]];
    for (const [name, k] of kinds) {
      const x = new Float32Array(N);
      let s = 4242 + name.length;
      let lp = 0;
      for (let i = 0; i < N; i++) {
        s = (s * 1664525 + 1013904223) >>> 0;
        const n = s / 2147483648 - 1;
        lp += Math.abs(k) * (n - lp);
        x[i] = 0.2 * (k > 0 ? lp / Math.sqrt(k) : n - lp);
      }
      const w = await createWavWriter(join(d, `${name}.wav`), { sampleRate: FS, channels: 1, format: 'float32' });
      await w.write([x], N);
      await w.close();
    }
    return d;
  }

  it('matches the reference loudness and moves the tonal balance toward it', async () => {
    const stems = await writeNoiseStems();
    await automix([stems], { output: join(dir, 'ref-plain.wav'), bitDepth: '32f' });
    const plain = await tilt(join(dir, 'ref-plain.wav'));
    const brightRef = await writeReference('bright.wav', true, 0.05);
    const darkRef = await writeReference('dark.wav', false, 0.05);
    const bright = await automix([stems], { output: join(dir, 'ref-bright.wav'), reference: brightRef, bitDepth: '32f' });
    const dark = await automix([stems], { output: join(dir, 'ref-dark.wav'), reference: darkRef, bitDepth: '32f' });
    const b = await tilt(join(dir, 'ref-bright.wav'));
    const d = await tilt(join(dir, 'ref-dark.wav'));
    // Loudness: the reference's integrated loudness (the master fader is set from a measurement).
    expect(Math.abs(b.lufs - bright.settings.reference!.integratedLufs!)).toBeLessThan(0.3);
    expect(Math.abs(d.lufs - dark.settings.reference!.integratedLufs!)).toBeLessThan(0.3);
    // Tone: a bright reference tilts the mix up, a dark one down, relative to the plain automix.
    expect(b.tiltDb).toBeGreaterThan(plain.tiltDb + 0.5);
    expect(d.tiltDb).toBeLessThan(plain.tiltDb - 0.5);
  });

  it('plans with a reference too: the master fader measured from a render it does not keep, as in a full run', async () => {
    const stems = await writeNoiseStems();
    const ref = await writeReference('plan-ref.wav', true, 0.05);
    const full = await automix([stems], { output: join(dir, 'plan-ref-full.wav'), sessionOut: join(dir, 'plan-ref-full.yaml'), reference: ref });
    const plan = await automix([stems], { sessionOut: join(dir, 'plan-ref.yaml'), reference: ref });
    expect(plan.settings.reference!.masterGainDb).toBe(full.settings.reference!.masterGainDb);
    expect(plan.settings.reference!.masterGainDb).not.toBe(0);
    expect(await readFile(join(dir, 'plan-ref.yaml'), 'utf8')).toBe(await readFile(join(dir, 'plan-ref-full.yaml'), 'utf8'));
  });

  it('stops the loudness match at -1 dBTP true peak when a fader cannot reach the reference (and says so)', async () => {
    const stems = await writeNoiseStems();
    const loud = await writeReference('loud.wav', true, 0.9);
    const res = await automix([stems], { output: join(dir, 'ref-loud.wav'), reference: loud, bitDepth: '32f', analyze: true });
    const out = res.output!;
    expect(out.truePeakDbtp!).toBeLessThanOrEqual(-1);
    expect(out.truePeakDbtp!).toBeGreaterThan(-1.1);
    expect(out.integratedLufs!).toBeLessThan(res.settings.reference!.integratedLufs! - 1);
    expect(res.warnings.some((w) => /capped at .* true peak under -1 dBTP/.test(w.message))).toBe(true);
  });
});
