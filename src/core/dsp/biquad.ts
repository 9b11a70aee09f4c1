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
 * the output is identical for any process() block size.
 *
 * Cost of a glide (why a glide uses a cheaper design): the accurate design (designEqBandInto: refined
 * matched sections plus a jointly refitted correction section) costs ~0.1 ms for a 1 kHz bell and
 * 0.7..2.6 ms for a bell or an 8th-order lowpass near Nyquist. Redesigned every 16 samples through a
 * 20 ms glide that is ~60 designs, i.e. 50..150 ms of CPU per glide, and automation retargets every
 * few blocks, so a glide never ends. Of the three options (a cache of accurate designs, a warm-started
 * one-round refit, a cheap design during the glide), only the last bounds the cost of every glide: a
 * cache only helps exact revisits, and one warm-started refit round would still cost tens of µs per
 * band (estimated: 72 grid targets re-evaluated, one SK solve per section) and is not continuous in
 * the parameters either (the refit keeps the best of several sweeps, so its result can jump between
 * neighbouring parameters; redesigning it per sub-block under automation gave output steps of 20×
 * the signal's). So while parameters move a band runs designEqBandFastInto (bare matched sections and
 * an identity correction, closed form and continuous, measured 0.1..0.6 µs per band, ~1 µs per
 * sub-block with the smoothing), and the accurate design runs once, when the glide ends. Its error
 * while moving is the matched design's (0.5..1 dB for wide bells, 1..2.5 dB at the corner of steep
 * hp/lp and bandpasses at 10..15 kHz at 48 kHz, more at 44.1 kHz), a deviation that lasts only as
 * long as the parameters move.
 *
 * The two designs differ (by up to a few dB near Nyquist), so a switch between them is a band-level
 * output crossfade over BLEND_MS: at the start of a glide from the accurate design at the old
 * parameters to the moving glide design, and when the glide ends from the glide design to the
 * accurate design at the final parameters. During a crossfade the old filter keeps running on a copy
 * of the band's state (so its output continues exactly) next to the new one, which continues from the
 * band's state, and the two outputs are mixed with a per-sample linear weight. Interpolating the
 * coefficients section by section instead would be stable (the stability triangle |a2| < 1,
 * |a1| < 1 + a2 of each denominator is convex) and free, but the joint refit redistributes poles,
 * zeros and gain between a band's sections, so intermediate sets are far from both designs (an
 * 8th-order lowpass at 15 kHz is +2.7 dB at 1 kHz half-way), which showed as a transient overshoot.
 * A crossfade costs one extra run of the band for BLEND_MS only. A switch that falls inside a running
 * crossfade waits for its end (the new filter keeps its design meanwhile), so at most two filters
 * run per band. Within a glide the glide design is closed form and continuous in the parameters, so
 * it is simply redesigned every sub-block as before.
 *
 * A small per-band cache (CACHE_ENTRIES accurate designs keyed by the exact parameters) makes
 * revisited settings (A/B automation, reset() after setBands()) free.
 *
 * Each band runs its base sections plus one correction section (biquad-design.ts designEqBandInto);
 * identity sections are skipped with their state kept exact, so the correction costs nothing where
 * the base design is already accurate (and during glides).
 *
 * Guards: non-finite input samples are treated as 0; state values below 1e-30 in magnitude are flushed
 * to 0 after each run of at most 256 frames (no denormals in the feedback path: biquad-kernels.ts); a
 * channel whose state becomes non-finite (overflow) is cleared.
 */
import { runCascadeStereoWasm, WASM_MAX_FRAMES } from './biquad-wasm.js';
import { COEFFS_PER_SECTION, bandOrder, bandTypeCode, designEqBandFastInto, designEqBandInto, eqSectionCountFor, MAX_BUTTERWORTH_ORDER, BAND_DEFAULT_Q, type BandSpec } from './biquad-design.js';
import { runCascade, runCascadeStereo, runSection } from './biquad-kernels.js';
import { ParamSmoother } from './param-smoother.js';

/** Samples between coefficient redesigns while a parameter glides. */
export const SUB_BLOCK = 16;
/** Longest stretch one steady-state section call covers (frames): amortizes the per-call state load/store. */
const STEADY_CHUNK = 256;
/** Glide time of frequency, gain and Q changes, in ms. */
export const BIQUAD_RAMP_MS = 20;
/**
 * Blend time between the accurate and the glide design at the start and the end of a glide, in ms
 * (rounded to whole sub-blocks, at least one). Long enough that the switch (at most a few dB near
 * Nyquist) is a smooth move rather than a step, short against the 20 ms glide.
 */
