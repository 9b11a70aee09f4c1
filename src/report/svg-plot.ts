/**
 * A line plot as an inline SVG string: linear or logarithmic x axis, linear y axis, several series with
 * gaps (null values break the line), optional horizontal reference lines, axis ticks and a legend.
 * Pure string building: no DOM, no script, no external assets, so the report opens offline.
 */
import { escapeHtml } from './escape-html.js';

export interface PlotSeries {
  label: string;
  /** Any CSS colour. */
  color: string;
  /** [x, y] pairs in data units, in x order; y null is a gap. */
  points: readonly (readonly [number, number | null])[];
  /** Stroke width, px (default 1.5). */
  strokeWidth?: number;
  dashed?: boolean;
  /** Draw a dot at every point (for sparse data such as 1/3-octave bands). */
  markers?: boolean;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** 'log' needs x > 0 (points with x <= 0 are dropped). Default 'linear'. */
  xScale?: 'linear' | 'log';
  series: PlotSeries[];
  /** Horizontal reference lines (a target loudness, a ceiling). */
  hLines?: { y: number; label: string; color: string }[];
  /** Tick label for an x value (default: a short number). */
  formatX?: (x: number) => string;
  /** Size in px (default 720 × 300). */
  width?: number;
  height?: number;
}

/** Plot-area margins, px: room for tick labels (left, bottom) and the title (top). */
const MARGIN = { left: 58, right: 16, top: 30, bottom: 42 };
/** Ticks aimed for on a linear axis. */
const TARGET_TICKS = 6;

/** A "nice" tick step (1, 2 or 5 × 10^k) giving about `count` ticks over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const r = raw / mag;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

/** Short number: up to 3 significant decimals, k for thousands (1.25k). */
export function shortNumber(x: number): string {
  if (Math.abs(x) >= 1000) return `${+(x / 1000).toFixed(2)}k`;
  return String(+x.toFixed(3));
}

