/**
 * A stateful cascade of biquad sections for EQ bands, per channel, with click-free parameter glides.
 *
 * Topology: direct form I with Float64 state (x1, x2, y1, y2 per section and channel). DF-I keeps only
 * past inputs and outputs as state, so changing coefficients never rescales stored energy (unlike
 * DF-II/TDF-II, whose internal states are coefficient-weighted sums and can jump on a change).
 *
 * Glides: each band's design parameters (log frequency, gain in dB, log Q) ramp linearly over
 * BIQUAD_RAMP_MS with ParamSmoother; while any of them moves, the band's coefficients are redesigned
 * from the smoothed values every SUB_BLOCK samples. Sub-blocks are counted in samples from reset(), so
 * the output is identical for any process() block size. Interpolating coefficients directly is avoided
 * on purpose (intermediate DF coefficient sets can be unstable).
 *
 * Each band runs its base sections plus one correction section (biquad-design.ts designEqBandInto);
 * identity sections are skipped with their state kept exact, so the correction costs nothing where
 * the base design is already accurate.
 *
 * Guards: non-finite input samples are treated as 0; outputs of each section that fall below 1e-30 in
 * magnitude are flushed to 0 (no denormals in the feedback path); a channel whose state becomes
 * non-finite (overflow) is cleared.
 */
import { COEFFS_PER_SECTION, bandOrder, bandTypeCode, designEqBandInto, eqSectionCountFor, MAX_BUTTERWORTH_ORDER, BAND_DEFAULT_Q, type BandSpec } from './biquad-design.js';
import { ParamSmoother } from './param-smoother.js';

/** Samples between coefficient redesigns while a parameter glides. */
export const SUB_BLOCK = 16;
/** Glide time of frequency, gain and Q changes, in ms. */
export const BIQUAD_RAMP_MS = 20;

const DENORMAL = 1e-30;

export class BiquadCascade {
  private readonly maxBands: number;
  private readonly channels: number;
  private sampleRate = 48000;
  private bandCount = 0;
  private sectionCount = 0;
  private readonly typeCode: Int32Array;
  private readonly order: Int32Array;
  private readonly firstSection: Int32Array;
  private readonly logFreq: ParamSmoother[];
  private readonly gain: ParamSmoother[];
  private readonly logQ: ParamSmoother[];
  /** b0, b1, b2, a1, a2 per section. */
  private readonly coeffs: Float64Array;
  /** x1, x2, y1, y2 per (channel, section): index (ch·maxSections + s)·4. */
  private readonly state: Float64Array;
  private readonly maxSections: number;
  /** One sub-block of samples in Float64. */
  private readonly work: Float64Array;
  /** Position inside the current sub-block (0..SUB_BLOCK-1), counted in samples. */
  private phase = 0;

  /**
   * Allocates for the worst case (the only allocation).
   * @param maxBands most bands setBands() will accept (extra bands are ignored)
   * @param channels channel count
   */
  constructor(maxBands: number, channels: number) {
    this.maxBands = maxBands;
    this.channels = channels;
    this.maxSections = maxBands * eqSectionCountFor(bandTypeCode('lowpass'), MAX_BUTTERWORTH_ORDER);
    this.typeCode = new Int32Array(maxBands);
    this.order = new Int32Array(maxBands);
    this.firstSection = new Int32Array(maxBands);
    this.logFreq = [];
    this.gain = [];
    this.logQ = [];
    for (let i = 0; i < maxBands; i++) {
      this.logFreq.push(new ParamSmoother(Math.log(1000)));
      this.gain.push(new ParamSmoother(0));
      this.logQ.push(new ParamSmoother(0));
    }
    this.coeffs = new Float64Array(this.maxSections * COEFFS_PER_SECTION);
    this.state = new Float64Array(channels * this.maxSections * 4);
    this.work = new Float64Array(SUB_BLOCK);
  }

  /** Sets the sample rate (Hz) and redesigns. */
  setSampleRate(sampleRate: number): void {
    this.sampleRate = sampleRate;
    for (let b = 0; b < this.maxBands; b++) {
      this.logFreq[b].configure(sampleRate, BIQUAD_RAMP_MS);
      this.gain[b].configure(sampleRate, BIQUAD_RAMP_MS);
      this.logQ[b].configure(sampleRate, BIQUAD_RAMP_MS);
    }
    for (let b = 0; b < this.bandCount; b++) this.designBand(b);
  }

  /** Whether `bands` has the same band count, types and orders as the current set (so it can glide). */
  hasSameStructure(bands: readonly BandSpec[]): boolean {
    const n = Math.min(bands.length, this.maxBands);
    if (n !== this.bandCount) return false;
    for (let b = 0; b < n; b++) {
      if (bandTypeCode(bands[b].type) !== this.typeCode[b] || bandOrder(bands[b]) !== this.order[b]) return false;
    }
    return true;
  }

