/**
 * --report on analyze, mix and master (through the command functions, as the CLI runs them): the report
 * holds the same numbers as the --json output of the same run, file names are escaped, an existing report
 * is refused without --force, and nothing is written when an input is bad.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCommand } from '../../src/cli/commands/analyze.js';
import { masterCommand } from '../../src/cli/commands/master.js';
import { mixCommand } from '../../src/cli/commands/mix.js';
import { UsageError } from '../../src/cli/cli-error.js';
import { AudioFileError } from '../../src/api/errors.js';
import { createWavWriter } from '../../src/io/wav-writer.js';
import { SUMMARY_MEASURES } from '../../src/report/summary-table.js';
import { findAll, parseHtml, polylinePoints, summaryValues, textOf, type Element } from '../report/html-check.js';

const FS = 48000;
let dir = '';
/** A file name with every character HTML cares about. */
const NASTY = `a <b> & "c" 'd'.wav`;
let nasty = '';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) } };
}

/** Programme-like stereo signal: a 1 kHz tone over low-passed noise with a slow envelope. */
function programme(seconds: number, seed: number): Float32Array[] {
  let s = seed;
  const rand = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296 - 0.5; };
  const n = seconds * FS;
  const l = new Float32Array(n), r = new Float32Array(n);
  let lp = 0;
  for (let i = 0; i < n; i++) {
    const env = 0.5 + 0.4 * Math.sin((2 * Math.PI * 0.5 * i) / FS);
    lp += 0.05 * (rand() - lp);
    const tone = 0.2 * Math.sin((2 * Math.PI * 1000 * i) / FS);
    l[i] = env * (tone + 0.3 * lp);
    r[i] = env * (0.9 * tone + 0.3 * lp);
  }
  return [l, r];
}

