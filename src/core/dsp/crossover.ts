/**
 * Linkwitz-Riley 24 dB/oct (4th-order) band splitter for N bands: pure design functions plus a
 * stateful splitter.
 *
 * Each crossover is a pair LR4 low-pass = (2nd-order Butterworth low-pass)² and LR4 high-pass =
 * (2nd-order Butterworth high-pass)². In the analogue domain (s normalised to the crossover):
 *   LP + HP = (1 + s⁴) / (s² + √2·s + 1)² = (s² − √2·s + 1) / (s² + √2·s + 1),
 * a 2nd-order allpass: the bands sum to flat magnitude. The identity survives discretisation only if
 * LP, HP and the allpass are mapped by the same substitution; the bilinear transform (with pre-warping
 * at the crossover, as in the RBJ cookbook formulas used here) is such a substitution, so the digital
 * LP + HP is exactly the digital allpass. A "matched" design that fits each filter's magnitude
 * separately would break the identity and leave ripple in the sum near the crossover.
 *
 * For more than two bands (crossovers f0 < f1 < … in a tree: band k = LP_k of what HP_0..HP_{k−1}
 * passed, the last band = the remainder), band k also runs through the allpasses of all crossovers
 * above it, so every band carries the same total phase and the sum is Π AP_j (flat magnitude).
 * Reference: S. Linkwitz, "Active crossover networks for noncoincident drivers", JAES 24(1), 1976;
 * D. Self, "The Design of Active Crossovers", ch. on allpass compensation of multi-way filters.
 */

/** Normalised biquad coefficients (a0 = 1): y = b0·x + b1·x[−1] + b2·x[−2] − a1·y[−1] − a2·y[−2]. */
export interface BiquadCoefs {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

export type ButterworthKind = 'lowpass' | 'highpass' | 'allpass';

/**
 * 2nd-order Butterworth (Q = 1/√2) section by the bilinear transform pre-warped at freqHz
 * (RBJ Audio EQ Cookbook formulas). The allpass has the same poles as the low/high-pass.
 * @param kind lowpass, highpass, or the matching allpass
 * @param freqHz cut-off in Hz; clamped to [1 Hz, 0.49·fs] so the design stays valid at any rate
 * @param sampleRate in Hz
 */
export function designButterworth2(kind: ButterworthKind, freqHz: number, sampleRate: number): BiquadCoefs {
  const f = Math.min(Math.max(freqHz, 1), 0.49 * sampleRate);
  const w0 = (2 * Math.PI * f) / sampleRate;
  const cw = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * Math.SQRT1_2); // sin(w0)/(2Q), Q = 1/√2
  const a0 = 1 + alpha;
  const a1 = -2 * cw / a0;
  const a2 = (1 - alpha) / a0;
  if (kind === 'lowpass') {
    const b = (1 - cw) / 2 / a0;
    return { b0: b, b1: 2 * b, b2: b, a1, a2 };
  }
  if (kind === 'highpass') {
    const b = (1 + cw) / 2 / a0;
    return { b0: b, b1: -2 * b, b2: b, a1, a2 };
  }
  return { b0: a2, b1: a1, b2: 1, a1, a2 };
}

/** Complex frequency response of a biquad at freqHz: returns [re, im]. */
export function biquadResponse(c: BiquadCoefs, freqHz: number, sampleRate: number): [number, number] {
  const w = (2 * Math.PI * freqHz) / sampleRate;
  const c1 = Math.cos(w), s1 = -Math.sin(w), c2 = Math.cos(2 * w), s2 = -Math.sin(2 * w);
  const nr = c.b0 + c.b1 * c1 + c.b2 * c2, ni = c.b1 * s1 + c.b2 * s2;
  const dr = 1 + c.a1 * c1 + c.a2 * c2, di = c.a1 * s1 + c.a2 * s2;
  const den = dr * dr + di * di;
  return [(nr * dr + ni * di) / den, (ni * dr - nr * di) / den];
}

/**
 * Runs one biquad section (transposed direct form II) over buf in place.
 * @param state Float64Array holding (s1, s2) at [at, at + 1]
 */
