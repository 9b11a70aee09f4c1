/**
 * Algorithmic reverb: an 8-line feedback delay network (Jot & Chaigne 1991; Smith, "Physical Audio
 * Signal Processing", FDN chapter).
 *
 * - Feedback matrix: the 8×8 Hadamard matrix scaled by 1/√8 (orthogonal, so the loop is lossless before
 *   the absorption filters and every line feeds every other).
 * - Delay lengths: mutually prime-ish base lengths of 29.7..73.1 ms (× sizePercent/100), rounded to frames.
 * - Absorption per line: DC gain g_i = 10^(−3·m_i/(fs·T60)) (m_i frames; a loss of 60 dB after T60 seconds),
 *   times a first-order shelving low-pass (bilinear, corner dampingHz) whose high-frequency gain makes the
 *   decay at high frequencies HF_RATIO times shorter. Below dampingHz the decay time is decaySeconds.
 * - Pre-delay before the network; input DC-blocked (one-pole high-pass at 10 Hz) because a network with a
 *   DC loop gain close to 1 would otherwise amplify DC by ~1/(1−g).
 * - Stereo: L feeds the even lines, R the odd ones; the outputs are two orthogonal sign patterns of the
 *   lines, so the wet channels are decorrelated.
 * out = (1−mix)·dry + mix·wet. Latency 0.
 */
import { LinearRamp } from './gain.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';
import { reverbProcessWasm, reverbRings, type ReverbRings, type ReverbState } from './reverb-wasm.js';

export interface ReverbParams {
  /** RT60 below dampingHz, seconds. */
  decaySeconds: number;
  /** Pre-delay before the reverberation, ms. */
  preDelayMs: number;
  /** Corner of the high-frequency damping, Hz. */
  dampingHz: number;
  /** Room size: scales the delay lengths, percent. */
  sizePercent: number;
  /** Dry/wet, 0..1. */
  mix: number;
}

export const REVERB_PARAMS = {
  decaySeconds: { kind: 'number', unit: 's', min: 0.1, max: 20, default: 1.8, rampMs: 0, description: 'Decay time RT60 (below dampingHz)' },
  preDelayMs: { kind: 'number', unit: 'ms', min: 0, max: 250, default: 10, rampMs: 0, description: 'Pre-delay' },
  dampingHz: { kind: 'number', unit: 'Hz', min: 500, max: 20000, default: 8000, rampMs: 0, description: 'Frequency above which the decay gets shorter' },
  sizePercent: { kind: 'number', unit: 'percent', min: 25, max: 200, default: 100, rampMs: 0, description: 'Room size (scales the delay lengths)' },
  mix: { kind: 'number', unit: 'linear', min: 0, max: 1, default: 0.25, rampMs: 20, description: 'Dry/wet mix (0 dry, 1 wet)' },
} as const satisfies ParamTable;

const N = 8;
/** Base delay lengths in ms (chosen so no two share small common factors at common rates). */
const BASE_MS = [29.7, 37.1, 41.1, 43.7, 53.3, 59.9, 67.7, 73.1];
/** Decay at Nyquist is this many times shorter than decaySeconds. */
const HF_RATIO = 4;
/*
 * Output signs: rows 1 and 2 of the Hadamard matrix (orthogonal to each other and to the inputs), written
 * out in mixLines(): left [1, −1, 1, −1, 1, −1, 1, −1], right [1, 1, −1, −1, 1, 1, −1, −1].
 */
/** Longest chunk of process() (frames). */
const CHUNK = 256;
/** Wet level normalisation: √(1/N) per output keeps the reverb energy near the input energy. */
const OUT_SCALE = 1 / Math.sqrt(N);

