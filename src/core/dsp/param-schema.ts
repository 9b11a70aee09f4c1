/**
 * Validation schemas generated from parameter tables (valibot), so one table drives validation of
 * sessions and chains, the JSON Schema (`mixmaster schema`) and the error messages, which name the
 * path and say what is wrong: `chain[2].ratio: must be >= 1`.
 */
import * as v from 'valibot';
import type { ParamSpec, ParamTable } from './param-table.js';

const num = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6))));

/** The valibot schema of one parameter (always optional: processors have defaults). */
export function paramSchema(spec: ParamSpec) {
  switch (spec.kind) {
    case 'number': {
      const base = v.pipe(
        v.number('must be a number'),
        v.check((x: number) => Number.isFinite(x), 'must be a finite number'),
        v.minValue(spec.min, `must be >= ${num(spec.min)}`),
        v.maxValue(spec.max, `must be <= ${num(spec.max)}`),
        v.check((x: number) => !spec.integer || Number.isInteger(x), 'must be an integer'),
        v.description(`${spec.description} (${spec.unit}, default ${spec.default})`),
      );
      return v.optional(base);
    }
    case 'enum':
      return v.optional(v.pipe(v.picklist(spec.values as string[], `must be one of ${spec.values.join(', ')}`), v.description(spec.description)));
    case 'bool':
      return v.optional(v.pipe(v.boolean('must be true or false'), v.description(spec.description)));
  }
}

/** Object entries for every parameter of a table. */
export function paramEntries(table: ParamTable): Record<string, ReturnType<typeof paramSchema>> {
  const out: Record<string, ReturnType<typeof paramSchema>> = {};
  for (const [k, spec] of Object.entries(table)) out[k] = paramSchema(spec);
  return out;
}

/**
 * Message for strict objects: an unknown key names itself, a missing required key (expected `"key"`,
 * nothing received) says so; anything else must be an object.
 */
export const objectMessage = (issue: { expected: string | null; received: string }) =>
  issue.expected === 'never' ? 'unknown field'
    : issue.received === 'undefined' && issue.expected?.startsWith('"') ? 'required, missing'
      : `must be an object (got ${issue.received})`;

/** One validation problem with its location, e.g. { path: 'chain[2].ratio', message: 'must be >= 1' }. */
export interface ValidationProblem {
  path: string;
  message: string;
}

/** Formats a valibot issue path as `root[2].ratio` (indices in brackets, keys with dots). */
export function formatPath(root: string, path: readonly { key: unknown }[] | undefined): string {
  let out = root;
  for (const p of path ?? []) out += typeof p.key === 'number' ? `[${p.key}]` : out ? `.${String(p.key)}` : String(p.key);
  return out;
}

/** Validates `data` against `schema`; returns the typed value or the problems, each with its path. */
export function validate<T extends v.GenericSchema>(schema: T, data: unknown, root: string):
  { ok: true; value: v.InferOutput<T> } | { ok: false; problems: ValidationProblem[] } {
  const r = v.safeParse(schema, data, { abortPipeEarly: true });
  if (r.success) return { ok: true, value: r.output };
  const problems: ValidationProblem[] = [];
  for (const i of r.issues) {
    const path = (i.path ?? []) as { key: unknown; input: unknown }[];
    // A list where an object belongs passes valibot's object check (a list is an object) and then reads
    // as missing and unknown fields: report the list itself, once.
    const listAsObject = i.type === 'strict_object' && path.length > 0 && Array.isArray(path[path.length - 1].input);
    const problem = listAsObject
      ? { path: formatPath(root, path.slice(0, -1)), message: 'must be an object (got a list)' }
      : { path: formatPath(root, path), message: i.message };
    if (!problems.some((p) => p.path === problem.path && p.message === problem.message)) problems.push(problem);
  }
  return { ok: false, problems };
}
