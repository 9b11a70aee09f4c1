/**
 * The insert vocabulary of sessions and chains (shared/DESIGN.md "Insert types"): for each `type`,
 * its parameter table, any structured fields, and a factory. The one place a processor is named,
 * so the chain validator, the JSON Schema, the mix compiler and the web studio agree.
 */
import * as v from 'valibot';
import { AlignmentDelay, ALIGNMENT_DELAY_PARAMS } from './alignment-delay.js';
import { Compressor, COMPRESSOR_PARAMS, SIDECHAIN_PARAMS } from './compressor.js';
import { Deesser, DEESSER_PARAMS } from './deesser.js';
import { Dither, DITHER_PARAMS } from './dither.js';
import { Echo, ECHO_PARAMS } from './echo.js';
import { Eq, EQ_PARAMS } from './eq.js';
import { Expander, EXPANDER_PARAMS, Gate, GATE_PARAMS } from './gate.js';
import { Gain, GAIN_PARAMS } from './gain.js';
import { Imager, IMAGER_PARAMS } from './imager.js';
import { Limiter, LIMITER_PARAMS } from './limiter.js';
import { Multiband, MULTIBAND_DEFAULT_CROSSOVERS_HZ, MULTIBAND_MAX_BANDS, MULTIBAND_PARAMS } from './multiband.js';
import { objectMessage, paramEntries, paramSchema, validate, type ValidationProblem } from './param-schema.js';
import type { ParamTable } from './param-table.js';
import { Pan, PAN_PARAMS } from './pan.js';
import { Polarity, POLARITY_PARAMS } from './polarity.js';
import type { ProcessSpec, Processor } from './processor.js';
import { Reverb, REVERB_PARAMS } from './reverb.js';
import { Saturator, SATURATOR_PARAMS } from './saturator.js';

/** An insert as written in a session or chain file: `{ type, ...params }`. */
export type InsertSpec = { type: string } & Record<string, unknown>;

export interface InsertDefinition {
  type: string;
  description: string;
  /** Scalar parameters: validated and documented from the table. */
  params: ParamTable;
  /** Structured fields (e.g. eq `bands`), as valibot schemas. */
  extraEntries?: Record<string, v.GenericSchema>;
  /** A rule across fields, reported at `field`: validated with the rest, so the error has the insert's path. */
  crossCheck?: { field: string; ok: (insert: Record<string, unknown>) => boolean; message: (insert: Record<string, unknown>) => string };
  /** A new, unprepared processor. */
  create(): Processor<Record<string, unknown>, object>;
}

// The processor classes have typed params; the catalog hands them validated plain objects.
type AnyProcessor = Processor<Record<string, unknown>, object>;
const make = (p: unknown) => p as AnyProcessor;

const { phase: _phase, ...EQ_BAND_PARAMS } = EQ_PARAMS;
const eqBand = v.strictObject(paramEntries(EQ_BAND_PARAMS), objectMessage);
const compressorBand = v.strictObject(paramEntries(COMPRESSOR_PARAMS), objectMessage);
/** `sidechain.source` names a track or bus: the mix graph routes it; the processor sees the high-pass only. */
const sidechain = v.optional(v.strictObject({ source: v.optional(v.string('must be a track or bus name')), ...paramEntries(SIDECHAIN_PARAMS) }, objectMessage));

