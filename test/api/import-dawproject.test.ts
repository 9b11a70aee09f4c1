import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { importDawProject } from '../../src/api/import-dawproject.js';
import { mixSession } from '../../src/api/mix-session.js';
import { AudioFileError } from '../../src/io/audio-reader.js';
import { importCommand } from '../../src/cli/commands/import.js';
import { audioClip, audioTrack, buildDawProject, MASTER_TRACK, noiseChannel, projectXml, trackLanes, wavBytes } from '../helpers/dawproject-fixtures.js';
import { readAudioFile } from '../helpers/read-audio.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../io/wav-fixtures.js';

const tmp = tempDir('import-dawproject-');
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = (name: string) => join(tmp.dir, `${name}-${n++}`);

const SR = 48000;
const FRAMES = 24000; // 0.5 s
const L = noiseChannel(FRAMES, 0.5, 1);
const R = noiseChannel(FRAMES, 0.5, 2);
const STEM = wavBytes([L, R], SR);

function writeProject(name: string, xml: string, files: Record<string, Uint8Array>): string {
  const p = join(tmp.dir, `${name}-${n++}.dawproject`);
  writeFileSync(p, buildDawProject(xml, files));
  return p;
}

async function errorOf(p: Promise<unknown>): Promise<AudioFileError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(AudioFileError); return e as AudioFileError; }
  throw new Error('expected an AudioFileError');
}

/** Largest |a - b| over both channels, and the expected length check. */
function maxDiff(got: Float32Array[], want: (c: number, i: number) => number, frames: number): number {
  let d = 0;
  for (let c = 0; c < 2; c++) for (let i = 0; i < frames; i++) d = Math.max(d, Math.abs(got[c][i] - want(c, i)));
  return d;
}

