/** HTML/SVG reports from analysis results: pure string building (imports src/core only). */
export { renderAnalyzeReport, type AnalyzeReportInput } from './analyze-report.js';
export { renderMasterReport, type MasterReportItem } from './master-report.js';
export { renderMixReport, type MixReportInput } from './mix-report.js';
export { escapeHtml } from './escape-html.js';
