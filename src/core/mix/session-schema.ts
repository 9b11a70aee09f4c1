/**
 * The session file (shared/DESIGN.md "Session file"): its valibot schema, its types, and the checks the
 * schema alone cannot make (unique names, known buses, automation paths, sidechain sources).
 *
 * Units are in the names. Times: `startSeconds` is the clip's position on the timeline; `trimInSeconds` /
 * `trimOutSeconds` are positions in the source file (after resampling to the session rate); `fadeInSeconds` /
 * `fadeOutSeconds` are linear-amplitude fades at the clip's ends. Automation breakpoint times are timeline
 * seconds (the same clock as `startSeconds`), so moving a clip does not move its automation.
 *
 * Automation paths (the keys of `automation`, on tracks, buses and master):
 *   `gainDb`                 the fader
 *   `pan`                    pan / balance
 *   `sends[<i>].levelDb`     the level of send i
 *   `inserts[<i>].<param>`   any numeric parameter of insert i, e.g. `inserts[0].thresholdDb`
 * Values are in the parameter's unit and must lie in its range.
 */
import * as v from 'valibot';
import { insertDefinition, insertSchema, type InsertSpec } from '../dsp/insert-catalog.js';
import { objectMessage, validate, type ValidationProblem } from '../dsp/param-schema.js';
import type { NumberParamSpec } from '../dsp/param-table.js';

/** The reserved name of the master bus (a valid `output` everywhere). */
export const MASTER = 'master';

const finite = (what: string) => v.pipe(v.number(`${what} must be a number`), v.check((x: number) => Number.isFinite(x), 'must be a finite number'));
const ranged = (min: number, max: number, desc: string) =>
  v.pipe(finite('value'), v.minValue(min, `must be >= ${min}`), v.maxValue(max, `must be <= ${max}`), v.description(desc));
const name = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.description('Unique name (tracks and buses share one namespace; "master" is reserved)'));

/** Curve between breakpoints: `linear` (default) and `exponential` act on the physical quantity (see automation.ts). */
export const CURVES = ['linear', 'exponential', 'step'] as const;
export type AutomationCurve = (typeof CURVES)[number];

const point = v.pipe(v.tuple([finite('time'), finite('value')], 'a breakpoint is [seconds, value]'), v.check((p) => p[0] >= 0, 'time must be >= 0'));
const points = v.pipe(
  v.array(point, 'must be a list of [seconds, value] breakpoints'),
  v.minLength(1, 'needs at least one breakpoint'),
  v.check((ps) => ps.every((p, i) => i === 0 || p[0] >= ps[i - 1][0]), 'breakpoint times must not decrease'),
);
const lane = v.union(
  [points, v.strictObject({ curve: v.optional(v.picklist(CURVES, `must be one of ${CURVES.join(', ')}`)), points }, objectMessage)],
  'must be a list of [seconds, value] breakpoints or { curve, points }',
);
const automation = v.pipe(v.record(v.string(), lane, 'must be an object of parameter paths'), v.description('Breakpoint automation: { "<path>": [[seconds, value], ...] } or { curve, points }'));

const send = v.strictObject({
  bus: v.pipe(v.string('must be a string'), v.description('Destination bus')),
  levelDb: v.optional(ranged(-120, 24, 'Send level in dB (default 0)')),
  preFader: v.optional(v.pipe(v.boolean('must be true or false'), v.description('Tap before the fader (default false: after)'))),
}, objectMessage);

const common = {
  gainDb: v.optional(ranged(-120, 24, 'Fader in dB (default 0)')),
  pan: v.optional(ranged(-1, 1, 'Pan (mono) / balance (stereo), -1 left .. 1 right (default 0)')),
  mute: v.optional(v.boolean('must be true or false')),
  inserts: v.optional(v.array(insertSchema, 'must be a list of inserts')),
  sends: v.optional(v.array(send, 'must be a list of sends')),
  output: v.optional(v.pipe(v.string('must be a string'), v.description('Destination bus (default master)'))),
  automation: v.optional(automation),
};

const track = v.strictObject({
  name,
  file: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.description('Audio file, relative to the session file')),
  startSeconds: v.optional(ranged(0, 86400, 'Position on the timeline in seconds (default 0)')),
  trimInSeconds: v.optional(ranged(0, 86400, 'Start inside the file in seconds (default 0)')),
  trimOutSeconds: v.optional(ranged(0, 86400, 'End inside the file in seconds (default: end of file)')),
  fadeInSeconds: v.optional(ranged(0, 86400, 'Linear fade-in at the clip start, seconds')),
  fadeOutSeconds: v.optional(ranged(0, 86400, 'Linear fade-out at the clip end, seconds')),
  solo: v.optional(v.boolean('must be true or false')),
  invertPolarity: v.optional(v.boolean('must be true or false')),
  ...common,
}, objectMessage);

