import { describe, expect, it } from 'vitest';
import { renderLinePlot, niceStep } from '../../src/report/svg-plot.js';
import { decimateSeries } from '../../src/report/analysis-plots.js';
import { escapeHtml } from '../../src/report/escape-html.js';
import { findAll, parseHtml, polylinePoints, textOf } from './html-check.js';

/** Least-squares line through (u, v): the plot maps data to pixels by an affine map per axis. */
function fitLine(u: number[], v: number[]): { a: number; b: number; maxResidual: number } {
  const n = u.length;
  const mu = u.reduce((s, x) => s + x, 0) / n, mv = v.reduce((s, x) => s + x, 0) / n;
  let suv = 0, suu = 0;
  for (let i = 0; i < n; i++) { suv += (u[i] - mu) * (v[i] - mv); suu += (u[i] - mu) ** 2; }
  const b = suv / suu, a = mv - b * mu;
  return { a, b, maxResidual: Math.max(...u.map((x, i) => Math.abs(a + b * x - v[i]))) };
}

describe('renderLinePlot', () => {
  it('maps log-x data to pixels affinely in log f and in level, up is louder', () => {
    const f = [20, 25, 31.5, 40, 63, 100, 250, 1000, 4000, 16000];
    const y = f.map((x, i) => -30 + 12 * Math.sin(i * 1.7) - 0.001 * x);
    const svg = renderLinePlot({ title: 't', xLabel: 'x', yLabel: 'y', xScale: 'log', series: [{ label: 's', color: '#000', points: f.map((x, i) => [x, y[i]]) }] });
    const lines = findAll(parseHtml(svg), 'polyline');
    expect(lines.length).toBe(1);
    const p = polylinePoints(lines[0]);
    expect(p.length).toBe(f.length);
    const fx = fitLine(f.map(Math.log), p.map((q) => q[0]));
    const fy = fitLine(y, p.map((q) => q[1]));
    expect(fx.maxResidual).toBeLessThan(0.02); // pixels are rounded to 0.01
    expect(fy.maxResidual).toBeLessThan(0.02);
    expect(fx.b).toBeGreaterThan(0);
    expect(fy.b).toBeLessThan(0); // SVG y grows downwards
    // The highest point on screen is the largest value.
    const top = p.reduce((best, q, i) => (q[1] < p[best][1] ? i : best), 0);
    expect(top).toBe(y.indexOf(Math.max(...y)));
  });

  it('breaks the line at nulls and keeps every defined point inside the plot area', () => {
    const pts: [number, number | null][] = [[0, -20], [1, -18], [2, null], [3, -25], [4, -24], [5, -23], [6, null], [7, -10]];
    const root = parseHtml(renderLinePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 's', color: 'red', points: pts }] }));
    const lines = findAll(root, 'polyline').map(polylinePoints);
    expect(lines.map((l) => l.length)).toEqual([2, 3]);
    const frame = findAll(root, 'rect')[0].attrs;
    const [x0, y0, w, h] = ['x', 'y', 'width', 'height'].map((k) => Number(frame[k]));
    // The lone point after the second gap is drawn as a dot.
    const dots = findAll(root, 'circle');
    expect(dots.length).toBe(1);
    for (const [x, y] of [...lines.flat(), [Number(dots[0].attrs.cx), Number(dots[0].attrs.cy)]]) {
      expect(x).toBeGreaterThanOrEqual(x0);
      expect(x).toBeLessThanOrEqual(x0 + w);
      expect(y).toBeGreaterThanOrEqual(y0);
      expect(y).toBeLessThanOrEqual(y0 + h);
    }
  });

  it('escapes labels and says "no data" for an empty plot', () => {
    const label = `a<b & "c"'d>`;
    const svg = renderLinePlot({ title: label, xLabel: label, yLabel: 'y', series: [{ label, color: '#000', points: [[1, null]] }] });
    expect(svg).not.toContain('<b ');
    const root = parseHtml(svg);
    expect(textOf(findAll(root, 'title')[0])).toBe(label);
    expect(findAll(root, 'g')[0].attrs['data-label']).toBe(label);
    expect(textOf(root)).toContain('no data');
  });
});

describe('plot helpers', () => {
  it('niceStep gives 1, 2 or 5 times a power of ten near span/count', () => {
    for (const span of [0.37, 3, 17, 99, 1234]) {
      const s = niceStep(span, 6);
      const m = s / Math.pow(10, Math.floor(Math.log10(s) + 1e-12));
      expect([1, 2, 5, 10].some((k) => Math.abs(m - k) < 1e-9)).toBe(true);
      expect(span / s).toBeGreaterThanOrEqual(1.2);
      expect(span / s).toBeLessThanOrEqual(12);
    }
  });

  it('decimateSeries keeps the loudest value of each run and null for silent runs', () => {
    const v = Array.from({ length: 10000 }, (_, i) => (i >= 5000 && i < 5100 ? null : -30 + Math.sin(i)));
    v[1234] = -1;
    const d = decimateSeries(v, 0.1, 1000);
    expect(d.length).toBe(1000);
    const per = 10;
    d.forEach(([t, y], k) => {
      expect(t).toBeCloseTo(k * per * 0.1, 9);
      const slice = v.slice(k * per, k * per + per).filter((x): x is number => x !== null);
      expect(y).toBe(slice.length ? Math.max(...slice) : null);
    });
    expect(Math.max(...d.map(([, y]) => y ?? -Infinity))).toBe(-1);
  });

  it('escapeHtml turns the five special characters into entities', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
