/**
 * The report of `mixmaster master --report`: per file, input and output side by side (summary), overlaid
 * loudness over time and spectrum (and the reference's spectrum when matching one), the warnings, and
 * every decision of the settings as a table.
 */
import type { AnalysisResult, AnalysisWarning } from '../core/analysis/analysis-result.js';
import { loudnessPlot, spectrumPlot } from './analysis-plots.js';
import { escapeHtml } from './escape-html.js';
import { formatNumber } from './format-value.js';
import { htmlPage } from './html-page.js';
import { settingsTable } from './settings-table.js';
import { summaryTable, warningList } from './summary-table.js';

export const INPUT_COLOR = '#8a8a8a';
export const OUTPUT_COLOR = '#1f6fd1';
export const REFERENCE_COLOR = '#d17a1f';

export interface MasterReportItem {
  input: AnalysisResult;
  output: AnalysisResult;
  /** Every decision (plain JSON data), shown as a table. */
  settings: unknown;
  warnings: AnalysisWarning[];
  /** Drawn as a line on the loudness plot, LUFS. */
  targetLufs?: number;
  /** The reference master's analysis (reference matching), overlaid on the spectrum. */
  reference?: AnalysisResult;
}

function masterSection(item: MasterReportItem, index: number): string {
  const { input, output } = item;
  const name = `${input.file ?? `input ${index + 1}`} → ${output.file ?? 'output'}`;
  const columns = [{ label: 'input', analysis: input }, { label: 'output', analysis: output }];
  if (item.reference) columns.push({ label: 'reference', analysis: item.reference });
  const parts = [`<section class="file">`, `<h2>${escapeHtml(name)}</h2>`, summaryTable(columns)];
  const lines = item.targetLufs === undefined ? [] : [{ y: item.targetLufs, label: `target ${formatNumber(item.targetLufs, 1, 'LUFS')}`, color: '#c0392b' }];
  const loud = loudnessPlot([
    { label: 'input', color: INPUT_COLOR, series: input.loudnessSeries },
    { label: 'output', color: OUTPUT_COLOR, series: output.loudnessSeries },
  ], lines);
  if (loud) parts.push(loud);
  const spectra = [{ label: 'input', color: INPUT_COLOR, spectrum: input.spectrum }, { label: 'output', color: OUTPUT_COLOR, spectrum: output.spectrum }];
  if (item.reference) spectra.push({ label: 'reference', color: REFERENCE_COLOR, spectrum: item.reference.spectrum });
  parts.push(spectrumPlot(spectra));
  parts.push('<h3>Warnings</h3>', warningList(item.warnings));
  parts.push('<h3>Settings (every decision)</h3>', settingsTable(item.settings), '</section>');
  return parts.join('\n');
}

/** The whole page, one section per mastered file. */
export function renderMasterReport(items: MasterReportItem[], subtitle?: string): string {
  const n = items.length;
  return htmlPage('mixmaster master', subtitle ?? `${n} file${n === 1 ? '' : 's'} mastered`, items.map(masterSection));
}
