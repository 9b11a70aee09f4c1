/**
 * runDemo(): the built-in job of `mixmaster demo`. Synthesizes a short multitrack song in core (kick,
 * snare, hats, bass, chords, lead; deterministic), automixes its stems, masters the mix to the spotify
 * preset, and returns a summary.
 *
 * With `outDir` it writes `stems/*.wav`, `session.yaml`, `mix.wav` and `master.wav` there (refused if they
 * exist, unless `force`). Without it, the same files go to a fresh temporary folder that is removed at
 * the end: only the summary remains, so `npm run demo` can run any number of times.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysisResult } from '../core/analysis/analysis-result.js';
import { synthesizeDemoStems } from '../core/synth/demo-song.js';
import type { StemDecision } from '../core/mix/automix/plan-automix.js';
import { ioError } from '../io/atomic-file.js';
import { checkOutputPath } from '../io/output-path.js';
import { createWavWriter } from '../io/wav-writer.js';
import { automix } from './automix.js';

export interface DemoOptions {
  /** Folder to write the stems, session, mix and master into; without it a temporary folder is used and removed. */
  outDir?: string;
  force?: boolean;
  /** Song length in seconds (default 12). */
  seconds?: number;
  /** Mastering preset (default spotify). */
  preset?: string;
}

export interface DemoResult {
  /** Files written and kept (empty without outDir). */
  written: string[];
  /** Analysis of the automix (before mastering). */
  analysis: AnalysisResult;
  /** Analysis of the master. */
  master: AnalysisResult;
  preset: string;
  /** The automix decisions per stem. */
  stems: StemDecision[];
}

/** Synthesizes the built-in song, automixes it and masters the mix. */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const preset = opts.preset ?? 'spotify';
  const keep = opts.outDir !== undefined;
  const dir = opts.outDir ?? (await mkdtemp(join(tmpdir(), 'mixmaster-demo-')));
  try {
    const stemDir = join(dir, 'stems');
    await mkdir(stemDir, { recursive: true }).catch((e: unknown) => { throw ioError(dir, e, 'cannot create the demo folder'); });
    const stems = synthesizeDemoStems({ seconds: opts.seconds });
    const stemFiles = stems.map((s) => join(stemDir, `${s.name}.wav`));
    // Check every output before writing any, so a refused run leaves nothing half-done.
    for (const f of [...stemFiles, join(dir, 'session.yaml'), join(dir, 'mix.wav'), join(dir, 'master.wav')]) await checkOutputPath(f, [], opts.force === true);
    for (let i = 0; i < stems.length; i++) {
      const a = stems[i].audio;
      const w = await createWavWriter(stemFiles[i], { sampleRate: a.sampleRate, channels: a.channels.length, format: 'float32', force: opts.force });
      try {
        await w.write(a.channels, a.channels[0].length);
        await w.close();
      } catch (e) {
        await w.abort();
        throw e;
      }
    }
    const res = await automix(stemFiles, {
      output: join(dir, 'mix.wav'), sessionOut: join(dir, 'session.yaml'), master: preset, masterOutput: join(dir, 'master.wav'),
      force: opts.force, analyze: true, bitDepth: '24',
    });
    const analysis = res.output as AnalysisResult;
    delete analysis.loudnessSeries;
    const master = res.master!.output;
    return {
      written: keep ? [...stemFiles, join(dir, 'session.yaml'), join(dir, 'mix.wav'), join(dir, 'master.wav')] : [],
      analysis, master, preset, stems: res.settings.stems,
    };
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}
