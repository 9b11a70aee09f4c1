/**
 * One parameter table per processor: unit, range, default and ramp. It drives validation of
 * sessions and chains, the JSON Schema, the web studio's controls and the CLI help.
 */
export type ParamUnit = 'dB' | 'dBTP' | 'dBFS' | 'Hz' | 'ms' | 's' | 'ratio' | 'percent' | 'linear' | 'Q' | 'dB/oct' | 'beats' | 'bpm' | 'bool' | 'enum' | 'frames';

export interface NumberParamSpec {
  kind: 'number';
  unit: ParamUnit;
  min: number;
  max: number;
  default: number;
  /** Ramp time in ms for parameter changes (0 = jumps; used for discrete values). */
  rampMs: number;
  /** Whether the value must be an integer. */
  integer?: boolean;
  description: string;
}

export interface EnumParamSpec {
  kind: 'enum';
  values: readonly string[];
  default: string;
  description: string;
}

export interface BoolParamSpec {
  kind: 'bool';
  default: boolean;
  description: string;
}

export type ParamSpec = NumberParamSpec | EnumParamSpec | BoolParamSpec;
export type ParamTable = Readonly<Record<string, ParamSpec>>;

/** The default values of a parameter table as a plain object. */
export function defaultParams(table: ParamTable): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, spec] of Object.entries(table)) out[k] = spec.default;
  return out;
}
