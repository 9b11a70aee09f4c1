/** The public programmatic API of mixmaster: one function per command, returning result objects. */
export { analyzeFile, analyzeFiles, analyzeReader, type AnalyzeOptions, type AnalyzeFilesOptions, type AlbumLoudness } from './analyze-files.js';
export { runDemo, type DemoOptions, type DemoResult } from './demo.js';
export type { AnalysisResult, AnalysisWarning } from '../core/analysis/analysis-result.js';
export { AudioFileError } from '../io/audio-reader.js';
export { processFile, loadChain, type ProcessOptions, type ProcessResult } from './process-file.js';
export { masterFiles, type MasterOptions, type MasterResult, type MasterSettings } from './master-files.js';
export { mixSession, type MixOptions, type MixResult, type MixSettings } from './mix-session.js';
export type { BitDepth } from './output-format.js';
// HTML reports from result objects (what --report writes), for callers that render their own.
export { renderAnalyzeReport, renderMasterReport, renderMixReport, type AnalyzeReportInput, type MasterReportItem, type MixReportInput } from '../report/index.js';
export { importDawProject, type ImportDawProjectOptions, type ImportDawProjectResult } from './import-dawproject.js';
export { setWasmKernels } from './wasm-env.js';