/** Reverb processor; see REVERB_PARAMS. */
export class Reverb implements Processor<ReverbParams, Record<string, never>>, ReverbState {
  readonly latencyFrames = 0;
  private p: ReverbParams = { decaySeconds: 1.8, preDelayMs: 10, dampingHz: 8000, sizePercent: 100, mix: 0.25 };
  private fs = 48000;
  /** The delay lines and pre-delay rings: views of the WebAssembly kernels' memory (reverb-wasm.ts), or plain arrays without the kernels. */
  private rings: ReverbRings | null = null;
  private lines: Float32Array[] = [];
  private lineSize = new Int32Array(N);
  // ReverbState: the fields reverb-wasm.ts reads and updates.
  readonly lens = new Int32Array(N);
  readonly pos = new Int32Array(N);
  readonly gain = new Float64Array(N);
  readonly b0 = new Float64Array(N);
  readonly b1 = new Float64Array(N);
  readonly a1 = new Float64Array(N);
  readonly fz = new Float64Array(N);
  /** Per chunk: each line's filtered output, the DC-blocked input, the wet sums (see process()). */
  private readonly lineOut = Array.from({ length: N }, () => new Float64Array(CHUNK));
  private readonly inL = new Float64Array(CHUNK);
  private readonly inR = new Float64Array(CHUNK);
  private readonly wetL = new Float64Array(CHUNK);
  private readonly wetR = new Float64Array(CHUNK);
  private pre: Float32Array[] = [];
  private preSize = 1;
  preLen = 0;
  prePos = 0;
  dcCoef = 0;
  readonly dcX = new Float64Array(2);
  readonly dcY = new Float64Array(2);
  readonly mix = new LinearRamp(0.25);
  private readonly meters = {} as Record<string, never>;

  prepare(spec: ProcessSpec): void {
    this.fs = spec.sampleRate;
    const maxScale = REVERB_PARAMS.sizePercent.max / 100;
    for (let i = 0; i < N; i++) this.lineSize[i] = Math.ceil((BASE_MS[i] / 1000) * maxScale * spec.sampleRate) + 1;
    this.preSize = Math.ceil((REVERB_PARAMS.preDelayMs.max / 1000) * spec.sampleRate) + 1;
    this.rings = reverbRings(this.rings, this.lineSize, this.preSize);
    if (this.rings !== null) {
      this.lines = this.rings.lines;
      this.pre = this.rings.pre;
    } else {
      this.lines = Array.from(this.lineSize, (n) => new Float32Array(n));
      this.pre = [new Float32Array(this.preSize), new Float32Array(this.preSize)];
    }
    this.dcCoef = Math.exp((-2 * Math.PI * 10) / spec.sampleRate);
    this.mix.setRampFrames(0.02 * spec.sampleRate);
    this.design();
    this.reset();
  }

  reset(): void {
    this.rings?.renew();
    for (const l of this.lines) l.fill(0);
    for (const b of this.pre) b.fill(0);
    this.pos.fill(0);
    this.prePos = 0;
    this.fz.fill(0);
    this.dcX.fill(0);
    this.dcY.fill(0);
    this.mix.snap();
  }

  setParams(patch: Partial<ReverbParams>): void {
    Object.assign(this.p, patch);
    this.design();
  }

  private design(): void {
    const fs = this.fs;
    const p = this.p;
    const scale = Math.min(Math.max(p.sizePercent, 25), 200) / 100;
    const t60 = Math.max(0.05, p.decaySeconds);
    const fc = Math.min(Math.max(p.dampingHz, 20), 0.45 * fs);
    const K = Math.tan((Math.PI * fc) / fs);
    for (let i = 0; i < N; i++) {
      const m = Math.max(2, Math.min(Math.round((BASE_MS[i] / 1000) * scale * fs), this.lineSize[i] - 1));
      this.lens[i] = m;
      // Loss per pass: 60 dB in t60 seconds at DC; at Nyquist 60 dB in t60/HF_RATIO.
      this.gain[i] = Math.pow(10, (-3 * m) / (fs * t60));
      const k = Math.pow(10, (-3 * m * (HF_RATIO - 1)) / (fs * t60));
      // First-order shelf H(s) = (k·s + 1)/(s + 1) at ω = 2π·fc, bilinear with prewarping:
      // DC gain 1, Nyquist gain k.
      this.b0[i] = (k + K) / (1 + K);
      this.b1[i] = (K - k) / (1 + K);
      this.a1[i] = (K - 1) / (1 + K);
    }
    this.preLen = Math.min(Math.round((Math.max(0, p.preDelayMs) / 1000) * fs), this.preSize - 1);
    this.mix.setTarget(p.mix);
  }

