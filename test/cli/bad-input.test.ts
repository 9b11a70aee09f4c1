/**
 * One test per row of shared/DESIGN.md's "Bad input" table, through the CLI as a user meets it:
 * exit codes, one-line errors naming the file, warnings, and nulls where a quantity is undefined.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWav, tempDir, writeFixture } from '../io/wav-fixtures.js';
import { runCli } from '../helpers/run-cli.js';

const { dir, cleanup } = tempDir('mixmaster-cli-');
afterAll(cleanup);

/** Interleaved float samples of a sine at `dbfs` on every channel. */
function sine(frames: number, channels: number, rate: number, dbfs: number, hz = 1000): number[] {
  const a = Math.pow(10, dbfs / 20);
  const out: number[] = [];
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out.push(a * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

const f32 = (name: string, samples: number[], channels = 2, sampleRate = 48000, extra: Partial<Parameters<typeof buildWav>[0]> = {}) =>
  writeFixture(dir, name, buildWav({ encoding: 'f32', channels, sampleRate, samples, ...extra }));

async function analyzeJson(file: string, ...flags: string[]) {
  const r = await runCli(['analyze', '--json', ...flags, file]);
  expect(r.code, r.stderr.join('\n')).toBe(0);
  return { ...r, json: JSON.parse(r.stdout) };
}

describe('bad input (shared/DESIGN.md table)', () => {
  it('not audio, random bytes, unsupported codec: exit 1, one line naming the file', async () => {
    const random = writeFixture(dir, 'random.wav', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 255));
    const text = join(dir, 'notes.wav');
    writeFileSync(text, 'these are not the samples you are looking for\n');
    const empty = writeFixture(dir, 'empty.wav', new Uint8Array(0));
    // A WAV whose format tag is a codec we do not decode (0x0055 = MPEG layer 3 inside RIFF).
    const codec = buildWav({ encoding: 's16', channels: 1, samples: [0, 1, 2, 3] });
    codec[20] = 0x55;
    const unsupported = writeFixture(dir, 'codec.wav', codec);
    for (const f of [random, text, empty, unsupported]) {
      const r = await runCli(['analyze', f]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toHaveLength(1);
      expect(r.stderr[0]).toMatch(new RegExp(`^mixmaster: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a supported audio file \\(.+\\)$`));
    }
  });

  it('a missing file: exit 1 with one line, a stack trace only with --debug', async () => {
    const missing = join(dir, 'missing.wav');
    const r = await runCli(['analyze', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toContain(`mixmaster: ${missing}:`);
    const d = await runCli(['analyze', '--debug', missing]);
    expect(d.code).toBe(1);
    expect(d.stderr.length).toBeGreaterThan(1);
    expect(d.stderr.some((l) => /^\s+at /.test(l))).toBe(true);
  });

  it('truncated WAV: reads what is there and warns once; --strict makes it an error', async () => {
    const samples = sine(48000, 2, 48000, -20);
    const bytes = buildWav({ encoding: 'f32', channels: 2, samples });
    const cut = writeFixture(dir, 'truncated.wav', bytes.subarray(0, bytes.length - 8 * 12000));
    const r = await analyzeJson(cut);
    expect(r.json.frames).toBe(36000);
    expect(r.json.warnings.filter((w: { code: string }) => w.code === 'truncated')).toHaveLength(1);
    expect(r.stderr.filter((l) => /truncated/.test(l))).toHaveLength(1);
    const strict = await runCli(['analyze', '--strict', cut]);
    expect(strict.code).toBe(1);
    expect(strict.stderr[0]).toMatch(/^mixmaster: .*truncated\.wav: .*truncated/);
  });

  it('data size 0 or 0xFFFFFFFF (streamed WAV) means "to end of file"', async () => {
    const samples = sine(4800, 2, 48000, -6);
    for (const dataSizeField of [0, 0xffffffff]) {
      const f = f32(`streamed-${dataSizeField}.wav`, samples, 2, 48000, { dataSizeField });
      const r = await analyzeJson(f);
      expect(r.json.frames).toBe(4800);
      expect(r.json.samplePeakDbfs).toBeCloseTo(-6, 2);
    }
  });

  it('unknown chunks, odd-sized chunks with a pad byte, extensible format, RF64/BW64: read correctly', async () => {
    const samples = sine(24000, 2, 48000, -12);
    const odd = { id: 'abcd', body: Uint8Array.from([1, 2, 3]) };
    const variants = {
      chunks: { before: [{ id: 'JUNK', body: new Uint8Array(28) }], between: [odd, { id: 'LIST', body: new Uint8Array(10) }], after: [odd] },
      extensible: { extensible: true, channelMask: 3 },
      rf64: { container: 'RF64' as const },
      bw64: { container: 'BW64' as const },
    };
    for (const [name, extra] of Object.entries(variants)) {
      const r = await analyzeJson(f32(`variant-${name}.wav`, samples, 2, 48000, extra));
      expect(r.json.frames, name).toBe(24000);
      expect(r.json.samplePeakDbfs, name).toBeCloseTo(-12, 2);
      expect(r.json.warnings, name).toEqual([]);
    }
  });

  it('NaN/Inf samples: counted, and measured as 0 (they never poison the measurement)', async () => {
    const clean = sine(48000, 2, 48000, -20);
    const dirty = clean.slice();
    const zeroed = clean.slice();
    for (const [i, v] of [[1000, NaN], [2001, Infinity], [30000, -Infinity], [40001, NaN]] as const) { dirty[i] = v; zeroed[i] = 0; }
    const a = (await analyzeJson(f32('nan.wav', dirty))).json;
    const b = (await analyzeJson(f32('zeroed.wav', zeroed))).json;
    expect(a.nonFiniteSamples).toBe(4);
    expect(b.nonFiniteSamples).toBe(0);
    for (const k of ['integratedLufs', 'truePeakDbtp', 'samplePeakDbfs', 'rmsDbfs', 'loudnessRangeLu', 'correlation']) expect(a[k], k).toBe(b[k]);
    expect(a.warnings.map((w: { code: string }) => w.code)).toContain('non-finite');
  });

  it('zero-length or shorter than a 400 ms block: null loudness, never a made-up number', async () => {
    for (const [name, frames] of [['zero', 0], ['short', 19000]] as const) {
      const r = (await analyzeJson(f32(`${name}.wav`, sine(frames, 2, 48000, -20)))).json;
      expect(r.frames).toBe(frames);
      expect(r.integratedLufs).toBeNull();
      expect(r.momentaryMaxLufs).toBeNull();
      expect(r.loudnessRangeLu).toBeNull();
      expect(r.warnings.map((w: { code: string }) => w.code)).toContain('too-short');
    }
  });

  it('digital silence: null loudness and peaks', async () => {
    const r = (await analyzeJson(f32('silence.wav', new Array(2 * 48000 * 2).fill(0)))).json;
    for (const k of ['integratedLufs', 'loudnessRangeLu', 'momentaryMaxLufs', 'shortTermMaxLufs', 'truePeakDbtp', 'samplePeakDbfs', 'rmsDbfs', 'crestDb', 'plrDb', 'correlation']) {
      expect(r[k], k).toBeNull();
    }
    expect(r.warnings.map((w: { code: string }) => w.code)).toContain('silent');
  });

  it('any channel count and rate from 8 kHz to 384 kHz: analysed with K-weighting for the actual rate', async () => {
    // BS.1770: a 1 kHz sine at -23 dBFS in each of two channels reads -23 LUFS (Tech 3341 case 1).
    for (const rate of [8000, 22050, 44100, 192000, 384000]) {
      const r = (await analyzeJson(f32(`rate-${rate}.wav`, sine(rate * 2, 2, rate, -23), 2, rate))).json;
      expect(r.sampleRate).toBe(rate);
      expect(r.integratedLufs, String(rate)).toBeCloseTo(-23, 1);
    }
    // Three channels (L R C), all weighted 1: three -23 dBFS channels read 10·log10(3/2) dB above stereo.
    const r3 = (await analyzeJson(f32('three.wav', sine(96000, 3, 48000, -23), 3))).json;
    expect(r3.channels).toBe(3);
    expect(r3.integratedLufs).toBeCloseTo(-23 + 10 * Math.log10(1.5), 1);
  });

  it('a rate outside 8-384 kHz: every command that measures loudness refuses it in one line naming the file, writing nothing', async () => {
    const low = f32('rate-4000.wav', sine(8000, 2, 4000, -23, 440), 2, 4000);
    const chain = join(dir, 'gain-chain.json');
    writeFileSync(chain, JSON.stringify([{ type: 'gain', gainDb: -1 }]));
    const session = join(dir, 'low-session.json');
    writeFileSync(session, JSON.stringify({ tracks: [{ name: 'low', file: 'rate-4000.wav' }] }));
    const out = join(dir, 'low-out.wav');
    const runs: [string[], string][] = [
      [['analyze', low], low],
      [['master', low, '-o', out], low],
      [['process', low, '-o', out, '--chain', chain, '--json'], low],
      [['automix', low, '-o', out], low],
      [['mix', session, '-o', out, '--json'], session],
    ];
    for (const [args, named] of runs) {
      const r = await runCli(args);
      expect(r.code, args[0]).toBe(1);
      expect(r.stderr).toEqual([`mixmaster: ${named}: sample rate 4000 Hz: loudness measurement (BS.1770) works at 8000-384000 Hz`]);
      expect(existsSync(out), args[0]).toBe(false);
    }
    // Without a measurement, the rate is no problem.
    expect((await runCli(['process', low, '-o', out, '--chain', chain])).code).toBe(0);
  });

  it('output path equals an input, or exists without --force: refused before any work', async () => {
    const input = f32('in.wav', sine(4800, 2, 48000, -20));
    const chain = join(dir, 'gain.yaml');
    writeFileSync(chain, '- { type: gain, gainDb: -6 }\n');
    const before = readFileSync(input);
    const same = await runCli(['process', input, '-o', input, '--chain', chain, '--force']);
    expect(same.code).toBe(1);
    expect(same.stderr[0]).toMatch(/same file as an input/);
    expect(readFileSync(input).equals(before)).toBe(true);
    const existing = join(dir, 'existing.wav');
    writeFileSync(existing, 'precious');
    const r = await runCli(['process', input, '-o', existing, '--chain', chain]);
    expect(r.code).toBe(1);
    expect(r.stderr[0]).toMatch(/exists.*--force/);
    expect(readFileSync(existing, 'utf8')).toBe('precious');
    const forced = await runCli(['process', input, '-o', existing, '--chain', chain, '--force', '--quiet']);
    expect(forced.code).toBe(0);
    expect(statSync(existing).size).toBeGreaterThan(100);
  });
});

describe('CLI contract', () => {
  it('usage errors exit 2 with one line', async () => {
    for (const args of [['analyze'], ['analyze', '--bogus', 'x.wav'], ['frobnicate'], ['process', 'a.wav']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toHaveLength(1);
      expect(r.stderr[0]).toMatch(/^mixmaster: /);
    }
  });

  it('option errors the library finds (a --role or --exclude for no stem, an unknown preset) exit 2 too, writing nothing', async () => {
    const stem = f32('usage-stem.wav', sine(48000, 2, 48000, -20));
    const out = join(dir, 'usage-out.wav');
    const cases = [
      ['automix', stem, '-o', out, '--role', 'nosuch=lead'],
      ['automix', stem, '-o', out, '--level', 'nosuch=1'],
      ['automix', stem, '-o', out, '--level', 'lead=loud'],
      ['automix', stem, '-o', out, '--crest-weight', '3'],
      ['automix', stem, '-o', out, '--crest-weight', 'x'],
      ['automix', dir, '-o', out, '--exclude', 'nosuch'],
      ['automix', stem],
      ['automix', stem, '--session-out', join(dir, 'usage-plan.yaml'), '--master', 'spotify'],
      ['master', stem, '-o', out, '--preset', 'nosuch'],
    ];
    for (const args of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
    expect(existsSync(join(dir, 'usage-plan.yaml'))).toBe(false);
  });

  it('--json prints one JSON value: an object for one file, an array for several', async () => {
    const a = f32('json-a.wav', sine(48000, 2, 48000, -20));
    const b = f32('json-b.wav', sine(48000, 2, 48000, -30));
    const one = JSON.parse((await runCli(['analyze', '--json', a])).stdout);
    expect(Array.isArray(one)).toBe(false);
    for (const k of ['file', 'sampleRate', 'channels', 'frames', 'durationSeconds', 'integratedLufs', 'loudnessRangeLu', 'momentaryMaxLufs',
      'shortTermMaxLufs', 'truePeakDbtp', 'samplePeakDbfs', 'rmsDbfs', 'crestDb', 'plrDb', 'correlation', 'dcOffset', 'clippedSamples',
      'nonFiniteSamples', 'spectrum', 'warnings']) expect(one, k).toHaveProperty(k);
    const two = JSON.parse((await runCli(['analyze', '--json', a, b])).stdout);
    expect(two).toHaveLength(2);
    expect(two[0].integratedLufs - two[1].integratedLufs).toBeCloseTo(10, 1);
  });

  it('--album gates across all files together (not an average of the files)', async () => {
    const a = f32('album-a.wav', sine(48000 * 3, 2, 48000, -20));
    const b = f32('album-b.wav', sine(48000 * 1, 2, 48000, -30));
    const r = JSON.parse((await runCli(['analyze', '--json', '--album', a, b])).stdout);
    // Energy mean over the gating blocks of both files: 400 ms blocks every 100 ms give 27 blocks for
    // 3 s at La and 7 blocks for 1 s at La - 10 LU (both pass the -10 LU relative gate).
    const la = r.files[0].integratedLufs;
    expect(r.files[1].integratedLufs).toBeCloseTo(la - 10, 1);
    const expected = la + 10 * Math.log10((27 + 7 * 0.1) / 34);
    expect(r.album.integratedLufs).toBeCloseTo(expected, 1);
  });

  it('a bad chain names the path and fails before any audio is read', async () => {
    const chain = join(dir, 'bad-chain.yaml');
    writeFileSync(chain, '- { type: gain, gainDb: -6 }\n- { type: eq, bands: [] }\n- { type: compressor, ratio: 0.5 }\n');
    // The input does not even exist: the chain error must come first.
    const r = await runCli(['process', join(dir, 'nope.wav'), '-o', join(dir, 'never.wav'), '--chain', chain]);
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual([`mixmaster: ${chain}: chain[2].ratio: must be >= 1`]);
    expect(existsSync(join(dir, 'never.wav'))).toBe(false);
    for (const [text, msg] of [['- { type: wobble }', /chain\[0\]\.type: unknown insert type "wobble"/], ['- { gainDb: 1 }', /chain\[0\]\.type: missing field "type"/],
      ['- { type: gain, gainDb: 1, volume: 2 }', /chain\[0\]\.volume: unknown field/], ['{ not: [yaml', /not valid YAML/]] as const) {
      writeFileSync(chain, text + '\n');
      const e = await runCli(['process', join(dir, 'nope.wav'), '-o', join(dir, 'never.wav'), '--chain', chain]);
      expect(e.code).toBe(1);
      expect(e.stderr[0]).toMatch(msg);
    }
  });
});