export const BLEND_MS = 4;
/** Accurate designs remembered per band (exact parameter match). */
const CACHE_ENTRIES = 4;
/** Cache key fields: typeCode, order, freqHz, gainDb, q. */
const KEY_FIELDS = 5;

/** Design kinds of a band's running coefficients. */
const ACCURATE = 0;
const FAST = 1;

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
  /** Target frequency (Hz) and Q per band in the user's exact values (see designAccurate). */
  private readonly freqHz: Float64Array;
  private readonly q: Float64Array;
  /** b0, b1, b2, a1, a2 per section: the running (new) filter. */
  private readonly coeffs: Float64Array;
  /** Per band: ACCURATE or FAST, the design kind in coeffs. */
  private readonly kind: Uint8Array;
  /** Per band: 1 when coeffs were designed for parameters that have moved since. */
  private readonly stale: Uint8Array;
  /** Per band: sub-blocks of the running crossfade started (1..xfLen), 0 = none. */
  private readonly xfPos: Int32Array;
  /** Sub-blocks per crossfade (BLEND_MS at the sample rate, at least 1). */
  private xfLen = 1;
  /** Whether any band crossfades in the current sub-block (selects the band-wise path in runChunk). */
  private anyCrossfade = false;
  /** Coefficients of the old filter during a crossfade, same layout as coeffs. */
  private readonly xfCoeffs: Float64Array;
  /** State of the old filter during a crossfade, same layout as state. */
  private readonly xfState: Float64Array;
  /** Most sections of one band. */
  private readonly bandSections: number;
  /** Cache keys per (band, entry): KEY_FIELDS values; typeCode -1 = empty. */
  private readonly cacheKey: Float64Array;
  /** Cached accurate coefficients per (band, entry): bandSections·5 values. */
  private readonly cacheCoeffs: Float64Array;
  /** Per band: the cache entry replaced next (round robin). */
  private readonly cacheNext: Int32Array;
  /** x1, x2, y1, y2 per (channel, section): index (ch·maxSections + s)·4. */
  private readonly state: Float64Array;
  private readonly maxSections: number;
  /** One sub-block of samples in Float64 (the signal through the cascade). */
  private readonly work: Float64Array;
  private readonly steadyWork: Float64Array;
  /** The second channel's stretch in the stereo steady path. */
  private readonly steadyWork2: Float64Array;
  /** One sub-block: a crossfading band's input, then its old filter's output. */
  private readonly xfWork: Float64Array;
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
    this.bandSections = eqSectionCountFor(bandTypeCode('lowpass'), MAX_BUTTERWORTH_ORDER);
    this.maxSections = maxBands * this.bandSections;
    this.typeCode = new Int32Array(maxBands);
    this.order = new Int32Array(maxBands);
    this.firstSection = new Int32Array(maxBands);
    this.freqHz = new Float64Array(maxBands).fill(1000);
    this.q = new Float64Array(maxBands).fill(1);
    this.logFreq = [];
    this.gain = [];
    this.logQ = [];
    for (let i = 0; i < maxBands; i++) {
      this.logFreq.push(new ParamSmoother(Math.log(1000)));
      this.gain.push(new ParamSmoother(0));
      this.logQ.push(new ParamSmoother(0));
    }
    this.coeffs = new Float64Array(this.maxSections * COEFFS_PER_SECTION);
    this.kind = new Uint8Array(maxBands);
    this.stale = new Uint8Array(maxBands);
    this.xfPos = new Int32Array(maxBands);
    this.xfCoeffs = new Float64Array(this.maxSections * COEFFS_PER_SECTION);
    this.cacheKey = new Float64Array(maxBands * CACHE_ENTRIES * KEY_FIELDS).fill(-1);
    this.cacheCoeffs = new Float64Array(maxBands * CACHE_ENTRIES * this.bandSections * COEFFS_PER_SECTION);
    this.cacheNext = new Int32Array(maxBands);
    this.state = new Float64Array(channels * this.maxSections * 4);
    this.xfState = new Float64Array(channels * this.maxSections * 4);
    this.work = new Float64Array(SUB_BLOCK);
    this.steadyWork = new Float64Array(STEADY_CHUNK);
    this.steadyWork2 = new Float64Array(STEADY_CHUNK);
    this.xfWork = new Float64Array(SUB_BLOCK);
  }

  /** Most bands this cascade holds. */
  get capacity(): number {
    return this.maxBands;
  }

  /** Sets the sample rate (Hz) and redesigns. */
  setSampleRate(sampleRate: number): void {
    this.sampleRate = sampleRate;
    this.xfLen = Math.max(1, Math.round(((BLEND_MS / 1000) * sampleRate) / SUB_BLOCK));
    this.cacheKey.fill(-1);
    for (let b = 0; b < this.maxBands; b++) {
      this.logFreq[b].configure(sampleRate, BIQUAD_RAMP_MS);
      this.gain[b].configure(sampleRate, BIQUAD_RAMP_MS);
      this.logQ[b].configure(sampleRate, BIQUAD_RAMP_MS);
    }
    for (let b = 0; b < this.bandCount; b++) this.designBand(b);
  }

  /** Whether `bands` has the same band count, types and orders as the current set (so it can glide). */
  hasSameStructure(bands: readonly BandSpec[]): boolean {
    // More bands than this cascade holds: a different structure (a larger cascade takes them).
    if (bands.length > this.maxBands) return false;
    const n = bands.length;
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
      this.freqHz[b] = band.freqHz;
      this.q[b] = band.q ?? BAND_DEFAULT_Q[band.type];
      const lf = Math.log(this.freqHz[b]);
      const g = band.gainDb ?? 0;
      const lq = Math.log(this.q[b]);
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

  /** Current coefficients (5 per section) of the running filter, a copy, for inspection and tests. */
  coefficients(): Float64Array {
    return this.coeffs.slice(0, this.sectionCount * COEFFS_PER_SECTION);
  }

  /** Whether any band still glides or crossfades (it is not yet running its settled accurate design). */
  get isGliding(): boolean {
    for (let b = 0; b < this.bandCount; b++) if (!this.isIdle(b)) return true;
    return false;
  }

  private isIdle(b: number): boolean {
    return this.kind[b] === ACCURATE && this.stale[b] === 0 && this.xfPos[b] === 0 && !this.logFreq[b].isSmoothing && !this.gain[b].isSmoothing && !this.logQ[b].isSmoothing;
  }

  /** Puts the accurate design of band b's current parameters in place at once (no crossfade). */
  private designBand(b: number): void {
    this.designAccurate(b);
    this.kind[b] = ACCURATE;
    this.stale[b] = 0;
    this.xfPos[b] = 0;
  }

  /**
   * Writes the accurate design of band b's current parameters into coeffs, from the band's cache when
   * the exact parameters were designed before. At rest the user's exact frequency and Q are used, not
   * exp(log(value)): the refit is not continuous in the last bit (16000 and 16000.000000000002 Hz can
   * give coefficient sets 0.1 dB apart, both within the accuracy bounds), and this keeps a settled
   * band identical to designBands() / eqMagnitudeDb().
   */
  private designAccurate(b: number): void {
    const out = this.coeffs;
    const t = this.typeCode[b];
    const ord = this.order[b];
    const f = this.logFreq[b].isSmoothing ? Math.exp(this.logFreq[b].value) : this.freqHz[b];
    const g = this.gain[b].value;
    const q = this.logQ[b].isSmoothing ? Math.exp(this.logQ[b].value) : this.q[b];
    const len = eqSectionCountFor(t, ord) * COEFFS_PER_SECTION;
    const o = this.firstSection[b] * COEFFS_PER_SECTION;
    const key = this.cacheKey;
    const stride = this.bandSections * COEFFS_PER_SECTION;
    for (let e = 0; e < CACHE_ENTRIES; e++) {
      const k = (b * CACHE_ENTRIES + e) * KEY_FIELDS;
      if (key[k] === t && key[k + 1] === ord && key[k + 2] === f && key[k + 3] === g && key[k + 4] === q) {
        const c = (b * CACHE_ENTRIES + e) * stride;
        for (let i = 0; i < len; i++) out[o + i] = this.cacheCoeffs[c + i];
        return;
      }
    }
    designEqBandInto(t, ord, f, g, q, this.sampleRate, out, this.firstSection[b]);
    const e = this.cacheNext[b];
    this.cacheNext[b] = (e + 1) % CACHE_ENTRIES;
    const k = (b * CACHE_ENTRIES + e) * KEY_FIELDS;
    key[k] = t;
    key[k + 1] = ord;
    key[k + 2] = f;
    key[k + 3] = g;
    key[k + 4] = q;
    const c = (b * CACHE_ENTRIES + e) * stride;
    for (let i = 0; i < len; i++) this.cacheCoeffs[c + i] = out[o + i];
  }

  /** Writes the glide design of band b's current parameters into coeffs. */
  private designFast(b: number): void {
    designEqBandFastInto(this.typeCode[b], this.order[b], Math.exp(this.logFreq[b].value), this.gain[b].value, Math.exp(this.logQ[b].value), this.sampleRate, this.coeffs, this.firstSection[b]);
  }

  /** Starts a crossfade of band b: the running filter (coefficients and state) becomes the old one. */
  private startCrossfade(b: number): void {
    const s0 = this.firstSection[b];
    const ns = eqSectionCountFor(this.typeCode[b], this.order[b]);
    const o = s0 * COEFFS_PER_SECTION;
    for (let i = 0; i < ns * COEFFS_PER_SECTION; i++) this.xfCoeffs[o + i] = this.coeffs[o + i];
    for (let ch = 0; ch < this.channels; ch++) {
      const so = (ch * this.maxSections + s0) * 4;
      for (let i = 0; i < ns * 4; i++) this.xfState[so + i] = this.state[so + i];
    }
    this.xfPos[b] = 1;
  }

  /**
   * At a sub-block boundary: advances the glides by one sub-block, keeps each band's running design
   * current (glide design while moving, accurate design once settled), starts crossfades between the
   * two kinds and advances running crossfades.
   */
  private advanceGlides(): void {
    let any = false;
    for (let b = 0; b < this.bandCount; b++) {
      // The crossfade that covered the previous sub-block is complete.
      if (this.xfPos[b] >= this.xfLen) this.xfPos[b] = 0;
      if (this.isIdle(b)) continue;
      const f = this.logFreq[b];
      const g = this.gain[b];
      const q = this.logQ[b];
      if (f.isSmoothing || g.isSmoothing || q.isSmoothing) {
        f.advance(SUB_BLOCK);
        g.advance(SUB_BLOCK);
        q.advance(SUB_BLOCK);
        this.stale[b] = 1;
      }
      const want = f.isSmoothing || g.isSmoothing || q.isSmoothing ? FAST : ACCURATE;
      const fading = this.xfPos[b] > 0;
      if (want === FAST && this.kind[b] === FAST) {
        // Inside a glide: the closed-form design is continuous in the parameters, no crossfade needed.
        if (this.stale[b] === 1) this.designFast(b);
        this.stale[b] = 0;
      } else if (want !== this.kind[b] || this.stale[b] === 1) {
        if (!fading) {
          this.startCrossfade(b);
          if (want === FAST) this.designFast(b);
          else this.designAccurate(b);
          this.kind[b] = want;
          this.stale[b] = 0;
        } else if (this.kind[b] === FAST) {
          // Settled during a crossfade: follow the parameters; the accurate design waits for the end.
          if (this.stale[b] === 1) this.designFast(b);
          this.stale[b] = 0;
        }
        // Accurate design running and a crossfade in progress: the switch waits (stale stays set).
      }
      if (fading) this.xfPos[b]++;
      if (this.xfPos[b] > 0) any = true;
    }
    this.anyCrossfade = any;
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
      if (this.phase === 0 && !this.anyCrossfade && !this.isGliding) {
        // Steady state: nothing to redesign at the next grid points, so each section runs over a long
        // stretch in one call (the per-sample arithmetic is the same: bit-identical to 16-frame steps).
        // Stereo takes the WebAssembly kernel when it can: the whole steady stretch in one call, in runs of
        // STEADY_CHUNK inside (advanceGlides() between runs would change nothing: the state is steady).
        if (this.channels === 2) {
          const m = Math.min(WASM_MAX_FRAMES, frames - done);
          if (runCascadeStereoWasm(this.coeffs, this.sectionCount, this.state, 0, this.maxSections * 4, inputs[0], inputs[1], outputs[0], outputs[1], done, m, STEADY_CHUNK)) {
            done += m;
            this.phase = m % SUB_BLOCK;
            continue;
          }
        }
        const n = Math.min(STEADY_CHUNK, frames - done);
        if (this.channels === 2) this.runSteadyStereo(inputs, outputs, done, n);
        else for (let ch = 0; ch < this.channels; ch++) this.runSteady(inputs[ch], outputs[ch], done, n, ch);
        done += n;
        this.phase = n % SUB_BLOCK;
        continue;
      }
      const n = Math.min(SUB_BLOCK - this.phase, frames - done);
      for (let ch = 0; ch < this.channels; ch++) this.runChunk(inputs[ch], outputs[ch], done, n, ch);
      done += n;
      this.phase = (this.phase + n) % SUB_BLOCK;
    }
  }

  /** Every section in order over samples [start, start+n) of one channel (n <= STEADY_CHUNK), no glides. */
  private runSteady(input: Float32Array, output: Float32Array, start: number, n: number, ch: number): void {
    const work = this.steadyWork;
    for (let i = 0; i < n; i++) {
      const x = input[start + i];
      work[i] = x - x === 0 ? x : 0; // NaN and ±Infinity become 0
    }
    runCascade(this.coeffs, this.sectionCount, this.state, ch * this.maxSections * 4, work, n);
    for (let i = 0; i < n; i++) output[start + i] = work[i];
  }

  /** runSteady for both channels of a stereo cascade in one pass per section pair (biquad-kernels.ts). */
  private runSteadyStereo(inputs: readonly Float32Array[], outputs: Float32Array[], start: number, n: number): void {
    const wa = this.steadyWork;
    const wb = this.steadyWork2;
    const ia = inputs[0];
    const ib = inputs[1];
    for (let i = 0; i < n; i++) {
      const x = ia[start + i];
      wa[i] = x - x === 0 ? x : 0; // NaN and ±Infinity become 0
      const z = ib[start + i];
      wb[i] = z - z === 0 ? z : 0;
    }
    runCascadeStereo(this.coeffs, this.sectionCount, this.state, 0, this.maxSections * 4, wa, wb, n);
    const oa = outputs[0];
    const ob = outputs[1];
    for (let i = 0; i < n; i++) {
      oa[start + i] = wa[i];
      ob[start + i] = wb[i];
    }
  }

  /** Runs all bands over samples [start, start+n) of one channel (n <= SUB_BLOCK - phase). */
  private runChunk(input: Float32Array, output: Float32Array, start: number, n: number, ch: number): void {
    const work = this.work;
    for (let i = 0; i < n; i++) {
      const x = input[start + i];
      work[i] = x - x === 0 ? x : 0; // NaN and ±Infinity become 0
    }
    const base = ch * this.maxSections * 4;
    if (!this.anyCrossfade) {
      // The steady path (also within glides): every section in order.
      runCascade(this.coeffs, this.sectionCount, this.state, base, work, n);
      for (let i = 0; i < n; i++) output[start + i] = work[i];
      return;
    }
    // Some band crossfades: band by band.
    for (let b = 0; b < this.bandCount; b++) {
      const s0 = this.firstSection[b];
      const s1 = b + 1 < this.bandCount ? this.firstSection[b + 1] : this.sectionCount;
      const p = this.xfPos[b];
      if (p === 0) {
        for (let s = s0; s < s1; s++) runSection(this.coeffs, s * COEFFS_PER_SECTION, this.state, base + s * 4, work, n);
        continue;
      }
      // Crossfade: the old filter on a copy of the band input, the new one in place, then the mix with
      // weight w = (samples of the crossfade so far) / (its length), counted on the sub-block grid.
      const xw = this.xfWork;
      for (let i = 0; i < n; i++) xw[i] = work[i];
      for (let s = s0; s < s1; s++) runSection(this.xfCoeffs, s * COEFFS_PER_SECTION, this.xfState, base + s * 4, xw, n);
      for (let s = s0; s < s1; s++) runSection(this.coeffs, s * COEFFS_PER_SECTION, this.state, base + s * 4, work, n);
      const inv = 1 / (this.xfLen * SUB_BLOCK);
      const k0 = (p - 1) * SUB_BLOCK + this.phase + 1;
      for (let i = 0; i < n; i++) {
        const w = (k0 + i) * inv;
        work[i] = xw[i] + w * (work[i] - xw[i]);
      }
    }
    for (let i = 0; i < n; i++) output[start + i] = work[i];
  }
}