const bus = v.strictObject({ name, ...common }, objectMessage);

const master = v.strictObject({
  inserts: v.optional(v.array(insertSchema, 'must be a list of inserts')),
  gainDb: v.optional(ranged(-120, 24, 'Master fader in dB (default 0)')),
  automation: v.optional(automation),
}, objectMessage);

/** The valibot schema of a whole session. */
export const sessionSchema = v.strictObject({
  sampleRate: v.optional(v.pipe(finite('sampleRate'), v.integer('must be an integer'), v.minValue(8000, 'must be >= 8000'), v.maxValue(384000, 'must be <= 384000'),
    v.description('Session rate in Hz (default: the first track\'s rate; other files are resampled)'))),
  panLawDb: v.optional(v.pipe(v.picklist([0, -3, -4.5, -6], 'must be one of 0, -3, -4.5, -6'), v.description('Pan law for mono sources: centre attenuation in dB (default -3)'))),
  tailSeconds: v.optional(ranged(0, 600, 'Extra time rendered after the last clip ends, for reverb/delay tails (default 0)')),
  tracks: v.pipe(v.array(track, 'must be a list of tracks'), v.minLength(1, 'needs at least one track')),
  buses: v.optional(v.array(bus, 'must be a list of buses')),
  master: v.optional(master),
}, objectMessage);

export type Session = v.InferOutput<typeof sessionSchema>;
export type SessionTrack = Session['tracks'][number];
export type SessionBus = NonNullable<Session['buses']>[number];
export type SessionSend = NonNullable<SessionTrack['sends']>[number];
export type AutomationLaneSpec = [number, number][] | { curve?: AutomationCurve; points: [number, number][] };

