/**
 * The summary table of one or more analyses side by side (a file; or input and output of a master):
 * format, loudness, peaks, dynamics, correlation, and the warnings. Each measured cell carries the exact
 * value in `data-value` (and the field name in `data-key`), so scripts and tests can read the report.
 */
import type { AnalysisResult } from '../core/analysis/analysis-result.js';
import { escapeHtml } from './escape-html.js';
import { formatNumber, UNDEFINED_MARK } from './format-value.js';

/** A row: the JSON field, its label, decimals and unit. */
interface Measure {
  key: keyof AnalysisResult;
  label: string;
  digits: number;
  unit: string;
}

/** The rows, in the order of `mixmaster analyze`'s text output. */
export const SUMMARY_MEASURES: readonly Measure[] = [
  { key: 'integratedLufs', label: 'Integrated loudness', digits: 2, unit: 'LUFS' },
  { key: 'loudnessRangeLu', label: 'Loudness range (LRA)', digits: 2, unit: 'LU' },
  { key: 'momentaryMaxLufs', label: 'Momentary max', digits: 2, unit: 'LUFS' },
  { key: 'shortTermMaxLufs', label: 'Short-term max', digits: 2, unit: 'LUFS' },
  { key: 'truePeakDbtp', label: 'True peak', digits: 2, unit: 'dBTP' },
  { key: 'samplePeakDbfs', label: 'Sample peak', digits: 2, unit: 'dBFS' },
  { key: 'rmsDbfs', label: 'RMS', digits: 2, unit: 'dBFS' },
  { key: 'plrDb', label: 'PLR (peak to loudness)', digits: 2, unit: 'dB' },
  { key: 'crestDb', label: 'Crest factor', digits: 2, unit: 'dB' },
  { key: 'correlation', label: 'Correlation', digits: 3, unit: '' },
];

function valueCell(key: string, v: number | null | undefined, digits: number, unit: string): string {
  const exact = v === null || v === undefined || !Number.isFinite(v) ? 'null' : String(v);
  return `<td class="num" data-key="${key}" data-value="${exact}">${escapeHtml(formatNumber(v, digits, unit))}</td>`;
}

/** One column per analysis; `labels` head the columns (e.g. "input", "output"). */
export function summaryTable(columns: { label: string; analysis: AnalysisResult }[]): string {
  const rows: string[] = [];
  const head = columns.map((c) => `<th scope="col">${escapeHtml(c.label)}</th>`).join('');
  rows.push(`<thead><tr><th scope="col">measure</th>${head}</tr></thead>`);
  rows.push('<tbody>');
  rows.push(`<tr><th scope="row">Format</th>${columns.map(({ analysis: a }) =>
    `<td>${escapeHtml(`${a.sampleRate} Hz, ${a.channels} ch, ${formatNumber(a.durationSeconds, 2, 's')}`)}</td>`).join('')}</tr>`);
  for (const m of SUMMARY_MEASURES) {
    rows.push(`<tr><th scope="row">${escapeHtml(m.label)}</th>${columns.map(({ analysis: a }) => valueCell(m.key, a[m.key] as number | null, m.digits, m.unit)).join('')}</tr>`);
  }
  rows.push(`<tr><th scope="row">Clipped / non-finite samples</th>${columns.map(({ analysis: a }) =>
    `<td class="num">${a.clippedSamples} / ${a.nonFiniteSamples}</td>`).join('')}</tr>`);
  rows.push(`<tr><th scope="row">Warnings</th>${columns.map(({ analysis: a }) => `<td>${warningList(a.warnings)}</td>`).join('')}</tr>`);
  rows.push('</tbody>');
  return `<table class="summary">\n${rows.join('\n')}\n</table>`;
}

/** Warnings as a list (code: message), or a dash. */
export function warningList(warnings: readonly { code: string; message: string }[]): string {
  if (warnings.length === 0) return UNDEFINED_MARK;
  return `<ul class="warnings">${warnings.map((w) => `<li><code>${escapeHtml(w.code)}</code> ${escapeHtml(w.message)}</li>`).join('')}</ul>`;
}
