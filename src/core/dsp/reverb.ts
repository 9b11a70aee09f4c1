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
/** Output signs: rows 1 and 2 of the Hadamard matrix (orthogonal to each other and to the inputs). */
const OUT_L = [1, -1, 1, -1, 1, -1, 1, -1];
const OUT_R = [1, 1, -1, -1, 1, 1, -1, -1];
/** Wet level normalisation: √(1/N) per output keeps the reverb energy near the input energy. */
const OUT_SCALE = 1 / Math.sqrt(N);

/** Reverb processor; see REVERB_PARAMS. */
export class Reverb implements Processor<ReverbParams, Record<string, never>> {
  readonly latencyFrames = 0;
  private p: ReverbParams = { decaySeconds: 1.8, preDelayMs: 10, dampingHz: 8000, sizePercent: 100, mix: 0.25 };
  private fs = 48000;
  private lines: Float32Array[] = [];
  private lineSize = new Int32Array(N);
  private lens = new Int32Array(N);
  private pos = new Int32Array(N);
  private readonly gain = new Float64Array(N);
  private readonly b0 = new Float64Array(N);
  private readonly b1 = new Float64Array(N);
  private readonly a1 = new Float64Array(N);
  private readonly fz = new Float64Array(N);
  private readonly outs = new Float64Array(N);
  private pre: Float32Array[] = [];
  private preSize = 1;
  private preLen = 0;
  private prePos = 0;
  private dcCoef = 0;
  private dcX = new Float64Array(2);
  private dcY = new Float64Array(2);
  private readonly mix = new LinearRamp(0.25);
  private readonly meters = {} as Record<string, never>;

  prepare(spec: ProcessSpec): void {
    this.fs = spec.sampleRate;
    const maxScale = REVERB_PARAMS.sizePercent.max / 100;
    this.lines = BASE_MS.map((ms) => {
      const n = Math.ceil((ms / 1000) * maxScale * spec.sampleRate) + 1;
      return new Float32Array(n);
    });
    for (let i = 0; i < N; i++) this.lineSize[i] = this.lines[i].length;
    this.preSize = Math.ceil((REVERB_PARAMS.preDelayMs.max / 1000) * spec.sampleRate) + 1;
    this.pre = [new Float32Array(this.preSize), new Float32Array(this.preSize)];
    this.dcCoef = Math.exp((-2 * Math.PI * 10) / spec.sampleRate);
    this.mix.setRampFrames(0.02 * spec.sampleRate);
    this.design();
    this.reset();
  }

  reset(): void {
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

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    const nOut = outputs.length;
    if (nOut === 0) return;
    const xl = inputs[0];
    const xr = inputs.length > 1 ? inputs[1] : inputs[0];
    const yl = outputs[0];
    const yr = nOut > 1 ? outputs[1] : null;
    const lines = this.lines;
    const lens = this.lens;
    const lineSize = this.lineSize;
    const pos = this.pos;
    const gain = this.gain;
    const b0 = this.b0, b1 = this.b1, a1 = this.a1, fz = this.fz;
    const outs = this.outs;
    const preL = this.pre[0], preR = this.pre[1];
    const preSize = this.preSize;
    const preLen = this.preLen;
    let pp = this.prePos;
    const dcA = this.dcCoef;
    const dcX = this.dcX, dcY = this.dcY;
    const h = 1 / Math.sqrt(N);
    for (let i = 0; i < frames; i++) {
      let l = xl[i];
      let r = xr[i];
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
      let hl = dl - dcX[0] + dcA * dcY[0];
      let hr = dr - dcX[1] + dcA * dcY[1];
      if (!(Math.abs(hl) > 1e-25 && hl - hl === 0)) hl = 0;
      if (!(Math.abs(hr) > 1e-25 && hr - hr === 0)) hr = 0;
      dcX[0] = dl; dcX[1] = dr; dcY[0] = hl; dcY[1] = hr;
      // Read the line outputs through their absorption filters (gain·shelf, transposed DF2).
      let wl = 0;
      let wr = 0;
      for (let j = 0; j < N; j++) {
        let rj = pos[j] - lens[j];
        if (rj < 0) rj += lineSize[j];
        const v = gain[j] * lines[j][rj];
        let o = b0[j] * v + fz[j];
        if (!(Math.abs(o) > 1e-25 && o - o === 0)) o = 0;
        fz[j] = b1[j] * v - a1[j] * o;
        outs[j] = o;
        wl += OUT_L[j] * o;
        wr += OUT_R[j] * o;
      }
      // Fast Walsh-Hadamard transform of the 8 outputs (3 butterfly stages), scaled by 1/√8.
      for (let s = 1; s < N; s <<= 1) {
        for (let j = 0; j < N; j += s << 1) {
          for (let k = j; k < j + s; k++) {
            const a = outs[k];
            const b = outs[k + s];
            outs[k] = a + b;
            outs[k + s] = a - b;
          }
        }
      }
      for (let j = 0; j < N; j++) {
        const inj = (j & 1) === 0 ? hl : hr;
        lines[j][pos[j]] = h * outs[j] + inj;
        pos[j] = pos[j] + 1 === lineSize[j] ? 0 : pos[j] + 1;
      }
      const mix = this.mix.next();
      const ol = wl * OUT_SCALE;
      const or = wr * OUT_SCALE;
      const ll = xl[i];
      const rr = xr[i];
      yl[i] = (1 - mix) * (ll - ll === 0 ? ll : 0) + mix * ol;
      if (yr !== null) yr[i] = (1 - mix) * (rr - rr === 0 ? rr : 0) + mix * or;
    }
    for (let c = 2; c < nOut; c++) {
      const x = inputs[c];
      const y = outputs[c];
      for (let i = 0; i < frames; i++) { const v = x[i]; y[i] = v - v === 0 ? v : 0; }
    }
    this.prePos = pp;
  }

  readMeters(): Readonly<Record<string, never>> {
    return this.meters;
  }
}
