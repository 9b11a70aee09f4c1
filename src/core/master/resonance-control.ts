/**
 * Resonance control: finds narrow peaks that stick out of a programme's smoothed long-term spectrum
 * (ringing room modes, harsh instrument resonances) and turns each into a dynamic bell cut that only
 * acts, by a few dB at most, while that band rings louder than its surroundings normally allow.
 *
 * Detection: the mid signal's narrow-band long-term spectrum (fine-spectrum.ts, ≈ 6 Hz bins) smoothed
 * over 1/12 octave is compared with the same spectrum smoothed over one octave; local maxima exceeding
 * it by more than `thresholdDb` between 200 Hz and 10 kHz are candidates, the strongest `maxCount` at
 * least 1/3 octave apart are kept. Their width (−3 dB points of the 1/12-octave curve) gives the q.
 * A resonance belongs to the sound, so it rings whenever its band is excited; a peak made by the notes
 * of the music (a tonic, a drone, a repeated melody note) comes and goes with them. So a candidate must
 * also stand out in at least `minPersistence` of the programme's segments (fine-spectrum.ts keeps them,
 * 4 s each), within a bin either side.
 *
 * Processing: per resonance a band-pass detector (RBJ constant-peak band-pass at the resonance) on the
 * mid signal, a mean-square envelope with attack/release, and a downward gain computer
 * cut = min(maxCutDb, max(0, (level − threshold)·(1 − 1/ratio))); the bell is redesigned every
 * UPDATE_FRAMES frames on a grid counted from reset(), so the block size never changes the result.
 */
import { bandTypeCode, designBandInto } from '../dsp/biquad-design.js';
import type { ProcessSpec, Processor } from '../dsp/processor.js';
import type { FineSpectrumResult } from './fine-spectrum.js';

/** One resonance and the dynamic cut that treats it. */
export interface Resonance {
  /** Centre frequency, Hz. */
  freqHz: number;
  /** Bell and detector quality (RBJ). */
  q: number;
  /** How far the peak stood above the one-octave-smoothed spectrum, dB (the measurement). */
  excessDb: number;
  /** Detector level above which the cut starts, dB (10·log10 of the band-passed mean square + 3.01, sine = 0 dB). */
  thresholdDb: number;
  /** Gain-computer ratio. */
  ratio: number;
  /** Deepest cut, dB (≥ 0). */
  maxCutDb: number;
  /** Share of the programme's segments in which the peak stands out too, 0..1 (null: too short to tell). */
  persistence: number | null;
}

export interface ResonanceDetectOptions {
  lowHz?: number;
  highHz?: number;
  /** Minimum peak excess over the one-octave smoothed spectrum, dB (default 5). */
  thresholdDb?: number;
  /** Most resonances treated (default 4). */
  maxCount?: number;
  /** Deepest cut, dB (default 3; "a few dB at most"). */
  maxCutDb?: number;
  /** Share of the segments in which a peak must stand out to count as a resonance (default 0.75). */
  minPersistence?: number;
}

/** Fewer segments than this (a programme under ~12 s) cannot tell a resonance from a note: no persistence test. */
const MIN_SEGMENTS = 3;

/** Smooths a dB spectrum in power over ±halfOctaves around each bin (prefix sums, O(n)). */
function smoothBins(levelsDb: Float64Array, binHz: number, halfOctaves: number): Float64Array {
  const n = levelsDb.length;
  const prefix = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k] + (Number.isFinite(levelsDb[k]) ? Math.pow(10, levelsDb[k] / 10) : 0);
  const out = new Float64Array(n);
  const r = Math.pow(2, halfOctaves);
  for (let k = 1; k < n; k++) {
    const lo = Math.max(1, Math.floor(k / r));
    const hi = Math.min(n - 1, Math.max(k + 1, Math.ceil(k * r)));
    const mean = (prefix[hi + 1] - prefix[lo]) / (hi + 1 - lo);
    out[k] = mean > 0 ? 10 * Math.log10(mean) : -Infinity;
  }
  out[0] = out[1];
  void binHz;
  return out;
}

/**
 * Share of the segments (those with signal in the band) in which bin k, or a neighbour, stands more than
 * thresholdDb above the segment's own one-octave smoothing.
 */
