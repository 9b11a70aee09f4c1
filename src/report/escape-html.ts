/** Escaping text for HTML and SVG (file names and settings come from the user). */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes the five characters that could end text or an attribute value, so any string (a file name with
 * `<&>` or quotes) is shown as itself in element content and in quoted attributes.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