describe('importDawProject', () => {
  it('end to end: one track at Volume 0.5 renders as the stem scaled by 0.5 (within -120 dB)', async () => {
    const xml = projectXml({ structure: MASTER_TRACK + audioTrack('t1', 'Stem', { volume: 0.5 }), lanes: trackLanes('t1', audioClip('samples/stem.wav', { duration: 1, audioSeconds: FRAMES / SR })) });
    const project = writeProject('one', xml, { 'samples/stem.wav': STEM });
    const out = fresh('one');
    const res = await importDawProject(project, out);
    expect(res.sessionPath).toBe(join(out, 'session.yaml'));
    expect(res.tracks).toBe(1);
    expect(res.buses).toBe(0);
    expect(res.warnings).toEqual([]);
    expect(readFileSync(join(out, 'audio', 'stem.wav')).equals(Buffer.from(STEM))).toBe(true);
    const yaml = parseYaml(readFileSync(res.sessionPath, 'utf8'));
    expect(yaml.tracks[0]).toMatchObject({ name: 'Stem', file: 'audio/stem.wav', startSeconds: 0, gainDb: 20 * Math.log10(0.5), pan: 0 });

    const mixPath = join(out, 'mix.wav');
    await mixSession(res.sessionPath, mixPath, { bitDepth: '32f', threads: 0 });
    const mix = await readAudioFile(mixPath);
    expect(mix.channels[0].length).toBe(FRAMES);
    const d = maxDiff(mix.channels, (c, i) => 0.5 * (c === 0 ? L : R)[i], FRAMES);
    expect(d).toBeLessThanOrEqual(1e-6);
  });

  it('end to end: beats place the clip at tempo, volume automation ramps linearly in amplitude, a send reaches the return bus', async () => {
    // 120 bpm: the clip starts at beat 1 = 0.5 s. Volume automation 0 → 1 over beats 1..2 (0.5 s .. 1.0 s).
    const fx = `<Track contentType="audio" id="fx" name="Return"><Channel role="effect" id="fxch" destination="mch"><Volume id="fxvol" unit="linear" value="1"/></Channel></Track>`;
    const sends = `<Sends><Send destination="fxch" type="post" id="s1"><Volume id="s1vol" unit="linear" value="0.5"/></Send></Sends>`;
    const auto = `<Points><Target parameter="t1vol"/><RealPoint time="1" value="0"/><RealPoint time="2" value="1"/></Points>`;
    const xml = projectXml({
      tempoBpm: 120, structure: MASTER_TRACK + audioTrack('t1', 'Stem', { inner: sends }) + fx,
      lanes: trackLanes('t1', audioClip('stem.wav', { time: 1, duration: 1, audioSeconds: FRAMES / SR }), auto),
    });
    const project = writeProject('auto', xml, { 'stem.wav': STEM });
    const out = fresh('auto');
    const res = await importDawProject(project, out);
    expect(res.buses).toBe(1);
    const mixPath = join(out, 'mix.wav');
    await mixSession(res.sessionPath, mixPath, { bitDepth: '32f', threads: 0 });
    const mix = await readAudioFile(mixPath);
    const start = SR / 2;
    expect(mix.channels[0].length).toBe(start + FRAMES);
    // Oracle: before the clip, silence; then stem × ramp(t) × (1 + 0.5) (dry + post-fader send through a return).
    const want = (c: number, i: number) => {
      if (i < start) return 0;
      const k = i - start;
      const ramp = k / (SR / 2); // 0 at 0.5 s → 1 at 1.0 s (the clip is 0.5 s long)
      return (c === 0 ? L : R)[k] * ramp * 1.5;
    };
    // The -120 dB floor of the first breakpoint (amplitude 1e-6 instead of 0) is the only difference.
    expect(maxDiff(mix.channels, want, start + FRAMES)).toBeLessThanOrEqual(2e-6);
  });

  it('a referenced audio file missing from the archive: one-line error naming it, nothing written', async () => {
    const xml = projectXml({ structure: MASTER_TRACK + audioTrack('t1', 'A'), lanes: trackLanes('t1', audioClip('audio/gone.wav', { duration: 1, audioSeconds: 1 })) });
    const project = writeProject('missing', xml, {});
    const out = fresh('missing');
    const e = await errorOf(importDawProject(project, out));
    expect(e.file).toBe(project);
    expect(e.message).toBe('referenced audio file "audio/gone.wav" is missing from the archive');
    expect(existsSync(out)).toBe(false);
  });

  it('not a zip: one-line error, nothing written', async () => {
    const project = join(tmp.dir, 'plain.dawproject');
    writeFileSync(project, '<Project version="1.0"/>'.repeat(10));
    const out = fresh('plain');
    const e = await errorOf(importDawProject(project, out));
    expect(e.message).toBe('not a .dawproject file (not a ZIP archive)');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an existing session.yaml without force (before writing audio); force replaces it', async () => {
    const xml = projectXml({ structure: MASTER_TRACK + audioTrack('t1', 'A', { volume: 0.5 }), lanes: trackLanes('t1', audioClip('a.wav', { duration: 1, audioSeconds: FRAMES / SR })) });
    const project = writeProject('exists', xml, { 'a.wav': STEM });
    const out = fresh('exists');
    await import('node:fs/promises').then((fs) => fs.mkdir(out));
    writeFileSync(join(out, 'session.yaml'), 'old');
    const e = await errorOf(importDawProject(project, out));
    expect(e.message).toMatch(/output exists/);
    expect(readdirSync(out)).toEqual(['session.yaml']);
    const res = await importDawProject(project, out, { force: true });
    expect(readFileSync(res.sessionPath, 'utf8')).toContain('audio/a.wav');
    expect(readdirSync(join(out, 'audio'))).toEqual(['a.wav']);
  });

  it('the CLI command prints a summary and the warnings; --json prints one JSON value', async () => {
    const xml = projectXml({
      structure: MASTER_TRACK + audioTrack('t1', 'A', { inner: '<Devices><Vst3Plugin deviceName="Comp" deviceRole="audioFX" id="d1"/></Devices>' }),
      lanes: trackLanes('t1', audioClip('a.wav', { duration: 1, audioSeconds: FRAMES / SR })),
    });
    const project = writeProject('cli', xml, { 'a.wav': STEM });
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
    const dir = fresh('cli');
    expect(await importCommand(project, { output: dir }, io)).toBe(0);
    expect(out[0]).toBe(`wrote ${join(dir, 'session.yaml')}: 1 track, 0 buses, 1 audio file, 1 warning`);
    expect(err).toEqual([`mixmaster: ${project}: warning: "A": devices/plug-ins not imported (Comp)`]);
    out.length = 0;
    expect(await importCommand(project, { output: dir, json: true, force: true, quiet: true }, io)).toBe(0);
    const j = JSON.parse(out.join('\n'));
    expect(j).toMatchObject({ tracks: 1, buses: 0, tempoBpm: 120, warnings: [{ code: 'dawproject-import' }] });
    // Through argv, as `mixmaster import` runs it: registered, -o required (usage error without it).
    const viaArgv = await runCli(['import', project, '-o', fresh('argv'), '--json', '--quiet']);
    expect(viaArgv.code).toBe(0);
    expect(JSON.parse(viaArgv.stdout)).toMatchObject({ tracks: 1 });
    expect((await runCli(['import', project, '--quiet'])).code).toBe(2);
  });
});
