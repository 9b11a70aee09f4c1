/**
 * The `eq` insert (shared/DESIGN.md): a list of bands, minimum phase (matched biquads, biquad.ts) or
 * linear phase (FFT FIR, linear-phase-eq.ts).
 *
 * Changes: with the same band count, types and orders, frequency/gain/Q glide over 20 ms (BiquadCascade).
 * While a band glides it runs a cheap closed-form design; the accurate design (the one eqMagnitudeDb
 * reports) is computed once when the band settles and crossfaded in (biquad.ts explains why).
 * A structural change (count, type or slope) builds the new cascade from silence and crossfades to it
 * over EQ_CROSSFADE_MS; a second structural change during a crossfade restarts it from the old cascade.
 * Linear phase: every change crossfades kernels over one FFT hop.
 * `phase` fixes the latency, so it is read at prepare(): a change after prepare() takes effect at the
 * next prepare() (construct with `new Eq({ phase: 'linear' })` to start in linear phase).
 * At most EQ_MAX_BANDS bands are used (the validator should reject more).
 */
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';
import { BiquadCascade } from './biquad.js';
import { analogBandPower, cascadeMagnitudeDb, designBands, EQ_BAND_TYPES, type BandSpec, type EqBandType } from './biquad-design.js';
import { LinearPhaseEq } from './linear-phase-eq.js';

export type { EqBandType } from './biquad-design.js';

/** One EQ band in user units (see biquad-design.ts for the exact prototype of each type). */
export interface EqBand {
  type: EqBandType;
  /** Centre / corner / pivot frequency in Hz. */
  freqHz: number;
  /** Gain in dB (bell, shelves, tilt: total tilt between the low and high asymptotes). */
  gainDb?: number;
  /** Q (RBJ cookbook; shelves: the cookbook's shelf Q, 1/√2 = slope 1; hp/lp order 2: resonance). */
  q?: number;
  /** highpass/lowpass slope 6..48 dB/oct (Butterworth order slope/6). */
  slopeDbPerOct?: number;
}

export interface EqParams {
  bands: EqBand[];
  phase?: 'minimum' | 'linear';
}

export type EqMeters = Record<string, never>;

/** Most bands an Eq uses. */
export const EQ_MAX_BANDS = 32;
/** Crossfade time for structural band changes (minimum phase), ms. */
export const EQ_CROSSFADE_MS = 10;

/** Parameter table per band field (plus `phase`). */
export const EQ_PARAMS = {
  type: { kind: 'enum', values: EQ_BAND_TYPES, default: 'bell', description: 'Band type' },
  freqHz: { kind: 'number', unit: 'Hz', min: 10, max: 40000, default: 1000, rampMs: 20, description: 'Centre, corner or pivot frequency in Hz (a lowpass at or above fs/2 passes; others are clamped to 0.49·fs)' },
  gainDb: { kind: 'number', unit: 'dB', min: -30, max: 30, default: 0, rampMs: 20, description: 'Gain in dB (bell, shelves; tilt: total tilt across the band)' },
  q: { kind: 'number', unit: 'Q', min: 0.1, max: 20, default: 1, rampMs: 20, description: 'Q (RBJ cookbook; shelves: cookbook shelf Q, 0.7071 = slope 1; hp/lp order 2: resonance). Defaults: bell 1, notch 2, others 0.7071' },
  slopeDbPerOct: { kind: 'number', unit: 'dB/oct', min: 6, max: 48, default: 12, rampMs: 0, integer: true, description: 'Highpass/lowpass slope in dB/oct, a multiple of 6 (Butterworth order slope/6)' },
  phase: { kind: 'enum', values: ['minimum', 'linear'], default: 'minimum', description: 'minimum (matched biquads, no latency) or linear (FFT FIR, adds latency)' },
} as const satisfies ParamTable;

/**
 * The band that removes a DC offset: a 12 dB/oct high-pass at the EQ's lowest corner (10 Hz), below the
 * audio band (-0.3 dB at 20 Hz, nothing at 40). Used by master and automix.
 */
export const DC_BLOCK_BAND: Readonly<EqBand> = { type: 'highpass', freqHz: EQ_PARAMS.freqHz.min, slopeDbPerOct: 12 };

/**
 * Digital magnitude in dB of the minimum-phase EQ (the matched biquads) at each frequency.
 * @param bands bands in user units
 * @param freqHz frequencies in Hz (0 .. fs/2)
 * @param sampleRate Hz
 */
export function eqMagnitudeDb(bands: readonly EqBand[], freqHz: readonly number[], sampleRate: number): number[] {
  return cascadeMagnitudeDb(designBands(bands as readonly BandSpec[], sampleRate), freqHz, sampleRate);
}

/**
 * Analogue prototype magnitude in dB of one band at each frequency (the target of both modes).
 * @param band band in user units
 * @param freqHz frequencies in Hz (>= 0)
 */
export function analogMagnitudeDb(band: EqBand, freqHz: readonly number[]): number[] {
  return freqHz.map((f) => 10 * Math.log10(analogBandPower(band, f)));
}

