/**
 * The `multiband` insert: a Linkwitz-Riley 24 dB/oct band splitter (crossover.ts, with allpass
 * compensation, so the bands sum flat) and one Compressor per band; the compressed bands are summed.
 * `phase: 'linear'` splits with linear-phase FIRs of the same magnitudes instead (linear-phase-crossover.ts):
 * the bands sum to the delayed input exactly, at the FIR's latency. `phase` fixes the latency, so it is
 * read at prepare() (createInsert prepares again after setParams).
 *
 * - crossoversHz: ascending, 1..MULTIBAND_MAX_BANDS − 1 frequencies; bands.length = crossoversHz.length + 1.
 *   Crossover changes apply at once (coefficient jump); a change in the band count clears the filter state.
 * - bands: compressor parameters per band (COMPRESSOR_PARAMS). lookaheadMs is ignored (every band runs
 *   without lookahead) so all bands keep the same, zero, latency; an external sidechain is not used.
 * With every band at ratio 1 and makeup 0 the output is the crossovers' allpass: flat magnitude.
 */
import { Compressor, type CompressorParams } from './compressor.js';
import { applyLinked3, type LinkedGain } from './compressor-linked.js';
import { LinkwitzRileyCrossover } from './crossover.js';
import { LinearPhaseCrossover } from './linear-phase-crossover.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface MultibandParams {
  crossoversHz: number[];
  bands: Partial<CompressorParams>[];
  /** Band splitter: 'minimum' (Linkwitz-Riley IIR, no latency) or 'linear' (FIR, latency). */
  phase: 'minimum' | 'linear';
}

export interface MultibandMeters {
  /** Per band (lowest first): largest gain reduction in dB since the last read. */
  gainReductionDb: number[];
}

export const MULTIBAND_MAX_BANDS = 6;

/**
 * The scalar part of the multiband table: `crossoversHz` describes each element of the array. The
 * `bands` array holds COMPRESSOR_PARAMS objects (structured field).
 */
export const MULTIBAND_PARAMS = {
  crossoversHz: { kind: 'number', unit: 'Hz', min: 20, max: 20000, default: 200, rampMs: 0, description: 'Each crossover frequency in Hz (ascending list, Linkwitz-Riley 24 dB/oct)' },
  phase: { kind: 'enum', values: ['minimum', 'linear'], default: 'minimum', description: 'Band splitter: minimum (Linkwitz-Riley IIR, no latency) or linear (FIR, the bands sum to the delayed input; adds latency)' },
} as const satisfies ParamTable;

/** Default crossovers of a new multiband compressor (three bands). */
export const MULTIBAND_DEFAULT_CROSSOVERS_HZ: readonly number[] = [200, 2000];

/** Multiband compressor; see the file comment. Latency 0 in minimum phase. */
export class Multiband implements Processor<MultibandParams, MultibandMeters> {
  private readonly xover = new LinkwitzRileyCrossover();
  /** The linear-phase splitter, built at the first prepare() in linear phase. */
  private linear: LinearPhaseCrossover | null = null;
  private phase: 'minimum' | 'linear' = 'minimum';
  /** The phase of the last prepare(): what process() runs. */
  private activePhase: 'minimum' | 'linear' = 'minimum';
  private readonly comps: Compressor[] = [];
  private crossoversHz: number[] = [...MULTIBAND_DEFAULT_CROSSOVERS_HZ];
  private channels = 0;
  private maxBlock = 0;
  /** bandBuf[b][ch]: band b of channel ch for the current block. */
  private bandBuf: Float32Array[][] = [];
  /** chanBands[ch][b]: the same buffers, indexed by channel first (the crossover's view). */
  private chanBands: Float32Array[][] = [];
  /** The spec of the last prepare() (null before), and how many compressors (the first ones) it prepared. */
  private spec: ProcessSpec | null = null;
  private preparedBands = 0;
  /** Scratch of fusedGains(). */
  private readonly kernels: LinkedGain[] = [];
  private readonly targets: Float64Array[] = [];

  constructor(initial: Partial<MultibandParams> = {}) {
    for (let b = 0; b < MULTIBAND_MAX_BANDS; b++) this.comps.push(new Compressor({ lookaheadMs: 0 }));
    this.setParams(initial);
  }

  private get bandCount(): number {
    return this.crossoversHz.length + 1;
  }

  get latencyFrames(): number {
    return this.activePhase === 'linear' && this.linear ? this.linear.latencyFrames : 0;
  }

  prepare(spec: ProcessSpec): void {
    this.channels = spec.channels;
    this.maxBlock = Math.max(1, spec.maxBlockFrames);
    this.xover.prepare(spec.channels, spec.sampleRate, MULTIBAND_MAX_BANDS);
    this.xover.setCrossovers(this.crossoversHz);
    this.activePhase = this.phase;
    if (this.phase === 'linear') {
      this.linear ??= new LinearPhaseCrossover();
      // Crossovers first: prepare() designs them (set after it, they would be designed again to crossfade).
      this.linear.setCrossovers(this.crossoversHz);
      this.linear.prepare(spec.channels, spec.sampleRate, MULTIBAND_MAX_BANDS);
    }
    // Only the bands in use: each compressor allocates a dozen block buffers (a third of a cold start's
    // chain construction); a later setParams() with more bands prepares the rest.
    this.spec = { ...spec, maxBlockFrames: this.maxBlock };
    this.preparedBands = 0;
    this.prepareBands();
    this.bandBuf = [];
    for (let b = 0; b < MULTIBAND_MAX_BANDS; b++) {
      const chans: Float32Array[] = [];
      for (let c = 0; c < spec.channels; c++) chans.push(new Float32Array(this.maxBlock));
      this.bandBuf.push(chans);
    }
    this.chanBands = [];
    for (let c = 0; c < spec.channels; c++) this.chanBands.push(this.bandBuf.map((band) => band[c]));
    this.reset();
  }