  /**
   * Sets the bands. With the same structure and `glide`, parameters ramp; otherwise they jump and the
   * filter state is cleared (the caller crossfades structural changes).
   * @param bands bands in user units (validated); bands beyond maxBands are ignored
   * @param glide ramp when the structure is unchanged
   */
  setBands(bands: readonly BandSpec[], glide: boolean): void {
    const same = this.hasSameStructure(bands);
    const n = Math.min(bands.length, this.maxBands);
    let sec = 0;
    for (let b = 0; b < n; b++) {
      const band = bands[b];
      const t = bandTypeCode(band.type);
      const ord = bandOrder(band);
      this.typeCode[b] = t;
      this.order[b] = ord;
      this.firstSection[b] = sec;
      sec += eqSectionCountFor(t, ord);
      const lf = Math.log(band.freqHz);
      const g = band.gainDb ?? 0;
      const lq = Math.log(band.q ?? BAND_DEFAULT_Q[band.type]);
      if (same && glide) {
        this.logFreq[b].setTarget(lf);
        this.gain[b].setTarget(g);
        this.logQ[b].setTarget(lq);
      } else {
        this.logFreq[b].jump(lf);
        this.gain[b].jump(g);
        this.logQ[b].jump(lq);
      }
    }
    this.bandCount = n;
    this.sectionCount = sec;
    if (!(same && glide)) {
      for (let b = 0; b < n; b++) this.designBand(b);
      this.state.fill(0);
    }
  }

  /** Clears the filter state, ends glides (parameters jump to their targets) and restarts sub-blocks. */
  reset(): void {
    for (let b = 0; b < this.bandCount; b++) {
      this.logFreq[b].snap();
      this.gain[b].snap();
      this.logQ[b].snap();
      this.designBand(b);
    }
    this.state.fill(0);
    this.phase = 0;
  }

  /** Current coefficients (5 per section), a copy, for inspection and tests. */
  coefficients(): Float64Array {
    return this.coeffs.slice(0, this.sectionCount * COEFFS_PER_SECTION);
  }

  private designBand(b: number): void {
    designEqBandInto(this.typeCode[b], this.order[b], Math.exp(this.logFreq[b].value), this.gain[b].value, Math.exp(this.logQ[b].value), this.sampleRate, this.coeffs, this.firstSection[b]);
  }

  /** At a sub-block boundary: advances the glides by one sub-block and redesigns moving bands. */
  private advanceGlides(): void {
    for (let b = 0; b < this.bandCount; b++) {
      const f = this.logFreq[b];
      const g = this.gain[b];
      const q = this.logQ[b];
      if (!f.isSmoothing && !g.isSmoothing && !q.isSmoothing) continue;
      f.advance(SUB_BLOCK);
      g.advance(SUB_BLOCK);
      q.advance(SUB_BLOCK);
      this.designBand(b);
    }
  }

  /**
   * Filters `frames` samples of each channel. In-place safe (outputs may alias inputs).
   * @param inputs one array per channel (at least `channels`)
   * @param outputs one array per channel
   * @param frames samples per channel
   */
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    let done = 0;
    while (done < frames) {
      if (this.phase === 0) this.advanceGlides();
      const n = Math.min(SUB_BLOCK - this.phase, frames - done);
      for (let ch = 0; ch < this.channels; ch++) this.runChunk(inputs[ch], outputs[ch], done, n, ch);
      done += n;
      this.phase = (this.phase + n) % SUB_BLOCK;
    }
  }

  /** Runs all sections over samples [start, start+n) of one channel (n <= SUB_BLOCK). */
  private runChunk(input: Float32Array, output: Float32Array, start: number, n: number, ch: number): void {
    // State per section (DF-I): x1, x2 = previous inputs; y1, y2 = previous outputs (linear amplitude).
    const work = this.work;
    const c = this.coeffs;
    const st = this.state;
    for (let i = 0; i < n; i++) {
      const x = input[start + i];
      work[i] = x - x === 0 ? x : 0; // NaN and ±Infinity become 0
    }
    const base = ch * this.maxSections * 4;
    const ns = this.sectionCount;
    for (let s = 0; s < ns; s++) {
      const o = s * COEFFS_PER_SECTION;
      const b0 = c[o], b1 = c[o + 1], b2 = c[o + 2], a1 = c[o + 3], a2 = c[o + 4];
      const so = base + s * 4;
      if (b0 === 1 && b1 === 0 && b2 === 0 && a1 === 0 && a2 === 0) {
        // Identity (an unused correction section): skip the loop but keep the state exactly as running
        // it would (x = y = the input), so a later non-identity design continues without a click.
        const l1 = work[n - 1];
        const l2 = n >= 2 ? work[n - 2] : st[so];
        st[so] = l1; st[so + 1] = l2; st[so + 2] = l1; st[so + 3] = l2;
        continue;
      }
      let x1 = st[so], x2 = st[so + 1], y1 = st[so + 2], y2 = st[so + 3];
      for (let i = 0; i < n; i++) {
        const x = work[i];
        let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        if (y < DENORMAL && y > -DENORMAL) y = 0;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        work[i] = y;
      }
      if (!Number.isFinite(y1 + y2 + x1 + x2)) {
        x1 = 0; x2 = 0; y1 = 0; y2 = 0;
        for (let i = 0; i < n; i++) work[i] = 0;
      }
      st[so] = x1;
      st[so + 1] = x2;
      st[so + 2] = y1;
      st[so + 3] = y2;
    }
    for (let i = 0; i < n; i++) output[start + i] = work[i];
  }
}
