/** The analysis fields of shared/DESIGN.md's JSON contract, in every command that reports them. */
export interface AnalysisWarning {
  code: string;
  message: string;
}

export interface SpectrumResult {
  /** 1/3-octave band centre frequencies (IEC 61260 nominal), Hz. */
  bandsHz: number[];
  /** Long-term level per band, dB relative to full scale (power sum over channels averaged). */
  levelsDb: (number | null)[];
  /**
   * Spectral flatness from 200 Hz to 5 kHz, dB: each analysed window's within-band geometric/arithmetic
   * mean ratio, power-weighted over bands and windows. Near 0 for noise (drums, cymbals), −10 dB and
   * below for pitched parts; null when silent, not measured, or with nothing within 50 dB of each
   * window's power in that range (a sub-bass sine).
   */
  flatnessDb?: number | null;
}

export interface LoudnessSeries {
  /** Seconds between points. */
  stepSeconds: number;
  /** Momentary loudness (400 ms) per step, LUFS; null where silent. */
  momentaryLufs: (number | null)[];
  /** Short-term loudness (3 s) per step, LUFS; null where silent. */
  shortTermLufs: (number | null)[];
}

export interface AnalysisResult {
  file?: string;
  sampleRate: number;
  channels: number;
  frames: number;
  durationSeconds: number;
  integratedLufs: number | null;
  loudnessRangeLu: number | null;
  momentaryMaxLufs: number | null;
  shortTermMaxLufs: number | null;
  truePeakDbtp: number | null;
  samplePeakDbfs: number | null;
  rmsDbfs: number | null;
  crestDb: number | null;
  plrDb: number | null;
  correlation: number | null;
  dcOffset: number[];
  clippedSamples: number;
  nonFiniteSamples: number;
  spectrum: SpectrumResult;
  /** Per-channel details. */
  channelStats?: { samplePeakDbfs: number | null; truePeakDbtp: number | null; rmsDbfs: number | null }[];
  /** Loudness over time for plots (not in the compact JSON unless asked). */
  loudnessSeries?: LoudnessSeries;
  warnings: AnalysisWarning[];
}