export function runBiquad(c: BiquadCoefs, state: Float64Array, at: number, input: Float32Array | Float64Array, inOffset: number,
  output: Float32Array | Float64Array, frames: number): void {
  const b0 = c.b0, b1 = c.b1, b2 = c.b2, a1 = c.a1, a2 = c.a2;
  let s1 = state[at], s2 = state[at + 1];
  for (let i = 0; i < frames; i++) {
    const x = input[inOffset + i];
    const y = b0 * x + s1;
    s1 = b1 * x - a1 * y + s2;
    s2 = b2 * x - a2 * y;
    output[i] = y;
  }
  // Flush what would decay into denormals (1e-30 is ~−600 dB), once per block: from 1e-30 a decay
  // takes far longer than any block to reach the denormal range (< 1e-308), so the loop stays branch-free.
  state[at] = flushState(s1);
  state[at + 1] = flushState(s2);
}

/** A filter state value, or 0 when it has decayed below 1e-30 (about −600 dB: on its way to denormals). */
function flushState(v: number): number {
  return Math.abs(v) < 1e-30 ? 0 : v;
}

/** The three sections of one Linkwitz-Riley 4th-order crossover (each LR4 filter is its section twice). */
export interface LinkwitzRileyDesign {
  lowpass: BiquadCoefs;
  highpass: BiquadCoefs;
  allpass: BiquadCoefs;
}

/** Designs one LR4 crossover at freqHz (see the file comment). */
export function designLinkwitzRiley(freqHz: number, sampleRate: number): LinkwitzRileyDesign {
  return {
    lowpass: designButterworth2('lowpass', freqHz, sampleRate),
    highpass: designButterworth2('highpass', freqHz, sampleRate),
    allpass: designButterworth2('allpass', freqHz, sampleRate),
  };
}

/**
 * N-band Linkwitz-Riley splitter with allpass compensation; state per channel. Latency 0.
 * Sections per channel: 4 per crossover (LP², HP²) plus one allpass per (band, higher crossover).
 */
export class LinkwitzRileyCrossover {
  private designs: LinkwitzRileyDesign[] = [];
  private freqs: number[] = [];
  private state: Float64Array[] = [];
  private sampleRate = 48000;
  private maxBands = 2;

  /** Number of bands (crossovers + 1). */
  get bandCount(): number {
    return this.designs.length + 1;
  }

  /**
   * Allocates state for the worst case.
   * @param channels number of channels
   * @param sampleRate in Hz
   * @param maxBands the most bands setCrossovers() will be given
   */
  prepare(channels: number, sampleRate: number, maxBands: number): void {
    this.sampleRate = sampleRate;
    this.maxBands = maxBands;
    const m = maxBands - 1;
    const sections = 4 * m + (m * (m - 1)) / 2;
    this.state = [];
    for (let c = 0; c < channels; c++) this.state.push(new Float64Array(2 * Math.max(1, sections)));
    this.setCrossovers(this.freqs); // redesign for the new rate
  }

  /**
   * Sets the crossover frequencies in Hz (ascending, at most maxBands − 1 of them). Coefficients
   * change at once (no ramp); when the number of bands changes the filter state is cleared.
   */
  setCrossovers(crossoversHz: readonly number[]): void {
    const n = Math.min(crossoversHz.length, this.maxBands - 1);
    const changedCount = n !== this.designs.length;
    this.freqs = crossoversHz.slice(0, n);
    this.designs = this.freqs.map((f) => designLinkwitzRiley(f, this.sampleRate));
    if (changedCount) this.reset();
  }

  reset(): void {
    for (const s of this.state) s.fill(0);
  }

  /**
   * Splits input[inOffset .. inOffset + frames) of channel ch into bands[0..bandCount)[0..frames),
   * lowest band first. Non-finite input samples become 0.
   */
  process(ch: number, input: Float32Array, inOffset: number, bands: readonly Float32Array[], frames: number): void {
    const nb = this.designs.length + 1;
    if (nb === 3) {
      this.process3(ch, input, inOffset, bands, frames);
      return;
    }
    const rest = bands[nb - 1];
    for (let i = 0; i < frames; i++) {
      const x = input[inOffset + i];
      rest[i] = x - x === 0 ? x : 0;
    }
    const st = this.state[ch];
    let sec = 0;
    for (let k = 0; k < nb - 1; k++) {
      const d = this.designs[k];
      const band = bands[k];
      runBiquad(d.lowpass, st, 2 * sec++, rest, 0, band, frames);
      runBiquad(d.lowpass, st, 2 * sec++, band, 0, band, frames);
      runBiquad(d.highpass, st, 2 * sec++, rest, 0, rest, frames);
      runBiquad(d.highpass, st, 2 * sec++, rest, 0, rest, frames);
      for (let j = k + 1; j < nb - 1; j++) runBiquad(this.designs[j].allpass, st, 2 * sec++, band, 0, band, frames);
    }
  }