/** The x ticks of a log axis: 1, 2, 5 × 10^k inside [lo, hi]. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * Math.pow(10, e);
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(t);
    }
  }
  return ticks;
}

function linearTicks(lo: number, hi: number, step: number): number[] {
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

const px = (v: number): string => String(Math.round(v * 100) / 100);

/** Renders the plot; a plot without any finite point shows its frame and "no data". */
export function renderLinePlot(opts: PlotOptions): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 300;
  const log = opts.xScale === 'log';
  const fmtX = opts.formatX ?? shortNumber;
  const series = opts.series.map((s) => ({ ...s, points: s.points.filter(([x]) => Number.isFinite(x) && (!log || x > 0)) }));

  let xLo = Infinity, xHi = -Infinity, yLo = Infinity, yHi = -Infinity;
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (x < xLo) xLo = x;
      if (x > xHi) xHi = x;
      if (y !== null && Number.isFinite(y)) { if (y < yLo) yLo = y; if (y > yHi) yHi = y; }
    }
  }
  for (const h of opts.hLines ?? []) if (Number.isFinite(h.y)) { yLo = Math.min(yLo, h.y); yHi = Math.max(yHi, h.y); }
  const hasData = Number.isFinite(yLo) && Number.isFinite(xLo);
  if (!hasData) { xLo = log ? 1 : 0; xHi = log ? 10 : 1; yLo = 0; yHi = 1; }
  if (xHi <= xLo) { xHi = log ? xLo * 2 : xLo + 1; }
  // The y range widens to whole ticks (and at least 1 unit) so lines never touch the frame.
  if (yHi - yLo < 1) { const mid = (yHi + yLo) / 2; yLo = mid - 0.5; yHi = mid + 0.5; }
  const yStep = niceStep(yHi - yLo, TARGET_TICKS);
  yLo = Math.floor(yLo / yStep) * yStep;
  yHi = Math.ceil(yHi / yStep) * yStep;

  const left = MARGIN.left, right = W - MARGIN.right, top = MARGIN.top, bottom = H - MARGIN.bottom;
  const fx = log
    ? (x: number) => left + ((Math.log(x) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo))) * (right - left)
    : (x: number) => left + ((x - xLo) / (xHi - xLo)) * (right - left);
  const fy = (y: number) => bottom - ((y - yLo) / (yHi - yLo)) * (bottom - top);

  const parts: string[] = [];
  const title = escapeHtml(opts.title);
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${title}" class="plot">`);
  parts.push(`<title>${title}</title>`);
  parts.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="#fff" stroke="#999"/>`);
  parts.push(`<text x="${left}" y="${top - 10}" class="plot-title">${title}</text>`);

  // Grid and tick labels.
  for (const t of linearTicks(yLo, yHi, yStep)) {
    const y = px(fy(t));
    parts.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" class="tick">${escapeHtml(shortNumber(t))}</text>`);
  }
  const xTicks = log ? logTicks(xLo, xHi) : linearTicks(xLo, xHi, niceStep(xHi - xLo, TARGET_TICKS));
  for (const t of xTicks) {
    const x = px(fx(t));
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" class="grid"/>`);
    parts.push(`<text x="${x}" y="${bottom + 16}" text-anchor="middle" class="tick">${escapeHtml(fmtX(t))}</text>`);
  }
  parts.push(`<text x="${(left + right) / 2}" y="${H - 6}" text-anchor="middle" class="axis-label">${escapeHtml(opts.xLabel)}</text>`);
  parts.push(`<text x="14" y="${(top + bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(top + bottom) / 2})" class="axis-label">${escapeHtml(opts.yLabel)}</text>`);

  for (const h of opts.hLines ?? []) {
    if (!Number.isFinite(h.y)) continue;
    const y = px(fy(h.y));
    parts.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="${escapeHtml(h.color)}" stroke-dasharray="6 4" stroke-width="1"/>`);
    parts.push(`<text x="${right - 4}" y="${+y - 4}" text-anchor="end" class="tick halo" fill="${escapeHtml(h.color)}">${escapeHtml(h.label)}</text>`);
  }

  // Series: one polyline per run of defined values; isolated points are dots.
  series.forEach((s, i) => {
    const color = escapeHtml(s.color);
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    parts.push(`<g class="series" data-series="${i}" data-label="${escapeHtml(s.label)}">`);
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) parts.push(`<polyline points="${run.join(' ')}" fill="none" stroke="${color}" stroke-width="${s.strokeWidth ?? 1.5}"${dash} stroke-linejoin="round"/>`);
      else if (run.length === 1 && !s.markers) { const [x, y] = run[0].split(','); parts.push(`<circle cx="${x}" cy="${y}" r="1.5" fill="${color}"/>`); }
      run = [];
    };
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y)) { flush(); continue; }
      run.push(`${px(fx(x))},${px(fy(y))}`);
    }
    flush();
    if (s.markers) {
      for (const [x, y] of s.points) if (y !== null && Number.isFinite(y)) parts.push(`<circle cx="${px(fx(x))}" cy="${px(fy(y))}" r="2.5" fill="${color}"/>`);
    }
    parts.push('</g>');
  });

  if (!hasData) parts.push(`<text x="${(left + right) / 2}" y="${(top + bottom) / 2}" text-anchor="middle" class="axis-label">no data</text>`);

  // Legend, top right inside the plot area.
  const shown = series.filter((s) => s.label !== '');
  shown.forEach((s, i) => {
    const y = top + 14 + i * 16;
    const x = right - 190;
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    parts.push(`<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${escapeHtml(s.color)}" stroke-width="${Math.max(2, s.strokeWidth ?? 1.5)}"${dash}/>`);
    parts.push(`<text x="${x + 28}" y="${y}" dominant-baseline="middle" class="legend halo">${escapeHtml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