  reset(): void {
    this.xover.reset();
    this.linear?.reset();
    for (let b = 0; b < this.preparedBands; b++) this.comps[b].reset();
  }

  /** Prepares the compressors of the bands in use that are not prepared yet (after prepare()). */
  private prepareBands(): void {
    if (!this.spec) return;
    for (let b = this.preparedBands; b < this.bandCount; b++) this.comps[b].prepare(this.spec);
    this.preparedBands = Math.max(this.preparedBands, this.bandCount);
  }

  /**
   * @throws RangeError when crossoversHz is not ascending within [20, 20000] Hz, has more than
   *   MULTIBAND_MAX_BANDS − 1 entries, or bands.length ≠ crossoversHz.length + 1
   */
  setParams(patch: Partial<MultibandParams>): void {
    const xo = patch.crossoversHz ?? this.crossoversHz;
    const spec = MULTIBAND_PARAMS.crossoversHz;
    if (xo.length < 1 || xo.length > MULTIBAND_MAX_BANDS - 1) throw new RangeError(`multiband.crossoversHz: 1 to ${MULTIBAND_MAX_BANDS - 1} frequencies`);
    for (let i = 0; i < xo.length; i++) {
      if (!(xo[i] >= spec.min && xo[i] <= spec.max)) throw new RangeError(`multiband.crossoversHz[${i}]: must be in [${spec.min}, ${spec.max}] Hz`);
      if (i > 0 && !(xo[i] > xo[i - 1])) throw new RangeError(`multiband.crossoversHz[${i}]: must be above the previous crossover`);
    }
    if (patch.bands && patch.bands.length !== xo.length + 1) {
      throw new RangeError(`multiband.bands: must have ${xo.length + 1} entries (crossoversHz.length + 1)`);
    }
    if (patch.phase !== undefined) this.phase = patch.phase;
    if (patch.crossoversHz) {
      this.crossoversHz = [...xo];
      this.xover.setCrossovers(this.crossoversHz);
      this.linear?.setCrossovers(this.crossoversHz);
      this.prepareBands();
    }
    if (patch.bands) {
      for (let b = 0; b < patch.bands.length; b++) {
        const { lookaheadMs: _ignored, ...rest } = patch.bands[b];
        this.comps[b].setParams(rest);
      }
    }
  }

  readMeters(): Readonly<MultibandMeters> {
    const gr: number[] = [];
    for (let b = 0; b < this.bandCount; b++) gr.push(this.comps[b].readMeters().gainReductionDb);
    return { gainReductionDb: gr };
  }

  /**
   * Three stereo bands whose compressors all take the linked fast path: their gain stages run fused
   * (applyLinked3, the same bits as three process() calls). False, with nothing done, otherwise.
   */
  private fusedGains(n: number): boolean {
    const c = this.comps;
    const k0 = c[0].linkedStart(this.bandBuf[0], n);
    if (!k0) return false;
    const k1 = c[1].linkedStart(this.bandBuf[1], n);
    const k2 = k1 && c[2].linkedStart(this.bandBuf[2], n);
    if (!k1 || !k2) {
      // Band 0 (and 1) already measured their targets: finish them one by one, as process() would.
      c[0].linkedFinishAlone(this.bandBuf[0], n);
      if (k1) c[1].linkedFinishAlone(this.bandBuf[1], n);
      else c[1].process(this.bandBuf[1], this.bandBuf[1], n);
      c[2].process(this.bandBuf[2], this.bandBuf[2], n);
      return true;
    }
    this.kernels[0] = k0;
    this.kernels[1] = k1;
    this.kernels[2] = k2;
    for (let b = 0; b < 3; b++) this.targets[b] = c[b].linkedTargets();
    applyLinked3(this.kernels, this.targets, this.bandBuf, n);
    for (let b = 0; b < 3; b++) c[b].linkedFinish();
    return true;
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    const chans = Math.min(this.channels, inputs.length, outputs.length);
    const nb = this.bandCount;
    for (let off = 0; off < frames; off += this.maxBlock) {
      const n = Math.min(this.maxBlock, frames - off);
      if (this.activePhase === 'linear' && this.linear) this.linear.process(inputs, off, this.chanBands, n);
      else for (let c = 0; c < chans; c++) this.xover.process(c, inputs[c], off, this.chanBands[c], n);
      if (!(nb === 3 && chans === 2 && this.fusedGains(n))) {
        for (let b = 0; b < nb; b++) this.comps[b].process(this.bandBuf[b], this.bandBuf[b], n);
      }
      for (let c = 0; c < chans; c++) {
        const out = outputs[c];
        const bands = this.chanBands[c];
        const first = bands[0];
        if (nb === 3) {
          // One pass; fround stands for the Float32 store between the two additions of the general form.
          const second = bands[1], third = bands[2];
          for (let i = 0; i < n; i++) out[off + i] = Math.fround(first[i] + second[i]) + third[i];
          continue;
        }
        for (let i = 0; i < n; i++) out[off + i] = first[i];
        for (let b = 1; b < nb; b++) {
          const band = bands[b];
          for (let i = 0; i < n; i++) out[off + i] += band[i];
        }
      }
    }
  }
}
