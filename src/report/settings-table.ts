/**
 * The settings of a command (every decision the engine took: plain JSON data) as a readable two-column
 * table: one row per leaf, named by its path (`limiter.inputGainDb`), grouped under the top-level keys.
 * A small flat object inside a list (an EQ band, a resonance) is one row: `type bell, freqHz 800, q 1.2`.
 */
import { escapeHtml } from './escape-html.js';
import { UNDEFINED_MARK } from './format-value.js';

/** Nesting below this depth is shown as JSON text (settings are shallow; this only guards odd input). */
const MAX_DEPTH = 8;
/** A flat object with at most this many keys is written on one row. */
const INLINE_KEYS = 8;

type Row = [path: string, value: string];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPrimitive(v: unknown): boolean {
  return v === null || v === undefined || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

/** A leaf value as text: numbers to at most 4 decimals, null as a dash. */
export function formatLeaf(v: unknown): string {
  if (v === null || v === undefined) return UNDEFINED_MARK;
  if (typeof v === 'number') return Number.isFinite(v) ? String(+v.toFixed(4)) : UNDEFINED_MARK;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v) && v.every(isPrimitive)) return v.length === 0 ? 'none' : v.map(formatLeaf).join(', ');
  return JSON.stringify(v);
}

function isInlineObject(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  const entries = Object.entries(v);
  return entries.length <= INLINE_KEYS && entries.every(([, x]) => isPrimitive(x) || (Array.isArray(x) && x.every(isPrimitive) && x.length <= 4));
}

/** Flattens `value` into rows under `path`. */
export function flattenSettings(value: unknown, path = '', depth = 0, rows: Row[] = []): Row[] {
  if (isPrimitive(value) || depth >= MAX_DEPTH || (Array.isArray(value) && value.every(isPrimitive))) {
    rows.push([path, formatLeaf(value)]);
  } else if (Array.isArray(value)) {
    if (value.length === 0) rows.push([path, 'none']);
    value.forEach((item, i) => {
      const p = `${path}[${i}]`;
      if (isInlineObject(item)) rows.push([p, Object.entries(item).filter(([, x]) => x !== undefined).map(([k, x]) => `${k} ${formatLeaf(x)}`).join(', ')]);
      else flattenSettings(item, p, depth + 1, rows);
    });
  } else if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([, x]) => x !== undefined);
    if (entries.length === 0) rows.push([path, UNDEFINED_MARK]);
    for (const [k, x] of entries) flattenSettings(x, path ? `${path}.${k}` : k, depth + 1, rows);
  } else {
    rows.push([path, String(value)]);
  }
  return rows;
}

/** The table; rows are grouped under a heading row per top-level key. */
export function settingsTable(settings: unknown): string {
  const all = flattenSettings(settings);
  // Top-level values first, then the groups, so no plain value lands under a group's heading.
  const isLeaf = (path: string) => !/[.[]/.test(path);
  const rows = [...all.filter(([p]) => isLeaf(p)), ...all.filter(([p]) => !isLeaf(p))];
  const out: string[] = ['<table class="settings">', '<thead><tr><th scope="col">setting</th><th scope="col">value</th></tr></thead>', '<tbody>'];
  let group = '';
  for (const [path, value] of rows) {
    const top = path.split(/[.[]/)[0];
    if (top !== group && !isLeaf(path)) out.push(`<tr class="group"><th colspan="2" scope="rowgroup">${escapeHtml(top)}</th></tr>`);
    group = top;
    out.push(`<tr><th scope="row"><code>${escapeHtml(path)}</code></th><td>${escapeHtml(value)}</td></tr>`);
  }
  out.push('</tbody>', '</table>');
  return out.join('\n');
}