/** A session that cannot be mixed: the session file and every problem, each with its path. */
export class SessionError extends Error {
  constructor(public readonly file: string, public readonly problems: ValidationProblem[]) {
    super(problems.length === 0 ? 'invalid session' :
      `${problems[0].path}: ${problems[0].message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
    this.name = 'SessionError';
  }
}

/** The fields tracks, buses and master share, as the checks and the compiler see them. */
export interface NodeLike {
  name?: string;
  output?: string;
  sends?: SessionSend[];
  inserts?: InsertSpec[];
  automation?: Record<string, AutomationLaneSpec>;
}

/** A parsed automation path. */
export type AutomationTarget =
  | { kind: 'gainDb' }
  | { kind: 'pan' }
  | { kind: 'send'; index: number }
  | { kind: 'insert'; index: number; param: string; spec: NumberParamSpec };

/**
 * Parses an automation path (`gainDb`, `pan`, `sends[i].levelDb`, `inserts[i].<param>`) against a node.
 * @returns the target, or a message saying what is wrong.
 */
export function parseAutomationPath(path: string, node: { inserts?: InsertSpec[]; sends?: unknown[] }, isMaster = false): AutomationTarget | string {
  if (path === 'gainDb') return { kind: 'gainDb' };
  if (path === 'pan' && !isMaster) return { kind: 'pan' };
  const m = /^(sends|inserts)\[(\d+)\]\.([A-Za-z][A-Za-z0-9]*)$/.exec(path);
  const known = `known: gainDb${isMaster ? '' : ', pan, sends[i].levelDb'}, inserts[i].<param>`;
  if (!m || (m[1] === 'sends' && isMaster)) return `unknown automation target (${known})`;
  const index = Number(m[2]);
  if (m[1] === 'sends') {
    if (m[3] !== 'levelDb') return 'only levelDb of a send can be automated';
    if (index >= (node.sends?.length ?? 0)) return `there is no send ${index}`;
    return { kind: 'send', index };
  }
  const ins = node.inserts?.[index];
  if (!ins) return `there is no insert ${index}`;
  const spec = insertDefinition(ins.type)?.params[m[3]];
  if (!spec || spec.kind !== 'number') return `insert ${index} (${ins.type}) has no numeric parameter ${m[3]}`;
  return { kind: 'insert', index, param: m[3], spec };
}

/** The breakpoints and curve of a lane in either notation. */
export function laneOf(spec: AutomationLaneSpec): { curve: AutomationCurve; points: [number, number][] } {
  return Array.isArray(spec) ? { curve: 'linear', points: spec } : { curve: spec.curve ?? 'linear', points: spec.points };
}

/** Range and unit of an automation target, for value checks and the curve's domain. */
export function targetRange(t: AutomationTarget): { min: number; max: number; isDb: boolean } {
  switch (t.kind) {
    case 'gainDb': case 'send': return { min: -120, max: 24, isDb: true };
    case 'pan': return { min: -1, max: 1, isDb: false };
    case 'insert': return { min: t.spec.min, max: t.spec.max, isDb: t.spec.unit === 'dB' || t.spec.unit === 'dBFS' || t.spec.unit === 'dBTP' };
  }
}

/** The sidechain source named by an insert (`sidechain: { source }`), if any. Graph-level: the compiler routes it. */
export function sidechainSource(ins: InsertSpec): string | undefined {
  const sc = ins.sidechain as { source?: unknown } | undefined;
  return sc && typeof sc === 'object' && typeof sc.source === 'string' ? sc.source : undefined;
}

/**
 * Checks what the schema cannot: unique names, known destination buses, valid automation paths and values,
 * known sidechain sources. Routing cycles are found by the compiler (render-plan.ts).
 */
export function checkSession(s: Session): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const names = new Map<string, string>();
  const buses = new Set((s.buses ?? []).map((b) => b.name));
  const claim = (n: string, path: string) => {
    if (n === MASTER) problems.push({ path, message: `"${MASTER}" is reserved for the master bus` });
    else if (names.has(n)) problems.push({ path, message: `duplicate name "${n}" (also ${names.get(n)})` });
    else names.set(n, path);
  };
  s.tracks.forEach((t, i) => claim(t.name, `tracks[${i}].name`));
  (s.buses ?? []).forEach((b, i) => claim(b.name, `buses[${i}].name`));
  const known = [...buses, MASTER].join(', ');

  const checkNode = (root: string, nodeData: object, isMaster: boolean) => {
    const node = nodeData as NodeLike;
    if (node.output !== undefined && node.output !== MASTER && !buses.has(node.output)) problems.push({ path: `${root}.output`, message: `unknown bus "${node.output}" (known: ${known})` });
    if (node.output !== undefined && node.output === node.name) problems.push({ path: `${root}.output`, message: `routing cycle: ${node.name} -> ${node.name}` });
    (node.sends ?? []).forEach((snd, j) => {
      if (!buses.has(snd.bus)) problems.push({ path: `${root}.sends[${j}].bus`, message: `unknown bus "${snd.bus}" (known: ${[...buses].join(', ') || 'no buses'})` });
    });
    (node.inserts ?? []).forEach((ins, j) => {
      const src = sidechainSource(ins);
      if (src !== undefined && !names.has(src)) problems.push({ path: `${root}.inserts[${j}].sidechain.source`, message: `unknown track or bus "${src}"` });
    });
    for (const [path, spec] of Object.entries(node.automation ?? {})) {
      const t = parseAutomationPath(path, node, isMaster);
      if (typeof t === 'string') { problems.push({ path: `${root}.automation.${path}`, message: t }); continue; }
      const { min, max, isDb } = targetRange(t);
      const { curve, points } = laneOf(spec);
      points.forEach((p, k) => {
        if (p[1] < min || p[1] > max) problems.push({ path: `${root}.automation.${path}[${k}][1]`, message: `must be between ${min} and ${max}` });
        else if (curve === 'exponential' && !isDb && !(p[1] > 0)) problems.push({ path: `${root}.automation.${path}[${k}][1]`, message: 'an exponential curve needs values > 0 (or a dB target)' });
      });
    }
  };
  s.tracks.forEach((t, i) => checkNode(`tracks[${i}]`, t, false));
  (s.buses ?? []).forEach((b, i) => checkNode(`buses[${i}]`, b, false));
  if (s.master) checkNode('master', s.master, true);
  s.tracks.forEach((t, i) => {
    if (t.trimOutSeconds !== undefined && t.trimOutSeconds <= (t.trimInSeconds ?? 0)) problems.push({ path: `tracks[${i}].trimOutSeconds`, message: 'must be > trimInSeconds' });
  });
  return problems;
}

/**
 * Validates plain data (parsed JSON/YAML) as a session: schema, then the cross-checks.
 * @param file the session file, for the error.
 * @throws SessionError with every problem found.
 */
export function parseSession(data: unknown, file: string): Session {
  const r = validate(sessionSchema, data, '');
  if (!r.ok) throw new SessionError(file, r.problems.map((p) => ({ path: p.path || '(session)', message: p.message })));
  const problems = checkSession(r.value);
  if (problems.length > 0) throw new SessionError(file, problems);
  return r.value;
}
