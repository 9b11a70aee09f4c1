import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/core/analysis/analyzer.js';
import type { AnalysisResult } from '../../src/core/analysis/analysis-result.js';
import { renderAnalyzeReport, renderMasterReport, renderMixReport } from '../../src/report/index.js';
import { decimateSeries } from '../../src/report/analysis-plots.js';
import { flattenSettings } from '../../src/report/settings-table.js';
import { SUMMARY_MEASURES } from '../../src/report/summary-table.js';
import { findAll, parseHtml, polylinePoints, summaryValues, textOf, type Element } from './html-check.js';

const FS = 48000;
const NASTY = `mix <v2> & "final" 'take'.wav`;

/** Sines at `freqs` with amplitudes `amps`, stereo; the second half `stepDb` louder. */
function tones(seconds: number, freqs: number[], amps: number[], stepDb = 0): Float32Array[] {
  const n = seconds * FS;
  const l = new Float32Array(n), r = new Float32Array(n);
  const g = Math.pow(10, stepDb / 20);
  for (let i = 0; i < n; i++) {
    let v = 0;
    freqs.forEach((f, k) => { v += amps[k] * Math.sin((2 * Math.PI * f * i) / FS); });
    if (i >= n / 2) v *= g;
    l[i] = v;
    r[i] = 0.9 * v;
  }
  return [l, r];
}

function analyse(ch: Float32Array[], file: string): AnalysisResult {
  const a = new Analyzer({ sampleRate: FS, channels: ch.length, series: true });
  a.push(ch, ch[0].length);
  return { file, ...a.result() };
}

/** The polylines of the plot whose <title> is `title`, per series label. */
function plotLines(root: Element, title: string): Map<string, [number, number][][]> {
  const svg = findAll(root, 'svg').find((s) => textOf(findAll(s, 'title')[0]) === title);
  if (!svg) throw new Error(`no plot ${title}`);
  const out = new Map<string, [number, number][][]>();
  for (const g of findAll(svg, 'g')) out.set(g.attrs['data-label'], findAll(g, 'polyline').map(polylinePoints));
  return out;
}