export const INSERTS: readonly InsertDefinition[] = [
  { type: 'gain', description: 'Smoothed gain', params: GAIN_PARAMS, create: () => make(new Gain()) },
  { type: 'pan', description: 'Pan (mono sources) or balance (stereo) with a pan law', params: PAN_PARAMS, create: () => make(new Pan()) },
  { type: 'polarity', description: 'Polarity inversion', params: POLARITY_PARAMS, create: () => make(new Polarity()) },
  { type: 'align', description: 'Alignment delay (integer and fractional frames; not reported as latency)', params: ALIGNMENT_DELAY_PARAMS, create: () => make(new AlignmentDelay()) },
  {
    type: 'eq', description: 'Parametric EQ: bell, shelves, Butterworth high/low pass, notch, band-pass, tilt',
    params: { phase: EQ_PARAMS.phase },
    extraEntries: { bands: v.pipe(v.array(eqBand, 'must be a list of bands'), v.maxLength(32, 'at most 32 bands')) },
    create: () => make(new Eq()),
  },
  { type: 'compressor', description: 'Compressor (peak/RMS, soft knee, lookahead, stereo link, sidechain)', params: COMPRESSOR_PARAMS, extraEntries: { sidechain }, create: () => make(new Compressor()) },
  { type: 'gate', description: 'Noise gate', params: GATE_PARAMS, create: () => make(new Gate()) },
  { type: 'expander', description: 'Downward expander', params: EXPANDER_PARAMS, create: () => make(new Expander()) },
  { type: 'deesser', description: 'Split-band de-esser', params: DEESSER_PARAMS, create: () => make(new Deesser()) },
  {
    type: 'multiband', description: 'Multiband compressor with Linkwitz-Riley 24 dB/oct crossovers (minimum or linear phase)',
    params: { phase: MULTIBAND_PARAMS.phase },
    extraEntries: {
      crossoversHz: v.optional(v.pipe(v.array(v.nonOptional(paramSchema(MULTIBAND_PARAMS.crossoversHz), 'must be a number'), 'must be a list of frequencies'),
        v.minLength(1, 'at least 1 crossover'),
        v.maxLength(MULTIBAND_MAX_BANDS - 1, `at most ${MULTIBAND_MAX_BANDS - 1} crossovers`),
        v.check((xs) => xs.every((x, i) => i === 0 || (x as number) > (xs[i - 1] as number)), 'must be ascending'))),
      bands: v.optional(v.pipe(v.array(compressorBand, 'must be a list of compressor settings'), v.maxLength(MULTIBAND_MAX_BANDS, `at most ${MULTIBAND_MAX_BANDS} bands`))),
    },
    crossCheck: {
      field: 'bands',
      ok: (m) => !Array.isArray(m.bands) || m.bands.length === multibandCrossovers(m).length + 1,
      message: (m) => `must have ${multibandCrossovers(m).length + 1} entries (one more than crossoversHz)`,
    },
    create: () => make(new Multiband()),
  },
  { type: 'limiter', description: 'True-peak limiter (the output never exceeds the ceiling, between samples included)', params: LIMITER_PARAMS, create: () => make(new Limiter()) },
  { type: 'imager', description: 'Stereo imager: M/S width, mono below a frequency', params: IMAGER_PARAMS, create: () => make(new Imager()) },
  { type: 'saturator', description: 'Oversampled soft clipper', params: SATURATOR_PARAMS, create: () => make(new Saturator()) },
  { type: 'delay', description: 'Echo: tempo-syncable delay with filtered feedback', params: ECHO_PARAMS, create: () => make(new Echo()) },
  { type: 'reverb', description: 'Algorithmic stereo reverb (feedback delay network)', params: REVERB_PARAMS, create: () => make(new Reverb()) },
  { type: 'dither', description: 'TPDF dither with optional noise shaping, for the final quantization', params: DITHER_PARAMS, create: () => make(new Dither()) },
];

const byType = new Map(INSERTS.map((d) => [d.type, d]));

/** The definition of an insert type, or undefined. */
export function insertDefinition(type: string): InsertDefinition | undefined {
  return byType.get(type);
}

/** A multiband insert's crossovers as it will run (the processor's defaults when not given). */
function multibandCrossovers(m: Record<string, unknown>): readonly unknown[] {
  return Array.isArray(m.crossoversHz) ? m.crossoversHz : MULTIBAND_DEFAULT_CROSSOVERS_HZ;
}

/** The schema of one insert type's object, with its cross-field rule. */
function insertObject(d: InsertDefinition): v.GenericSchema {
  const obj = v.strictObject({ type: v.pipe(v.literal(d.type), v.description(d.description)), ...paramEntries(d.params), ...(d.extraEntries ?? {}) }, objectMessage) as v.GenericSchema<Record<string, unknown>>;
  const c = d.crossCheck;
  if (!c) return obj;
  return v.pipe(obj, v.forward(v.check((x: Record<string, unknown>) => c.ok(x), (issue) => c.message(issue.input)), [c.field] as never));
}

/** The valibot schema of one insert object (a discriminated union on `type`). */
export const insertSchema = v.variant(
  'type',
  INSERTS.map(insertObject) as unknown as v.VariantOptions<'type'>,
  (issue) => issue.received === 'undefined' ? 'missing field "type"' : `unknown insert type ${issue.received} (known: ${INSERTS.map((d) => d.type).join(', ')})`,
);

/** The schema of a chain file: a list of inserts. */
export const chainSchema = v.array(insertSchema, 'a chain must be a list of inserts');

/** Validates a chain (plain data from JSON/YAML); problems carry paths like `chain[2].ratio`. */
export function validateChain(data: unknown, root = 'chain'): { ok: true; value: InsertSpec[] } | { ok: false; problems: ValidationProblem[] } {
  const r = validate(chainSchema, data, root);
  return r.ok ? { ok: true, value: r.value as InsertSpec[] } : r;
}

/** Creates, prepares and configures the processor for a validated insert. */
export function createInsert(spec: InsertSpec, processSpec: ProcessSpec): AnyProcessor {
  const def = byType.get(spec.type);
  if (!def) throw new Error(`unknown insert type "${spec.type}"`);
  const p = def.create();
  const { type: _type, ...params } = spec;
  if (spec.type === 'compressor' && params.sidechain) {
    // The graph resolves `source`; the processor only takes the detector high-pass.
    const { source: _source, ...sc } = params.sidechain as Record<string, unknown>;
    params.sidechain = sc;
  }
  p.prepare(processSpec);
  p.setParams(params);
  // Look-ahead and oversampling fix the latency, so they apply at prepare(): prepare again with them set.
  p.prepare(processSpec);
  p.reset();
  return p;
}