function persistenceAt(curves: readonly { fine: Float64Array; broad: Float64Array }[], k: number, thresholdDb: number): number {
  let voiced = 0, present = 0;
  for (const { fine, broad } of curves) {
    if (!Number.isFinite(fine[k]) || fine[k] < -100) continue;
    voiced++;
    let best = -Infinity;
    for (let j = Math.max(1, k - 1); j <= Math.min(fine.length - 1, k + 1); j++) best = Math.max(best, fine[j] - broad[j]);
    if (best > thresholdDb) present++;
  }
  return voiced > 0 ? present / voiced : 0;
}

/** Magnitude² of the RBJ constant-peak band-pass (peak 1 at f0) at f, analogue prototype. */
function bandpassPower(f: number, f0: number, q: number): number {
  const x = f / f0 - f0 / f;
  return 1 / (1 + q * q * x * x);
}

/**
 * Finds the resonances of a programme and sets their dynamic cuts.
 * @param fine the narrow-band long-term spectrum of the mid signal
 * @returns up to maxCount resonances (empty for silence or a smooth spectrum)
 */
export function detectResonances(fine: FineSpectrumResult, opts: ResonanceDetectOptions = {}): Resonance[] {
  const lowHz = opts.lowHz ?? 200;
  const highHz = opts.highHz ?? 10000;
  const thresholdDb = opts.thresholdDb ?? 5;
  const maxCount = opts.maxCount ?? 4;
  const maxCutDb = opts.maxCutDb ?? 3;
  const minPersistence = opts.minPersistence ?? 0.75;
  const { binHz, levelsDb } = fine;
  const fineCurve = smoothBins(levelsDb, binHz, 1 / 24);
  const broad = smoothBins(levelsDb, binHz, 1 / 2);
  const candidates: { k: number; excess: number; persistence: number | null }[] = [];
  const k0 = Math.max(2, Math.ceil(lowHz / binHz));
  const k1 = Math.min(levelsDb.length - 2, Math.floor(highHz / binHz));
  for (let k = k0; k <= k1; k++) {
    const v = fineCurve[k];
    if (!Number.isFinite(v) || v < -100) continue;
    if (v < fineCurve[k - 1] || v < fineCurve[k + 1]) continue;
    const excess = v - broad[k];
    if (excess > thresholdDb) candidates.push({ k, excess, persistence: null });
  }
  const segments = fine.segmentLevelsDb ?? [];
  if (segments.length >= MIN_SEGMENTS && candidates.length > 0) {
    const curves = segments.map((seg) => ({ fine: smoothBins(seg, binHz, 1 / 24), broad: smoothBins(seg, binHz, 1 / 2) }));
    for (const c of candidates) c.persistence = persistenceAt(curves, c.k, thresholdDb);
  }
  const persistent = candidates.filter((c) => c.persistence === null || c.persistence >= minPersistence);
  persistent.sort((a, b) => b.excess - a.excess);
  const kept: typeof candidates = [];
  for (const c of persistent) {
    if (kept.length >= maxCount) break;
    if (kept.every((o) => Math.abs(Math.log2(c.k / o.k)) >= 1 / 3)) kept.push(c);
  }
  return kept.map(({ k, excess, persistence }) => {
    const f0 = k * binHz;
    // −3 dB width of the peak in the 1/12-octave curve.
    let lo = k, hi = k;
    while (lo > 1 && fineCurve[lo - 1] > fineCurve[k] - 3) lo--;
    while (hi < levelsDb.length - 1 && fineCurve[hi + 1] > fineCurve[k] - 3) hi++;
    const width = Math.max(binHz, (hi - lo + 1) * binHz);
    const q = Math.min(12, Math.max(2, f0 / width));
    // Long-term detector level: Σ |H|²·P over bins; /1.5 undoes the Hann window's noise bandwidth
    // (the fine spectrum is referenced to a sine in one bin), +3.01 dB puts a sine's mean square at 0 dB.
    let ms = 0;
    for (let j = 1; j < levelsDb.length; j++) {
      if (Number.isFinite(levelsDb[j])) ms += bandpassPower(j * binHz, f0, q) * Math.pow(10, levelsDb[j] / 10);
    }
    const bandLevelDb = 10 * Math.log10(ms / 1.5 + 1e-30);
    const ratio = 2;
    // At its long-term level the band gets min(excess/2, maxCut) of cut; louder moments up to maxCut.
    const thr = bandLevelDb - Math.min(excess, 2 * maxCutDb);
    const round = (x: number) => Math.round(x * 100) / 100;
    return { freqHz: round(f0), q: round(q), excessDb: round(excess), thresholdDb: round(thr), ratio, maxCutDb, persistence: persistence === null ? null : round(persistence) };
  });
}

