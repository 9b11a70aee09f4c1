/**
 * The page around a report: one self-contained HTML5 document with inline CSS (no scripts, fonts,
 * images or links to fetch), so it opens offline and can be mailed as one file.
 */
import { escapeHtml } from './escape-html.js';

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 2em auto; max-width: 980px; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; word-break: break-all; }
h3 { font-size: 1.05em; margin-top: 1.4em; }
p.meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.group th { background: #f7f7f7; font-weight: 600; }
table.settings td { word-break: break-word; }
ul.warnings { margin: 0; padding-left: 1.2em; }
code { font-size: 0.92em; }
svg.plot { display: block; max-width: 100%; height: auto; margin: 0.6em 0; }
svg .grid { stroke: #eee; stroke-width: 1; }
svg .tick { font-size: 11px; fill: #555; }
svg .axis-label { font-size: 12px; fill: #333; }
svg .plot-title { font-size: 13px; font-weight: 600; fill: #222; }
svg .legend { font-size: 11px; fill: #222; }
svg .halo { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
`;

/**
 * The document.
 * @param title plain text (escaped here)
 * @param body HTML fragments, already escaped by their builders
 */
export function htmlPage(title: string, subtitle: string, body: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">${escapeHtml(subtitle)}</p>`,
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
