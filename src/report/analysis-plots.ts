/**
 * The two plots of an analysis: loudness over time (momentary and short-term, BS.1770 / EBU Tech 3341)
 * and the long-term 1/3-octave spectrum. Several analyses overlay on one plot (before/after a master).
 */
import type { LoudnessSeries, SpectrumResult } from '../core/analysis/analysis-result.js';
import { renderLinePlot, type PlotSeries } from './svg-plot.js';

/** One analysis on a plot: a legend label and a colour. */
export interface PlotTrace {
  label: string;
  color: string;
}

/** Points drawn per loudness line at most: a 10 min file at 100 ms steps is 6000 points; hours are more. */
export const MAX_SERIES_POINTS = 2000;

/**
 * Shortens a loudness series to at most `maxPoints` by taking the loudest value of each run of steps
 * (a plot of loudness should show peaks, not lose them): x is the start time of the run, s.
 * Runs where every value is null stay null (silence is a gap).
 */
export function decimateSeries(values: readonly (number | null)[], stepSeconds: number, maxPoints = MAX_SERIES_POINTS): [number, number | null][] {
  const per = Math.max(1, Math.ceil(values.length / maxPoints));
  const out: [number, number | null][] = [];
  for (let i = 0; i < values.length; i += per) {
    let best: number | null = null;
    for (let j = i; j < Math.min(values.length, i + per); j++) {
      const v = values[j];
      if (v !== null && Number.isFinite(v) && (best === null || v > best)) best = v;
    }
    out.push([i * stepSeconds, best]);
  }
  return out;
}

/** m:ss for tick labels of a time axis. */
export function formatTime(seconds: number): string {
  if (seconds < 60) return `${+seconds.toFixed(2)} s`;
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s < 10 ? '0' : ''}${+s.toFixed(1)}`;
}

/**
 * Loudness over time. With one trace both momentary (thin) and short-term (thick) are drawn; with several
 * (before/after), the short-term of each, plus the momentary of the last one.
 * @param lines horizontal reference lines (a target), LUFS
 * @returns SVG, or null when no trace has a series (the analysis ran without one)
 */
export function loudnessPlot(traces: (PlotTrace & { series: LoudnessSeries | undefined })[], lines: { y: number; label: string; color: string }[] = []): string | null {
  const withSeries = traces.filter((t) => t.series !== undefined);
  if (withSeries.length === 0) return null;
  const series: PlotSeries[] = [];
  withSeries.forEach((t, i) => {
    const s = t.series!;
    const last = i === withSeries.length - 1;
    if (last) series.push({ label: withSeries.length > 1 ? `${t.label} momentary` : 'momentary', color: t.color, points: decimateSeries(s.momentaryLufs, s.stepSeconds), strokeWidth: 0.8, dashed: false });
    series.push({ label: withSeries.length > 1 ? `${t.label} short-term` : 'short-term', color: last ? '#111' : t.color, points: decimateSeries(s.shortTermLufs, s.stepSeconds), strokeWidth: 2 });
  });
  return renderLinePlot({ title: 'Loudness over time', xLabel: 'time', yLabel: 'LUFS', series, hLines: lines, formatX: formatTime });
}

/** Bands whose level is this far below the loudest are clipped to it, dB (a silent band would squash the scale). */
export const SPECTRUM_FLOOR_DB = 90;

/** The 1/3-octave spectrum, one line per trace, on a log frequency axis. */
export function spectrumPlot(traces: (PlotTrace & { spectrum: SpectrumResult })[]): string {
  let top = -Infinity;
  for (const t of traces) for (const l of t.spectrum.levelsDb) if (l !== null && Number.isFinite(l)) top = Math.max(top, l);
  const floor = top - SPECTRUM_FLOOR_DB;
  const series: PlotSeries[] = traces.map((t) => ({
    label: t.label,
    color: t.color,
    markers: true,
    points: t.spectrum.bandsHz.map((f, i): [number, number | null] => {
      const l = t.spectrum.levelsDb[i];
      return [f, l === null || l === undefined || !Number.isFinite(l) ? null : Math.max(floor, l)];
    }),
  }));
  return renderLinePlot({ title: '1/3-octave spectrum', xLabel: 'frequency, Hz', yLabel: 'dB (full-scale sine = 0)', xScale: 'log', series });
}
