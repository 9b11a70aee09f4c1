import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { masterCommand } from '../../src/cli/commands/master.js';
import { UsageError } from '../../src/cli/cli-error.js';
import { createWavWriter } from '../../src/io/wav-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'mm-master-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) } };
}

describe('mixmaster master (command function)', () => {
  it('prints exactly one JSON object with input, output, settings and the warnings', async () => {
    const src = join(dir, 'in.wav');
    const w = await createWavWriter(src, { sampleRate: 48000, channels: 2, format: 'float32' });
    const n = 48000 * 2;
    const x = Float32Array.from({ length: n }, (_, i) => 0.1 * Math.sin((2 * Math.PI * 220 * i) / 48000));
    await w.write([x, x], n);
    await w.close();
    const t = io();
    const code = await masterCommand([src], { output: join(dir, 'out.wav'), preset: 'apple-music', json: true, quiet: true }, t.io);
    expect(code).toBe(0);
    expect(t.out.length).toBe(1);
    const body = JSON.parse(t.out[0]);
    expect(Object.keys(body).sort()).toEqual(['input', 'output', 'settings', 'warnings']);
    expect(Array.isArray(body.warnings)).toBe(true);
    expect(body.settings.target).toMatchObject({ targetLufs: -16, ceilingDbtp: -1, preset: 'apple-music' });
    expect(Math.abs(body.output.integratedLufs + 16)).toBeLessThanOrEqual(0.1);
    expect(body.output.truePeakDbtp).toBeLessThanOrEqual(-1);
  }, 30000);

  it('rejects bad usage with a UsageError (exit 2)', async () => {
    const t = io();
    await expect(masterCommand(['a.wav'], {}, t.io)).rejects.toBeInstanceOf(UsageError);
    await expect(masterCommand(['a.wav'], { output: 'o.wav', preset: 'nope' }, t.io)).rejects.toThrow(/unknown preset/);
    await expect(masterCommand(['a.wav'], { output: 'o.wav', preset: 'spotify', target: '-14' }, t.io)).rejects.toThrow(/not both/);
    await expect(masterCommand(['a.wav'], { output: 'o.wav', target: '5' }, t.io)).rejects.toThrow(/--target/);
    await expect(masterCommand(['a.wav'], { output: 'o.wav', match: 'eq' }, t.io)).rejects.toThrow(/--reference/);
  });
});
