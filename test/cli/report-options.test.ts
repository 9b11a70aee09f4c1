/**
 * The options the CLI parses for reports and master's output rate, end to end through main(argv):
 * --report on analyze/mix/master and master --sample-rate reach the commands (the command functions
 * themselves are tested in test/api/report-files.test.ts and master-sample-rate.test.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createWavWriter } from '../../src/io/wav-writer.js';
import { runCli } from '../helpers/run-cli.js';
import { readAudioFile } from '../helpers/read-audio.js';

const dir = mkdtempSync(join(tmpdir(), 'mixmaster-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function wav(path: string, seconds: number, rate = 48000): Promise<void> {
  const n = seconds * rate;
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const env = 0.5 + 0.4 * Math.sin((2 * Math.PI * 0.7 * i) / rate);
    l[i] = env * (0.2 * Math.sin((2 * Math.PI * 440 * i) / rate) + 0.1 * (s / 2 ** 32 - 0.5));
    r[i] = 0.8 * l[i];
  }
  const w = await createWavWriter(path, { sampleRate: rate, channels: 2, format: 'float32' });
  await w.write([l, r], n);
  await w.close();
}

describe('--report and master --sample-rate through the CLI', () => {
  it('analyze --report writes an HTML page naming the file; a non-.html report is a usage error', async () => {
    const input = join(dir, 'in.wav');
    await wav(input, 3);
    const report = join(dir, 'analysis.html');
    const ok = await runCli(['analyze', input, '--json', '--report', report, '--quiet']);
    expect(ok.code).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain('in.wav');
    // The integrated loudness of --json is in the page.
    const integrated = (JSON.parse(ok.stdout) as { integratedLufs: number }).integratedLufs;
    expect(html).toContain(String(integrated));
    const bad = await runCli(['analyze', input, '--report', join(dir, 'analysis.txt'), '--quiet']);
    expect(bad.code).toBe(2);
    expect(existsSync(join(dir, 'analysis.txt'))).toBe(false);
  });

  it('mix --report and master --report --sample-rate write their reports and the output at the asked rate', async () => {
    const stem = join(dir, 'stem.wav');
    await wav(stem, 3);
    const session = join(dir, 'session.json');
    writeFileSync(session, JSON.stringify({ tracks: [{ name: 'a', file: 'stem.wav' }] }));
    const mixReport = join(dir, 'mix.html');
    const mix = await runCli(['mix', session, '-o', join(dir, 'mix.wav'), '--report', mixReport, '--quiet']);
    expect(mix.code).toBe(0);
    expect(readFileSync(mixReport, 'utf8')).toContain('<svg');

    const out = join(dir, 'master.wav');
    const masterReport = join(dir, 'master.html');
    const master = await runCli(['master', stem, '-o', out, '--sample-rate', '44100', '--report', masterReport, '--json', '--quiet']);
    expect(master.code).toBe(0);
    expect((await readAudioFile(out)).sampleRate).toBe(44100);
    expect(readFileSync(masterReport, 'utf8')).toContain('stem.wav');
    const badRate = await runCli(['master', stem, '-o', join(dir, 'x.wav'), '--sample-rate', '1000', '--quiet']);
    expect(badRate.code).toBe(2);
    expect(existsSync(join(dir, 'x.wav'))).toBe(false);
  });
});
