/** Human-readable analysis tables for `mixmaster analyze` (the JSON form is the result object itself). */
import type { AnalysisResult } from '../api/index.js';

const fmt = (v: number | null | undefined, digits: number, unit: string): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(digits)} ${unit}`.trim();

/** Rows of label/value pairs for one analysis. */
export function analysisRows(r: AnalysisResult): [string, string][] {
  return [
    ['Format', `${r.sampleRate} Hz, ${r.channels} ch, ${r.durationSeconds.toFixed(2)} s`],
    ['Integrated loudness', fmt(r.integratedLufs, 1, 'LUFS')],
    ['Loudness range', fmt(r.loudnessRangeLu, 1, 'LU')],
    ['Momentary max', fmt(r.momentaryMaxLufs, 1, 'LUFS')],
    ['Short-term max', fmt(r.shortTermMaxLufs, 1, 'LUFS')],
    ['True peak', fmt(r.truePeakDbtp, 2, 'dBTP')],
    ['Sample peak', fmt(r.samplePeakDbfs, 2, 'dBFS')],
    ['RMS', fmt(r.rmsDbfs, 1, 'dBFS')],
    ['Crest factor', fmt(r.crestDb, 1, 'dB')],
    ['PLR', fmt(r.plrDb, 1, 'dB')],
    ['Correlation', fmt(r.correlation, 2, '')],
    ['DC offset', r.dcOffset.map((d) => d.toExponential(1)).join(', ')],
    ['Clipped samples', String(r.clippedSamples)],
    ['Non-finite samples', String(r.nonFiniteSamples)],
  ];
}

/** A two-column table for one file, with its warnings under it. */
export function formatAnalysis(r: AnalysisResult): string {
  const rows = analysisRows(r);
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = [r.file ?? '(audio)', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)];
  for (const warn of r.warnings) lines.push(`  warning: ${warn.message}`);
  return lines.join('\n');
}
