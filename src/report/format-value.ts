/** Number formatting for report tables: a fixed number of decimals, a unit, and a dash for undefined values. */

/** Shown for a quantity that is undefined (loudness of silence): never a made-up number. */
export const UNDEFINED_MARK = '—';

/**
 * `value` with `digits` decimals and the unit, or UNDEFINED_MARK for null, undefined and non-finite values.
 * @param digits decimals (0..6)
 */
export function formatNumber(value: number | null | undefined, digits: number, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return UNDEFINED_MARK;
  const s = value.toFixed(digits);
  // -0.00 reads as a sign error.
  const text = /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
  return unit ? `${text} ${unit}` : text;
}