export interface ResonanceControlParams {
  resonances: Resonance[];
  /** Envelope attack and release, ms. */
  attackMs: number;
  releaseMs: number;
}

/** Frames between redesigns of the bells (on a grid counted from reset()). */
const UPDATE_FRAMES = 64;
const MAX_RESONANCES = 8;
const BELL = bandTypeCode('bell');
const BANDPASS = bandTypeCode('bandpass');

/**
 * The dynamic resonance cutter (Processor). Latency 0. Meters: the current cut per resonance, dB.
 */
export class ResonanceControl implements Processor<ResonanceControlParams, { cutDb: number[] }> {
  readonly latencyFrames = 0;
  private p: ResonanceControlParams = { resonances: [], attackMs: 5, releaseMs: 120 };
  private fs = 48000;
  private channels = 0;
  private mid = new Float32Array(0);
  private band = new Float32Array(0);
  /** Detector band-pass coefficients (5 per resonance) and their DF1 state (4 per resonance). */
  private det = new Float64Array(MAX_RESONANCES * 5);
  private detState = new Float64Array(MAX_RESONANCES * 4);
  /** Bell coefficients (5 per resonance), DF1 state (4 per resonance and channel). */
  private bell = new Float64Array(MAX_RESONANCES * 5);
  private bellState = new Float64Array(0);
  /** Mean-square envelope per resonance; current cut per resonance, dB. */
  private env = new Float64Array(MAX_RESONANCES);
  private cut = new Float64Array(MAX_RESONANCES);
  private phase = 0;
  private aAtt = 0;
  private aRel = 0;
  private readonly meters = { cutDb: [] as number[] };

  prepare(spec: ProcessSpec): void {
    this.fs = spec.sampleRate;
    this.channels = spec.channels;
    this.mid = new Float32Array(spec.maxBlockFrames);
    this.band = new Float32Array(spec.maxBlockFrames);
    this.bellState = new Float64Array(MAX_RESONANCES * 4 * Math.max(1, spec.channels));
    this.configure();
    this.reset();
  }

  reset(): void {
    this.detState.fill(0);
    this.bellState.fill(0);
    this.env.fill(0);
    this.cut.fill(0);
    this.phase = 0;
    for (let r = 0; r < this.p.resonances.length; r++) this.designBell(r, 0);
  }

  /** Setting `resonances` allocates nothing but redesigns the detectors (a configuration, not automation). */
  setParams(patch: Partial<ResonanceControlParams>): void {
    if (patch.resonances) {
      if (patch.resonances.length > MAX_RESONANCES) throw new RangeError(`resonance control: at most ${MAX_RESONANCES} resonances`);
      for (const r of patch.resonances) {
        if (!(r.freqHz > 0 && r.q > 0 && r.ratio >= 1 && r.maxCutDb >= 0 && Number.isFinite(r.thresholdDb))) {
          throw new RangeError('resonance control: each resonance needs freqHz > 0, q > 0, ratio >= 1, maxCutDb >= 0, finite thresholdDb');
        }
      }
    }
    this.p = { ...this.p, ...patch, resonances: patch.resonances ? patch.resonances.map((r) => ({ ...r })) : this.p.resonances };
    this.configure();
  }

  private configure(): void {
    const fs = this.fs;
    this.aAtt = 1 - Math.exp(-1 / (Math.max(0.01, this.p.attackMs) * 1e-3 * fs));
    this.aRel = 1 - Math.exp(-1 / (Math.max(0.01, this.p.releaseMs) * 1e-3 * fs));
    this.p.resonances.forEach((r, i) => {
      designBandInto(BANDPASS, 2, r.freqHz, 0, r.q, fs, this.det, i);
      this.designBell(i, this.cut[i]);
    });
    this.meters.cutDb = this.p.resonances.map(() => 0);
  }

