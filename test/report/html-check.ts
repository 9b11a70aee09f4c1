/**
 * A tiny independent HTML/SVG reader for the report tests: tag balance (every opened element closed, in
 * order; HTML void elements and self-closed SVG elements excepted), attributes, and text with the five
 * entities decoded. Not a full HTML parser: the report emits only plain elements, no comments or scripts.
 */

const VOID = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'col', 'area', 'base', 'wbr', 'source', 'track', 'embed', 'param']);

export interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

const decode = (s: string): string => s.replace(/&(lt|gt|amp|quot|#39);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'" })[e]!);

/** Parses `html`; throws on an unclosed, mismatched or stray closing tag, or a raw `<`/`&` in text. */
export function parseHtml(html: string): Element {
  const root: Element = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: Element[] = [root];
  const re = /<(\/?)([a-zA-Z!][\w:-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*(\/?)>|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html)) !== null) {
    const [, close, rawName, attrText, selfClose, text, stray] = m;
    if (stray) throw new Error(`stray "<" at ${m.index}`);
    if (text !== undefined) {
      if (/&(?!(lt|gt|amp|quot|#39);)/.test(text)) throw new Error(`unescaped & in text near ${JSON.stringify(text.slice(0, 40))}`);
      stack[stack.length - 1].text += decode(text);
      continue;
    }
    const name = rawName.toLowerCase();
    if (name === '!doctype') continue;
    if (close) {
      const top = stack.pop();
      if (!top || top.name !== name) throw new Error(`</${name}> closes <${top?.name}> at ${m.index}`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) {
      if (/[<>]/.test(a[2] ?? '')) throw new Error(`unescaped < or > in attribute ${a[1]}`);
      attrs[a[1]] = decode(a[2] ?? '');
    }
    const el: Element = { name, attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    if (!selfClose && !VOID.has(name)) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  return root;
}

/** Every element named `name` under `el`, in document order. */
export function findAll(el: Element, name: string, out: Element[] = []): Element[] {
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    findAll(c, name, out);
  }
  return out;
}

/** All the text under `el`. */
export function textOf(el: Element): string {
  return el.text + el.children.map(textOf).join('');
}

/** The points of a polyline as [x, y] pixel pairs. */
export function polylinePoints(el: Element): [number, number][] {
  return el.attrs.points.trim().split(/\s+/).map((p) => p.split(',').map(Number) as [number, number]);
}

/** data-key → data-value of the summary cells, per column. */
export function summaryValues(table: Element): Map<string, string>[] {
  const cols: Map<string, string>[] = [];
  for (const tr of findAll(table, 'tr')) {
    findAll(tr, 'td').forEach((td, i) => {
      cols[i] ??= new Map();
      if (td.attrs['data-key']) cols[i].set(td.attrs['data-key'], td.attrs['data-value']);
    });
  }
  return cols;
}
