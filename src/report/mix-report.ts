/** The report of `mixmaster mix --report`: the output's analysis, the warnings, and the settings. */
import type { AnalysisResult, AnalysisWarning } from '../core/analysis/analysis-result.js';
import { analysisSection } from './analyze-report.js';
import { escapeHtml } from './escape-html.js';
import { htmlPage } from './html-page.js';
import { settingsTable } from './settings-table.js';
import { warningList } from './summary-table.js';

export interface MixReportInput {
  /** The session file rendered. */
  session: string;
  output: AnalysisResult;
  settings: unknown;
  warnings: AnalysisWarning[];
}

/** The whole page. */
export function renderMixReport(input: MixReportInput, subtitle?: string): string {
  return htmlPage('mixmaster mix', subtitle ?? `session ${input.session}`, [
    analysisSection(input.output, input.output.file ?? 'output'),
    '<section class="settings">',
    '<h2>Warnings</h2>', warningList(input.warnings),
    `<h2>Settings of ${escapeHtml(input.session)}</h2>`, settingsTable(input.settings),
    '</section>',
  ]);
}