  private designBell(i: number, cutDb: number): void {
    const r = this.p.resonances[i];
    designBandInto(BELL, 2, r.freqHz, -cutDb, r.q, this.fs, this.bell, i);
  }

  /*
   * State: env[i] band mean square (linear, full scale² units), cut[i] dB, det/bell DF1 histories
   * (x1, x2, y1, y2). The mid signal is the channel mean. Denormal/non-finite state is flushed per block.
   */
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    const nr = this.p.resonances.length;
    const nc = this.channels;
    for (let c = 0; c < nc; c++) if (outputs[c] !== inputs[c]) outputs[c].set(inputs[c].subarray(0, frames));
    if (nr === 0 || nc === 0) return;
    const mid = this.mid;
    const inv = 1 / nc;
    for (let i = 0; i < frames; i++) {
      let m = 0;
      for (let c = 0; c < nc; c++) {
        const x = outputs[c][i];
        m += x - x === 0 ? x : 0;
      }
      mid[i] = m * inv;
    }
    let start = 0;
    while (start < frames) {
      const n = Math.min(frames - start, UPDATE_FRAMES - this.phase);
      for (let r = 0; r < nr; r++) {
        this.detect(r, start, n);
        this.applyBell(r, outputs, start, n);
      }
      this.phase += n;
      start += n;
      if (this.phase === UPDATE_FRAMES) {
        this.phase = 0;
        for (let r = 0; r < nr; r++) this.updateCut(r);
      }
    }
  }

  private detect(r: number, start: number, n: number): void {
    const d = this.det, s = this.detState, mid = this.mid;
    const o = r * 5, so = r * 4;
    const b0 = d[o], b1 = d[o + 1], b2 = d[o + 2], a1 = d[o + 3], a2 = d[o + 4];
    let x1 = s[so], x2 = s[so + 1], y1 = s[so + 2], y2 = s[so + 3];
    let e = this.env[r];
    const aA = this.aAtt, aR = this.aRel;
    for (let i = start; i < start + n; i++) {
      const x = mid[i];
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1; x1 = x; y2 = y1; y1 = y;
      const p = y * y;
      e += (p > e ? aA : aR) * (p - e);
    }
    s[so] = flush(x1); s[so + 1] = flush(x2); s[so + 2] = flush(y1); s[so + 3] = flush(y2);
    this.env[r] = flush(e);
  }

  private applyBell(r: number, outputs: Float32Array[], start: number, n: number): void {
    const bc = this.bell, st = this.bellState;
    const o = r * 5;
    const b0 = bc[o], b1 = bc[o + 1], b2 = bc[o + 2], a1 = bc[o + 3], a2 = bc[o + 4];
    for (let c = 0; c < this.channels; c++) {
      const so = (c * MAX_RESONANCES + r) * 4;
      const ch = outputs[c];
      let x1 = st[so], x2 = st[so + 1], y1 = st[so + 2], y2 = st[so + 3];
      for (let i = start; i < start + n; i++) {
        const xr = ch[i];
        const x = xr - xr === 0 ? xr : 0;
        const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        x2 = x1; x1 = x; y2 = y1; y1 = y;
        ch[i] = y;
      }
      st[so] = flush(x1); st[so + 1] = flush(x2); st[so + 2] = flush(y1); st[so + 3] = flush(y2);
    }
  }

  private updateCut(r: number): void {
    const res = this.p.resonances[r];
    const level = 10 * Math.log10(this.env[r] + 1e-30) + 3.0103;
    const over = level - res.thresholdDb;
    const target = over > 0 ? Math.min(res.maxCutDb, over * (1 - 1 / res.ratio)) : 0;
    if (Math.abs(target - this.cut[r]) > 0.05) {
      this.cut[r] = target;
      this.designBell(r, target);
    }
    if (target > this.meters.cutDb[r]) this.meters.cutDb[r] = target;
  }

  /** Deepest cut per resonance since the last read, dB (reset on read). */
  readMeters(): { cutDb: number[] } {
    const out = { cutDb: this.meters.cutDb.slice() };
    this.meters.cutDb.fill(0);
    return out;
  }
}

/** 0 for denormal-small or non-finite state, else the value. */
function flush(v: number): number {
  return v - v === 0 && Math.abs(v) > 1e-25 ? v : 0;
}