  /**
   * process() for three bands with the nine sections fused into one loop per sample (state in locals):
   * one pass over the block instead of nine, and the three bands' recursions interleave. Each section
   * is runBiquad's arithmetic, and Math.fround stands for each store into the Float32 band buffers that
   * the section-by-section form makes between sections, so the output is bit-identical to it.
   */
  private process3(ch: number, input: Float32Array, inOffset: number, bands: readonly Float32Array[], frames: number): void {
    const d0 = this.designs[0], d1 = this.designs[1];
    const l0 = d0.lowpass, h0 = d0.highpass, l1 = d1.lowpass, h1 = d1.highpass, ap = d1.allpass;
    const lb0 = l0.b0, lb1 = l0.b1, lb2 = l0.b2, la1 = l0.a1, la2 = l0.a2;
    const hb0 = h0.b0, hb1 = h0.b1, hb2 = h0.b2, ha1 = h0.a1, ha2 = h0.a2;
    const mb0 = l1.b0, mb1 = l1.b1, mb2 = l1.b2, ma1 = l1.a1, ma2 = l1.a2;
    const nb0 = h1.b0, nb1 = h1.b1, nb2 = h1.b2, na1 = h1.a1, na2 = h1.a2;
    const pb0 = ap.b0, pb1 = ap.b1, pb2 = ap.b2, pa1 = ap.a1, pa2 = ap.a2;
    const st = this.state[ch];
    // Section order of process(): LP0, LP0, HP0, HP0, AP1 (band 0), LP1, LP1, HP1, HP1.
    let s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3], s4 = st[4], s5 = st[5], s6 = st[6], s7 = st[7], s8 = st[8];
    let s9 = st[9], s10 = st[10], s11 = st[11], s12 = st[12], s13 = st[13], s14 = st[14], s15 = st[15], s16 = st[16], s17 = st[17];
    const out0 = bands[0], out1 = bands[1], out2 = bands[2];
    for (let i = 0; i < frames; i++) {
      let x = input[inOffset + i];
      if (!(x - x === 0)) x = 0;
      // Band 0: LP0², then AP1.
      let y = lb0 * x + s0;
      s0 = lb1 * x - la1 * y + s1;
      s1 = lb2 * x - la2 * y;
      let u = Math.fround(y);
      y = lb0 * u + s2;
      s2 = lb1 * u - la1 * y + s3;
      s3 = lb2 * u - la2 * y;
      u = Math.fround(y);
      y = pb0 * u + s8;
      s8 = pb1 * u - pa1 * y + s9;
      s9 = pb2 * u - pa2 * y;
      out0[i] = y;
      // Rest after crossover 0: HP0².
      y = hb0 * x + s4;
      s4 = hb1 * x - ha1 * y + s5;
      s5 = hb2 * x - ha2 * y;
      u = Math.fround(y);
      y = hb0 * u + s6;
      s6 = hb1 * u - ha1 * y + s7;
      s7 = hb2 * u - ha2 * y;
      const r = Math.fround(y);
      // Band 1: LP1² of the rest.
      y = mb0 * r + s10;
      s10 = mb1 * r - ma1 * y + s11;
      s11 = mb2 * r - ma2 * y;
      u = Math.fround(y);
      y = mb0 * u + s12;
      s12 = mb1 * u - ma1 * y + s13;
      s13 = mb2 * u - ma2 * y;
      out1[i] = y;
      // Band 2: HP1² of the rest.
      y = nb0 * r + s14;
      s14 = nb1 * r - na1 * y + s15;
      s15 = nb2 * r - na2 * y;
      u = Math.fround(y);
      y = nb0 * u + s16;
      s16 = nb1 * u - na1 * y + s17;
      s17 = nb2 * u - na2 * y;
      out2[i] = y;
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3; st[4] = s4; st[5] = s5; st[6] = s6; st[7] = s7; st[8] = s8;
    st[9] = s9; st[10] = s10; st[11] = s11; st[12] = s12; st[13] = s13; st[14] = s14; st[15] = s15; st[16] = s16; st[17] = s17;
    // Denormal flush once per block, as runBiquad does (so both forms stay bit-identical).
    for (let k = 0; k < 18; k++) st[k] = flushState(st[k]);
  }
}