/** The eq insert; see the file comment. */
export class Eq implements Processor<EqParams, EqMeters> {
  private bands: EqBand[] = [];
  private phase: 'minimum' | 'linear';
  private activePhase: 'minimum' | 'linear';
  private prepared = false;
  private channels = 0;
  private cur: BiquadCascade | null = null;
  private next: BiquadCascade | null = null;
  private lin: LinearPhaseEq | null = null;
  private scratchA: Float32Array[] = [];
  private scratchB: Float32Array[] = [];
  private sampleRate = 48000;
  private maxBlockFrames = 0;
  private fadeLen = 1;
  private fadePos = 0;
  private fading = false;
  private latency = 0;
  private readonly meters: EqMeters = {};

  /** @param initial initial parameters (phase here decides the mode from the first prepare()) */
  constructor(initial?: Partial<EqParams>) {
    this.phase = initial?.phase ?? 'minimum';
    this.activePhase = this.phase;
    if (initial?.bands) this.bands = initial.bands.slice();
  }

  get latencyFrames(): number {
    return this.latency;
  }

  prepare(spec: ProcessSpec): void {
    this.prepared = true;
    this.channels = spec.channels;
    this.activePhase = this.phase;
    this.fadeLen = Math.max(1, Math.round((EQ_CROSSFADE_MS / 1000) * spec.sampleRate));
    if (this.activePhase === 'linear') {
      this.lin = new LinearPhaseEq();
      this.lin.setBands(this.bands);
      this.lin.prepare(spec);
      this.latency = this.lin.latencyFrames;
      this.cur = null;
      this.next = null;
    } else {
      this.lin = null;
      this.sampleRate = spec.sampleRate;
      this.maxBlockFrames = spec.maxBlockFrames;
      // The crossfade's second cascade and its scratch are made at the first structural change: most
      // EQs never change structure, and a session builds hundreds of them at start-up.
      this.cur = this.cascadeFor(this.bands, null);
      this.next = null;
      this.scratchA = [];
      this.scratchB = [];
      this.cur.setBands(this.bands, false);
      this.latency = 0;
    }
    // Fresh cascades: a crossfade started before this prepare() has nothing left to fade to.
    this.fading = false;
    this.reset();
  }

  reset(): void {
    if (this.fading && this.next && this.cur) {
      const t = this.cur;
      this.cur = this.next;
      this.next = t;
    }
    this.fading = false;
    this.fadePos = 0;
    this.cur?.reset();
    this.lin?.reset();
  }

  setParams(patch: Partial<EqParams>): void {
    if (patch.phase) this.phase = patch.phase; // applied at the next prepare()
    if (!patch.bands) return;
    this.bands = patch.bands.slice();
    if (!this.prepared) return;
    if (this.lin) {
      this.lin.setBands(this.bands);
      return;
    }
    const cur = this.cur as BiquadCascade;
    if (this.fading) {
      const next = this.next as BiquadCascade;
      if (next.hasSameStructure(this.bands)) next.setBands(this.bands, true);
      else {
        const fresh = this.cascadeFor(this.bands, next);
        this.next = fresh;
        fresh.setBands(this.bands, false);
        if (fresh !== next) fresh.reset();
        this.fadePos = 0;
      }
    } else if (cur.hasSameStructure(this.bands)) {
      cur.setBands(this.bands, true);
    } else {
      const next = this.cascadeFor(this.bands, this.next);
      this.next = next;
      next.setBands(this.bands, false);
      next.reset();
      if (this.scratchA.length === 0) {
        for (let c = 0; c < this.channels; c++) {
          this.scratchA.push(new Float32Array(this.maxBlockFrames));
          this.scratchB.push(new Float32Array(this.maxBlockFrames));
        }
      }
      this.fading = true;
      this.fadePos = 0;
    }
  }

  /**
   * `reuse` when it has room for `bands`, else a new cascade sized to them (not to EQ_MAX_BANDS: its
   * arrays and per-band smoothers are built for every band it can hold).
   */
  private cascadeFor(bands: readonly EqBand[], reuse: BiquadCascade | null): BiquadCascade {
    const need = Math.max(1, Math.min(EQ_MAX_BANDS, bands.length));
    if (reuse !== null && reuse.capacity >= need) return reuse;
    const c = new BiquadCascade(need, this.channels);
    c.setSampleRate(this.sampleRate);
    return c;
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    if (this.lin) {
      this.lin.process(inputs, outputs, frames);
      return;
    }
    const cur = this.cur;
    if (!cur) {
      for (let c = 0; c < outputs.length; c++) if (outputs[c] !== inputs[c]) outputs[c].set(inputs[c].subarray(0, frames));
      return;
    }
    if (!this.fading) {
      cur.process(inputs, outputs, frames);
      return;
    }
    const next = this.next as BiquadCascade;
    // Both cascades read the input before any output is written (in-place safe).
    cur.process(inputs, this.scratchA, frames);
    next.process(inputs, this.scratchB, frames);
    const len = this.fadeLen;
    const start = this.fadePos;
    for (let c = 0; c < this.channels; c++) {
      const a = this.scratchA[c];
      const b = this.scratchB[c];
      const out = outputs[c];
      for (let i = 0; i < frames; i++) {
        const k = start + i;
        const t = k >= len ? 1 : (k + 0.5) / len;
        out[i] = a[i] + t * (b[i] - a[i]);
      }
    }
    this.fadePos = start + frames;
    if (this.fadePos >= len) {
      this.cur = next;
      this.next = cur;
      this.fading = false;
      this.fadePos = 0;
    }
  }

  readMeters(): Readonly<EqMeters> {
    return this.meters;
  }
}

