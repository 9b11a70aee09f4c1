/** The report of `mixmaster analyze --report`: per file, the summary, loudness over time and spectrum. */
import type { AnalysisResult } from '../core/analysis/analysis-result.js';
import { loudnessPlot, spectrumPlot } from './analysis-plots.js';
import { escapeHtml } from './escape-html.js';
import { formatNumber } from './format-value.js';
import { htmlPage } from './html-page.js';
import { summaryTable } from './summary-table.js';

/** Colour of a single analysis on its plots. */
export const MAIN_COLOR = '#1f6fd1';

/** One file's section: heading, summary table and its two plots. */
export function analysisSection(a: AnalysisResult, heading: string): string {
  const parts = [`<section class="file">`, `<h2>${escapeHtml(heading)}</h2>`, summaryTable([{ label: 'value', analysis: a }])];
  const loud = loudnessPlot([{ label: 'loudness', color: MAIN_COLOR, series: a.loudnessSeries }],
    a.integratedLufs === null ? [] : [{ y: a.integratedLufs, label: `integrated ${formatNumber(a.integratedLufs, 1, 'LUFS')}`, color: '#c0392b' }]);
  if (loud) parts.push(loud);
  parts.push(spectrumPlot([{ label: 'spectrum', color: MAIN_COLOR, spectrum: a.spectrum }]), '</section>');
  return parts.join('\n');
}

export interface AnalyzeReportInput {
  results: AnalysisResult[];
  album?: { integratedLufs: number | null; loudnessRangeLu: number | null };
  /** Shown under the title (e.g. the tool version and date); plain text. */
  subtitle?: string;
}

/** The whole page. */
export function renderAnalyzeReport(input: AnalyzeReportInput): string {
  const body: string[] = [];
  if (input.album) {
    body.push('<section class="album">', '<h2>Album</h2>', '<table class="summary"><tbody>',
      `<tr><th scope="row">Integrated loudness (all files gated together)</th><td class="num" data-key="albumIntegratedLufs" data-value="${input.album.integratedLufs ?? 'null'}">${escapeHtml(formatNumber(input.album.integratedLufs, 2, 'LUFS'))}</td></tr>`,
      `<tr><th scope="row">Loudness range</th><td class="num" data-key="albumLoudnessRangeLu" data-value="${input.album.loudnessRangeLu ?? 'null'}">${escapeHtml(formatNumber(input.album.loudnessRangeLu, 2, 'LU'))}</td></tr>`,
      '</tbody></table>', '</section>');
  }
  input.results.forEach((r, i) => body.push(analysisSection(r, r.file ?? `file ${i + 1}`)));
  const n = input.results.length;
  return htmlPage('mixmaster analyze', input.subtitle ?? `${n} file${n === 1 ? '' : 's'}`, body);
}