  /*
   * process() runs in chunks no longer than the shortest delay line (and CHUNK): a line's reads for a
   * whole chunk then precede every write of that chunk in time, so each stage can run over the chunk on
   * its own (pre-delay and DC blocker; each line's read and absorption filter; the Hadamard mix and the
   * writes; the output mix) with the per-sample arithmetic and order of a frame-by-frame loop: the same
   * bits, about five times faster (tight loops instead of eight indirect line accesses per frame).
   * With the WebAssembly kernels, reverb-wasm.ts runs the same stages, the same bits about three times
   * faster again; these loops are its fallback and its oracle.
   */

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    const nOut = outputs.length;
    if (nOut === 0) return;
    const xl = inputs[0];
    const xr = inputs.length > 1 ? inputs[1] : inputs[0];
    const yl = outputs[0];
    const yr = nOut > 1 ? outputs[1] : null;
    if (this.rings === null || !reverbProcessWasm(this, this.rings, xl, xr, yl, yr, frames)) {
      this.rings?.renew(); // the kernels' memory may have grown since the last block
      let minLen = CHUNK;
      for (let j = 0; j < N; j++) if (this.lens[j] < minLen) minLen = this.lens[j];
      for (let i0 = 0; i0 < frames; i0 += minLen) {
        const c = Math.min(minLen, frames - i0);
        this.input(xl, xr, i0, c);
        for (let j = 0; j < N; j += 2) this.readLines(j, c);
        this.mixLines(c);
        this.output(xl, xr, yl, yr, i0, c);
      }
    }
    for (let c = 2; c < nOut; c++) {
      const x = inputs[c];
      const y = outputs[c];
      for (let i = 0; i < frames; i++) { const v = x[i]; y[i] = v - v === 0 ? v : 0; }
    }
  }

  /** Pre-delay and DC blocker of frames [i0, i0+c) into inL/inR[0, c). */
  private input(xl: Float32Array, xr: Float32Array, i0: number, c: number): void {
    const preL = this.pre[0], preR = this.pre[1];
    const preSize = this.preSize;
    const preLen = this.preLen;
    const dcA = this.dcCoef;
    const inL = this.inL, inR = this.inR;
    let pp = this.prePos;
    let xl1 = this.dcX[0], xr1 = this.dcX[1], yl1 = this.dcY[0], yr1 = this.dcY[1];
    for (let k = 0; k < c; k++) {
      let l = xl[i0 + k];
      let r = xr[i0 + k];
      if (l - l !== 0) l = 0;
      if (r - r !== 0) r = 0;
      // Pre-delay (ring buffer; preLen = 0 reads what was just written).
      preL[pp] = l;
      preR[pp] = r;
      let rp = pp - preLen;
      if (rp < 0) rp += preSize;
      const dl = preL[rp];
      const dr = preR[rp];
      pp = pp + 1 === preSize ? 0 : pp + 1;
      // DC blocker: y = x − x1 + a·y1.
      let hl = dl - xl1 + dcA * yl1;
      let hr = dr - xr1 + dcA * yr1;
      if (!(Math.abs(hl) > 1e-25 && hl - hl === 0)) hl = 0;
      if (!(Math.abs(hr) > 1e-25 && hr - hr === 0)) hr = 0;
      xl1 = dl; xr1 = dr; yl1 = hl; yr1 = hr;
      inL[k] = hl;
      inR[k] = hr;
    }
    this.prePos = pp;
    this.dcX[0] = xl1; this.dcX[1] = xr1; this.dcY[0] = yl1; this.dcY[1] = yr1;
  }

  /**
   * Lines j and j+1: outputs for the chunk's c frames (delayed read, gain, absorption shelf in transposed
   * DF2) into lineOut. Two lines per loop: their filter recursions are independent chains the CPU overlaps.
   */
  private readLines(j: number, c: number): void {
    const la = this.lines[j], lb = this.lines[j + 1];
    const sa = this.lineSize[j], sb = this.lineSize[j + 1];
    const ga = this.gain[j], b0a = this.b0[j], b1a = this.b1[j], a1a = this.a1[j];
    const gb = this.gain[j + 1], b0b = this.b0[j + 1], b1b = this.b1[j + 1], a1b = this.a1[j + 1];
    const oa = this.lineOut[j], ob = this.lineOut[j + 1];
    let fa = this.fz[j], fb = this.fz[j + 1];
    let ra = this.pos[j] - this.lens[j];
    if (ra < 0) ra += sa;
    let rb = this.pos[j + 1] - this.lens[j + 1];
    if (rb < 0) rb += sb;
    for (let k = 0; k < c; k++) {
      const va = ga * la[ra];
      const vb = gb * lb[rb];
      let xa = b0a * va + fa;
      let xb = b0b * vb + fb;
      if (!(Math.abs(xa) > 1e-25 && xa - xa === 0)) xa = 0;
      if (!(Math.abs(xb) > 1e-25 && xb - xb === 0)) xb = 0;
      fa = b1a * va - a1a * xa;
      fb = b1b * vb - a1b * xb;
      oa[k] = xa;
      ob[k] = xb;
      ra = ra + 1 === sa ? 0 : ra + 1;
      rb = rb + 1 === sb ? 0 : rb + 1;
    }
    this.fz[j] = fa;
    this.fz[j + 1] = fb;
  }

  /**
   * Per frame of the chunk: the wet outputs (two sign patterns of the line outputs, summed in line
   * order), the fast Walsh-Hadamard transform of the outputs (3 butterfly stages, scaled by 1/√8) plus
   * the input into the lines.
   */
  private mixLines(c: number): void {
    const [o0, o1, o2, o3, o4, o5, o6, o7] = this.lineOut;
    const [l0, l1, l2, l3, l4, l5, l6, l7] = this.lines;
    const pos = this.pos, size = this.lineSize;
    let p0 = pos[0], p1 = pos[1], p2 = pos[2], p3 = pos[3], p4 = pos[4], p5 = pos[5], p6 = pos[6], p7 = pos[7];
    const inL = this.inL, inR = this.inR, wetL = this.wetL, wetR = this.wetR;
    const h = 1 / Math.sqrt(N);
    for (let k = 0; k < c; k++) {
      const a0 = o0[k], a1 = o1[k], a2 = o2[k], a3 = o3[k], a4 = o4[k], a5 = o5[k], a6 = o6[k], a7 = o7[k];
      // Σ OUT_L[j]·o_j and Σ OUT_R[j]·o_j in line order (the signs are ±1: exact products).
      let wl = 0;
      wl += a0; wl += -a1; wl += a2; wl += -a3; wl += a4; wl += -a5; wl += a6; wl += -a7;
      let wr = 0;
      wr += a0; wr += a1; wr += -a2; wr += -a3; wr += a4; wr += a5; wr += -a6; wr += -a7;
      wetL[k] = wl;
      wetR[k] = wr;
      // Butterflies: stride 1, 2, 4.
      const s0 = a0 + a1, s1 = a0 - a1, s2 = a2 + a3, s3 = a2 - a3, s4 = a4 + a5, s5 = a4 - a5, s6 = a6 + a7, s7 = a6 - a7;
      const t0 = s0 + s2, t2 = s0 - s2, t1 = s1 + s3, t3 = s1 - s3, t4 = s4 + s6, t6 = s4 - s6, t5 = s5 + s7, t7 = s5 - s7;
      const hl = inL[k], hr = inR[k];
      l0[p0] = h * (t0 + t4) + hl;
      l1[p1] = h * (t1 + t5) + hr;
      l2[p2] = h * (t2 + t6) + hl;
      l3[p3] = h * (t3 + t7) + hr;
      l4[p4] = h * (t0 - t4) + hl;
      l5[p5] = h * (t1 - t5) + hr;
      l6[p6] = h * (t2 - t6) + hl;
      l7[p7] = h * (t3 - t7) + hr;
      p0 = p0 + 1 === size[0] ? 0 : p0 + 1;
      p1 = p1 + 1 === size[1] ? 0 : p1 + 1;
      p2 = p2 + 1 === size[2] ? 0 : p2 + 1;
      p3 = p3 + 1 === size[3] ? 0 : p3 + 1;
      p4 = p4 + 1 === size[4] ? 0 : p4 + 1;
      p5 = p5 + 1 === size[5] ? 0 : p5 + 1;
      p6 = p6 + 1 === size[6] ? 0 : p6 + 1;
      p7 = p7 + 1 === size[7] ? 0 : p7 + 1;
    }
    pos[0] = p0; pos[1] = p1; pos[2] = p2; pos[3] = p3; pos[4] = p4; pos[5] = p5; pos[6] = p6; pos[7] = p7;
  }

  /** out = (1 − mix)·dry + mix·wet for the chunk's frames [i0, i0+c). */
  private output(xl: Float32Array, xr: Float32Array, yl: Float32Array, yr: Float32Array | null, i0: number, c: number): void {
    const wetL = this.wetL, wetR = this.wetR;
    for (let k = 0; k < c; k++) {
      const mix = this.mix.next();
      const ol = wetL[k] * OUT_SCALE;
      const or = wetR[k] * OUT_SCALE;
      const ll = xl[i0 + k];
      const rr = xr[i0 + k];
      yl[i0 + k] = (1 - mix) * (ll - ll === 0 ? ll : 0) + mix * ol;
      if (yr !== null) yr[i0 + k] = (1 - mix) * (rr - rr === 0 ? rr : 0) + mix * or;
    }
  }

  readMeters(): Readonly<Record<string, never>> {
    return this.meters;
  }
}
