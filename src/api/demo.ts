/** runDemo(): the built-in job of `mixmaster demo`, on material synthesized in core (no input files). */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { AnalysisResult } from '../core/analysis/analysis-result.js';
import { Analyzer } from '../core/analysis/analyzer.js';
import { forEachBlock } from '../core/audio/audio-data.js';
import { mixDemoStems, synthesizeDemoStems } from '../core/synth/demo-song.js';
import { createWavWriter } from '../io/wav-writer.js';

export interface DemoOptions {
  /** Folder to write the demo programme into (demo-mix.wav); nothing is written without it. */
  outDir?: string;
  force?: boolean;
  seconds?: number;
}

export interface DemoResult {
  /** Files written (empty without outDir). */
  written: string[];
  analysis: AnalysisResult;
}

/** Synthesizes the built-in song, sums its stems and analyzes the result. */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const stems = synthesizeDemoStems({ seconds: opts.seconds });
  const mix = mixDemoStems(stems);
  const analyzer = new Analyzer({ sampleRate: mix.sampleRate, channels: mix.channels.length, series: false });
  forEachBlock(mix.channels, 4096, (block, n) => analyzer.push(block, n));
  const analysis: AnalysisResult = { file: 'demo-mix (built-in)', ...analyzer.result() };
  delete analysis.loudnessSeries;
  const written: string[] = [];
  if (opts.outDir) {
    await mkdir(opts.outDir, { recursive: true });
    const path = join(opts.outDir, 'demo-mix.wav');
    const w = await createWavWriter(path, { sampleRate: mix.sampleRate, channels: 2, format: 'float32', force: opts.force });
    try {
      await w.write(mix.channels, mix.channels[0].length);
      await w.close();
    } catch (e) {
      await w.abort();
      throw e;
    }
    analysis.file = path;
    written.push(path);
  }
  return { written, analysis };
}