async function writeWav(path: string, ch: Float32Array[]): Promise<void> {
  const w = await createWavWriter(path, { sampleRate: FS, channels: ch.length, format: 'float32', force: true });
  await w.write(ch, ch[0].length);
  await w.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-report-'));
  nasty = join(dir, NASTY);
  await writeWav(nasty, programme(6, 1));
  writeFileSync(join(dir, 'junk.wav'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) & 255)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The summary tables' cells: data-key → data-value, per column, per table. */
function summaryColumns(root: Element): Map<string, string>[][] {
  return findAll(root, 'table').filter((t) => t.attrs.class === 'summary').map(summaryValues);
}

/** Every summary measure of a column equals the JSON analysis, exactly (and the text shows it rounded). */
function expectSameNumbers(col: Map<string, string>, json: Record<string, unknown>): void {
  for (const m of SUMMARY_MEASURES) {
    const v = json[m.key];
    expect(v === null ? null : Number(col.get(m.key)), m.key).toBe(v);
  }
}

/** The spectrum polyline's highest point must be the loudest band of the JSON spectrum. */
function expectSpectrumPeak(root: Element, label: string, spectrum: { bandsHz: number[]; levelsDb: (number | null)[] }): void {
  const svg = findAll(root, 'svg').find((s) => textOf(findAll(s, 'title')[0]) === '1/3-octave spectrum')!;
  const g = findAll(svg, 'g').find((x) => x.attrs['data-label'] === label)!;
  const pts = findAll(g, 'polyline').flatMap(polylinePoints);
  const levels = spectrum.levelsDb.map((l) => l ?? -Infinity);
  const top = pts.reduce((b, p, i) => (p[1] < pts[b][1] ? i : b), 0);
  expect(spectrum.bandsHz[levels.indexOf(Math.max(...levels))]).toBe(1000);
  expect(top).toBe(levels.indexOf(Math.max(...levels)));
}

describe('analyze --report', () => {
  it('writes a report with the numbers of --json, the name escaped; the JSON is unchanged by it', async () => {
    const report = join(dir, 'analyze.html');
    const t = io();
    expect(await analyzeCommand([nasty], { json: true, report, quiet: true }, t.io)).toBe(0);
    const json = JSON.parse(t.out[0]);
    expect(json.loudnessSeries).toBeUndefined();
    const html = readFileSync(report, 'utf8');
    expect(html).not.toContain('<b>');
    const root = parseHtml(html);
    expect(textOf(findAll(root, 'h2')[0])).toBe(nasty);
    const [[col]] = summaryColumns(root);
    expectSameNumbers(col, json);
    expectSpectrumPeak(root, 'spectrum', json.spectrum);
    expect(findAll(root, 'svg').length).toBe(2);
  });

  it('refuses an existing report without --force (file untouched), replaces it with --force', async () => {
    const report = join(dir, 'exists.html');
    writeFileSync(report, 'keep me');
    await expect(analyzeCommand([nasty], { report, quiet: true }, io().io)).rejects.toThrow(/exists/);
    expect(readFileSync(report, 'utf8')).toBe('keep me');
    expect(await analyzeCommand([nasty], { report, quiet: true, force: true }, io().io)).toBe(0);
    expect(readFileSync(report, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('writes nothing when an input is bad, and refuses a report that is not .html', async () => {
    const report = join(dir, 'bad.html');
    const before = readdirSync(dir).sort();
    await expect(analyzeCommand([nasty, join(dir, 'junk.wav')], { report, quiet: true }, io().io)).rejects.toBeInstanceOf(AudioFileError);
    expect(existsSync(report)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(before); // no temp file left either
    await expect(analyzeCommand([nasty], { report: join(dir, 'r.txt') }, io().io)).rejects.toBeInstanceOf(UsageError);
  });
});

describe('master --report', () => {
  it('input and output numbers equal --json, settings listed, target line drawn', async () => {
    const out = join(dir, 'm.wav');
    const report = join(dir, 'master.html');
    const t = io();
    expect(await masterCommand([nasty], { output: out, target: '-16', json: true, report, quiet: true }, t.io)).toBe(0);
    const json = JSON.parse(t.out[0]);
    expect(json.input.loudnessSeries).toBeUndefined();
    const root = parseHtml(readFileSync(report, 'utf8'));
    const [[inCol, outCol]] = summaryColumns(root);
    expectSameNumbers(inCol, json.input);
    expectSameNumbers(outCol, json.output);
    expectSpectrumPeak(root, 'output', json.output.spectrum);
    const text = textOf(root);
    expect(text).toContain(nasty);
    expect(text).toContain('limiter.inputGainDb');
    expect(text).toContain(String(+json.settings.limiter.inputGainDb.toFixed(4)));
    expect(text).toContain('target -16.0 LUFS');
  }, 60000);

  it('refuses an existing report before writing the audio', async () => {
    const out = join(dir, 'm2.wav');
    const report = join(dir, 'exists-m.html');
    writeFileSync(report, 'keep me');
    await expect(masterCommand([nasty], { output: out, report, quiet: true }, io().io)).rejects.toThrow(/exists/);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(report, 'utf8')).toBe('keep me');
  });
});

describe('mix --report', () => {
  it('the output numbers equal --json; bad sessions write nothing', async () => {
    const session = join(dir, 'session.yaml');
    writeFileSync(session, `tracks:\n  - { name: lead, file: ${JSON.stringify(NASTY)}, gainDb: -3 }\n`);
    const report = join(dir, 'mix.html');
    const t = io();
    expect(await mixCommand(session, { output: join(dir, 'mix.wav'), json: true, report, quiet: true }, t.io)).toBe(0);
    const json = JSON.parse(t.out[0]);
    const root = parseHtml(readFileSync(report, 'utf8'));
    const [[col]] = summaryColumns(root);
    expectSameNumbers(col, json.output);
    expect(textOf(root)).toContain('renderOrder');

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'tracks:\n  - { name: x, file: junk.wav }\n');
    const report2 = join(dir, 'mix-bad.html');
    await expect(mixCommand(bad, { output: join(dir, 'mix-bad.wav'), report: report2, quiet: true }, io().io)).rejects.toThrow();
    expect(existsSync(report2)).toBe(false);
    expect(existsSync(join(dir, 'mix-bad.wav'))).toBe(false);
  }, 30000);
});