describe('analyze report', () => {
  const a = analyse(tones(8, [100, 1000, 5000], [0.05, 0.3, 0.02], 10), NASTY);
  const html = renderAnalyzeReport({ results: [a] });
  const root = parseHtml(html);

  it('is one well-formed, self-contained page', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(findAll(root, 'html').length).toBe(1);
    expect(findAll(root, 'script').length).toBe(0);
    // Nothing to fetch: no src/href attributes, no url() in the CSS.
    expect(html).not.toMatch(/\s(src|href)="/);
    expect(html).not.toMatch(/url\(/);
    expect(findAll(root, 'svg').length).toBe(2);
  });

  it('escapes the file name and shows it as itself', () => {
    expect(html).not.toContain('<v2>');
    expect(textOf(findAll(root, 'h2')[0])).toBe(NASTY);
  });

  it('shows every summary measure with its exact value and rounded text', () => {
    const [col] = summaryValues(findAll(root, 'table')[0]);
    for (const m of SUMMARY_MEASURES) {
      const v = a[m.key] as number | null;
      expect(col.get(m.key)).toBe(v === null ? 'null' : String(v));
    }
    const cells = findAll(root, 'td').filter((td) => td.attrs['data-key'] === 'integratedLufs');
    expect(textOf(cells[0])).toBe(`${(a.integratedLufs as number).toFixed(2)} LUFS`);
  });

  it('spectrum: the highest point is the loudest band (1 kHz here)', () => {
    const [line] = plotLines(root, '1/3-octave spectrum').get('spectrum')!;
    const levels = a.spectrum.levelsDb.map((l) => l ?? -Infinity);
    const loudest = levels.indexOf(Math.max(...levels));
    expect(a.spectrum.bandsHz[loudest]).toBe(1000);
    const top = line.reduce((best, p, i) => (p[1] < line[best][1] ? i : best), 0);
    expect(top).toBe(loudest);
    expect(line.length).toBe(a.spectrum.bandsHz.length);
  });

  it('album: the album loudness with its exact values; silence is a dash, not a number', () => {
    const root2 = parseHtml(renderAnalyzeReport({ results: [a, a], album: { integratedLufs: -17.123456, loudnessRangeLu: null } }));
    const cells = findAll(root2, 'td');
    const album = cells.find((td) => td.attrs['data-key'] === 'albumIntegratedLufs')!;
    expect(album.attrs['data-value']).toBe('-17.123456');
    expect(textOf(album)).toBe('-17.12 LUFS');
    const lra = cells.find((td) => td.attrs['data-key'] === 'albumLoudnessRangeLu')!;
    expect(lra.attrs['data-value']).toBe('null');
    expect(textOf(lra)).toBe('—');
    expect(findAll(root2, 'section').length).toBe(3);
  });

  it('loudness: the short-term line is the series mapped affinely (louder is higher)', () => {
    const lines = plotLines(root, 'Loudness over time');
    const data = decimateSeries(a.loudnessSeries!.shortTermLufs, a.loudnessSeries!.stepSeconds).filter(([, y]) => y !== null) as [number, number][];
    const drawn = lines.get('short-term')!.flat();
    expect(drawn.length).toBe(data.length);
    // Pixel y = c0 + c1 · LUFS for every point (two points fix c0, c1; the rest must agree).
    const c1 = (drawn[drawn.length - 1][1] - drawn[0][1]) / (data[data.length - 1][1] - data[0][1]);
    const c0 = drawn[0][1] - c1 * data[0][1];
    expect(c1).toBeLessThan(0);
    for (let i = 0; i < data.length; i++) expect(Math.abs(c0 + c1 * data[i][1] - drawn[i][1])).toBeLessThan(0.02);
  });
});

describe('master and mix reports', () => {
  const input = analyse(tones(6, [200, 3000], [0.1, 0.05]), `in ${NASTY}`);
  const output = analyse(tones(6, [200, 3000], [0.3, 0.2]), 'out.wav');
  const settings = {
    outputFile: 'out.wav',
    target: { targetLufs: -14, ceilingDbtp: -1, preset: 'spotify', source: 'preset' },
    eq: { enabled: true, bands: [{ type: 'bell', freqHz: 800, gainDb: -2, q: 1.2 }] },
    limiter: { inputGainDb: 7.25, ceilingDbtp: -1, maxGainReductionDb: null },
    note: '<script>alert(1)</script>',
    skipped: [],
  };

  it('master: input and output side by side, overlaid plots, every setting as a row', () => {
    const html = renderMasterReport([{ input, output, settings, warnings: [{ code: 'heavy-limiting', message: 'a < b & c' }], targetLufs: -14 }]);
    const root = parseHtml(html);
    expect(findAll(root, 'script').length).toBe(0);
    const [inCol, outCol] = summaryValues(findAll(root, 'table')[0]);
    expect(inCol.get('truePeakDbtp')).toBe(String(input.truePeakDbtp));
    expect(outCol.get('integratedLufs')).toBe(String(output.integratedLufs));
    const spectra = plotLines(root, '1/3-octave spectrum');
    expect([...spectra.keys()]).toEqual(['input', 'output']);
    // The louder output is drawn above the input in every band (both lines share the axis).
    const [i0] = spectra.get('input')!, [o0] = spectra.get('output')!;
    expect(o0.length).toBe(i0.length);
    for (let k = 0; k < i0.length; k++) {
      expect(o0[k][0]).toBeCloseTo(i0[k][0], 2);
      expect(o0[k][1]).toBeLessThanOrEqual(i0[k][1]);
    }
    const loud = plotLines(root, 'Loudness over time');
    expect([...loud.keys()]).toEqual(['input short-term', 'output momentary', 'output short-term']);
    // Settings: one row per leaf, the EQ band on one row, text escaped.
    const rows = findAll(findAll(root, 'table').find((t) => t.attrs.class === 'settings')!, 'tr')
      .map((tr) => [textOf(findAll(tr, 'th')[0] ?? tr), findAll(tr, 'td').map(textOf)[0]] as const).filter(([, v]) => v !== undefined);
    const byPath = new Map(rows);
    expect(byPath.get('limiter.inputGainDb')).toBe('7.25');
    expect(byPath.get('limiter.maxGainReductionDb')).toBe('—');
    expect(byPath.get('eq.bands[0]')).toBe('type bell, freqHz 800, gainDb -2, q 1.2');
    expect(byPath.get('note')).toBe('<script>alert(1)</script>');
    expect(byPath.get('skipped')).toBe('none');
    expect(rows.length).toBe(flattenSettings(settings).length);
    expect(textOf(root)).toContain('a < b & c');
  });

  it('mix: the output analysis and the settings', () => {
    const html = renderMixReport({ session: `s ${NASTY}.yaml`, output, settings: { tracks: 3, renderOrder: ['a', 'b'] }, warnings: [] });
    const root = parseHtml(html);
    const [col] = summaryValues(findAll(root, 'table')[0]);
    expect(col.get('plrDb')).toBe(String(output.plrDb));
    expect(textOf(root)).toContain(`s ${NASTY}.yaml`);
    expect(textOf(root)).toContain('a, b');
  });
});
