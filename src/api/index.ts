/** The public programmatic API of mixmaster: one function per command, returning result objects. */
export { analyzeFile, analyzeFiles, analyzeReader, type AnalyzeOptions, type AlbumLoudness } from './analyze-files.js';
export { runDemo, type DemoOptions, type DemoResult } from './demo.js';
export type { AnalysisResult, AnalysisWarning } from '../core/analysis/analysis-result.js';
export { AudioFileError } from '../io/audio-reader.js';
export { processFile, loadChain, type ProcessOptions, type ProcessResult } from './process-file.js';
export type { BitDepth } from './output-format.js';
