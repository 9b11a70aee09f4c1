import { describe, expect, it } from 'vitest';
import { Compressor, type CompressorParams } from '../../../src/core/dsp/compressor.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

const FS = 48000;

/** Independent statement of the soft-knee curve (Giannoulis et al. 2012 eq. 4): output level in dB. */
function theoryOutDb(x: number, t: number, r: number, w: number): number {
  if (2 * (x - t) < -w) return x;
  if (2 * Math.abs(x - t) <= w) return x + ((1 / r - 1) * (x - t + w / 2) ** 2) / (2 * w);
  return t + (x - t) / r;
}

function sine(frames: number, ampDb: number, freq: number, fs = FS): Float32Array {
  const a = 10 ** (ampDb / 20);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = a * Math.sin((2 * Math.PI * freq * i) / fs);
  return out;
}

/** A square wave at fs/2 (±a): |x| is constant, so a peak detector sees a clean level step. */
function nyquistSquare(frames: number, levelsDb: (i: number) => number): Float32Array {
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = (i % 2 ? -1 : 1) * 10 ** (levelsDb(i) / 20);
  return out;
}

function run(p: Compressor, inputs: Float32Array[], block = 1024, sc?: Float32Array[]): Float32Array[] {
  const frames = inputs[0].length;
  const outs = inputs.map(() => new Float32Array(frames));
  for (let off = 0; off < frames; off += block) {
    const n = Math.min(block, frames - off);
    p.process(inputs.map((c) => c.subarray(off, off + n)), outs.map((c) => c.subarray(off, off + n)), n, sc?.map((c) => c.subarray(off, off + n)));
  }
  return outs;
}

function make(params: Partial<CompressorParams>, channels = 1): Compressor {
  const p = new Compressor(params);
  p.prepare({ sampleRate: FS, channels, maxBlockFrames: 1024 });
  return p;
}

const rms = (x: Float32Array, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
};
const gainDb = (out: Float32Array, inp: Float32Array, from: number, to: number) => 20 * Math.log10(rms(out, from, to) / rms(inp, from, to));

/** Frames after `from` until gr(i) has moved 63.2 % of the way from its value at `from` to `end`. */
function time63(gr: (i: number) => number, from: number, start: number, end: number): number {
  const goal = start + (1 - Math.exp(-1)) * (end - start);
  for (let i = from; ; i++) if ((end > start && gr(i) >= goal) || (end < start && gr(i) <= goal)) return i - from;
}

describe('compressor static curve vs theory', () => {
  const T = -30, R = 4, W = 10;
  const levels: number[] = [];
  for (let l = -60; l <= 0; l += 3) levels.push(l);

  it('peak detector: the threshold refers to the sine peak (within 0.2 dB)', () => {
    let worst = 0;
    for (const l of levels) {
      const x = sine(FS / 4, l, 1000);
      const y = run(make({ thresholdDb: T, ratio: R, kneeDb: W, attackMs: 0, releaseMs: 2000, detector: 'peak' }), [x])[0];
      const err = gainDb(y, x, FS / 8, FS / 4) - (theoryOutDb(l, T, R, W) - l);
      worst = Math.max(worst, Math.abs(err));
    }
    console.log(`compressor peak static curve: worst error ${worst.toFixed(4)} dB over -60..0 dBFS`);
    expect(worst).toBeLessThan(0.2);
  });

  it('RMS detector: the threshold refers to the RMS level (sine peak − 3.01 dB) (within 0.2 dB)', () => {
    let worst = 0;
    for (const l of levels) {
      const x = sine(FS, l, 1000);
      const y = run(make({ thresholdDb: T, ratio: R, kneeDb: W, attackMs: 50, releaseMs: 50, detector: 'rms' }), [x])[0];
      const lr = l - 10 * Math.log10(2);
      const err = gainDb(y, x, FS / 2, FS) - (theoryOutDb(lr, T, R, W) - lr);
      worst = Math.max(worst, Math.abs(err));
    }
    console.log(`compressor RMS static curve: worst error ${worst.toFixed(4)} dB over -60..0 dBFS`);
    expect(worst).toBeLessThan(0.2);
  });
});

describe('compressor time constants (63 % of a step in gain reduction, in dB)', () => {
  const base = { thresholdDb: -30, ratio: 4, kneeDb: 0, detector: 'peak' as const };
  const n0 = 4800, n1 = n0 + 2 * FS;
  // −40 dB (no reduction) → −10 dB (15 dB reduction) at n0 → back to −40 dB at n1.
  const x = nyquistSquare(n1 + 2 * FS, (i) => (i >= n0 && i < n1 ? -10 : -40));
  const grOf = (y: Float32Array) => (i: number) => -20 * Math.log10(Math.abs(y[i] / x[i]));

  for (const [attackMs, releaseMs] of [[10, 100], [1, 500], [30, 50]]) {
    it(`attack ${attackMs} ms, release ${releaseMs} ms within 10 %`, () => {
      const y = run(make({ ...base, attackMs, releaseMs }), [x])[0];
      const gr = grOf(y);
      const ta = (time63(gr, n0, 0, 15) * 1000) / FS;
      const tr = (time63(gr, n1, 15, 0) * 1000) / FS;
      console.log(`attack ${attackMs} ms measured ${ta.toFixed(3)} ms; release ${releaseMs} ms measured ${tr.toFixed(3)} ms`);
      expect(Math.abs(ta - attackMs) / attackMs).toBeLessThan(0.1);
      expect(Math.abs(tr - releaseMs) / releaseMs).toBeLessThan(0.1);
    });
  }

  it('autoRelease: fast release after a short burst, slow (5× release) after sustained reduction', () => {
    const short = nyquistSquare(FS * 3, (i) => (i >= n0 && i < n0 + 480 ? -10 : -40));
    const ys = run(make({ ...base, attackMs: 0, releaseMs: 100, autoRelease: true }), [short])[0];
    const grS = (i: number) => -20 * Math.log10(Math.abs(ys[i] / short[i]));
    const tShort = (time63(grS, n0 + 480, grS(n0 + 479), 0) * 1000) / FS;
    const yl = run(make({ ...base, attackMs: 0, releaseMs: 100, autoRelease: true }), [x])[0];
    const grL = grOf(yl);
    const tLong = (time63(grL, n1, grL(n1 - 1), 0) * 1000) / FS;
    console.log(`autoRelease: release after 10 ms burst ${tShort.toFixed(1)} ms, after 2 s ${tLong.toFixed(1)} ms`);
    expect(Math.abs(tShort - 100) / 100).toBeLessThan(0.1);
    // The slow branch (400 ms attack) is at 1 − e^−5 of 15 dB after 2 s; it releases with 500 ms.
    expect(Math.abs(tLong - 500) / 500).toBeLessThan(0.1);
  });
});

describe('compressor lookahead', () => {
  it('delays by latencyFrames and has the gain reduced when the transient arrives', () => {
    const params = { thresholdDb: -20, ratio: 10, kneeDb: 0, attackMs: 1, releaseMs: 100, lookaheadMs: 5 };
    const p = make(params);
    expect(p.latencyFrames).toBe(Math.round(0.005 * FS));
    const L = p.latencyFrames;
    const n0 = 4800;
    const x = nyquistSquare(9600, (i) => (i >= n0 ? 0 : -60));
    const y = run(p, [x])[0];
    // Output is the input delayed by L frames (quiet part: no reduction).
    for (let i = L; i < n0; i += 97) expect(y[i]).toBeCloseTo(x[i - L], 7);
    const target = 0.9 * 20; // (1 − 1/10)·(0 − (−20))
    const grAtArrival = -20 * Math.log10(Math.abs(y[n0 + L] / x[n0]));
    // One-pole attack: 1 − exp(−L/τ) of the target when the loud sample reaches the output.
    const expected = target * (1 - Math.exp(-L / (0.001 * FS)));
    console.log(`lookahead 5 ms: GR at arrival ${grAtArrival.toFixed(3)} dB (theory ${expected.toFixed(3)}, target ${target})`);
    expect(Math.abs(grAtArrival - expected)).toBeLessThan(0.2);
    const y0 = run(make({ ...params, lookaheadMs: 0 }), [x])[0];
    const grNoLa = -20 * Math.log10(Math.abs(y0[n0] / x[n0]));
    expect(grNoLa).toBeLessThan(1);
  });

  it('applies a lookahead change only at the next prepare()', () => {
    const p = make({ lookaheadMs: 2 });
    p.setParams({ lookaheadMs: 10 });
    expect(p.latencyFrames).toBe(96);
    p.prepare({ sampleRate: FS, channels: 1, maxBlockFrames: 256 });
    expect(p.latencyFrames).toBe(480);
  });
});

describe('compressor stereo link and sidechain', () => {
  const base = { thresholdDb: -30, ratio: 4, kneeDb: 0, attackMs: 0, releaseMs: 1000 };
  const N = FS / 2;
  it('with stereoLink 1 a signal only in L reduces R by the same amount; 0 leaves R alone', () => {
    const l = sine(N, -10, 1000), r = sine(N, -50, 300);
    for (const [link, expectR] of [[1, -15], [0.5, -7.5], [0, 0]]) {
      const [yl, yr] = run(make({ ...base, stereoLink: link }, 2), [l, r]);
      const gl = gainDb(yl, l, N / 2, N), gr = gainDb(yr, r, N / 2, N);
      console.log(`stereoLink ${link}: L ${gl.toFixed(3)} dB, R ${gr.toFixed(3)} dB`);
      expect(Math.abs(gl + 15)).toBeLessThan(0.2);
      expect(Math.abs(gr - expectR)).toBeLessThan(0.2);
    }
  });

  it('an external sidechain ducks a quiet input; its high-pass filters the detector path', () => {
    const x = sine(N, -40, 440);
    const key = sine(N, -10, 1000);
    const duck = run(make({ ...base }), [x], 1024, [key])[0];
    expect(Math.abs(gainDb(duck, x, N / 2, N) + 15)).toBeLessThan(0.2);
    const alone = run(make({ ...base }), [x])[0];
    expect(Math.abs(gainDb(alone, x, N / 2, N))).toBeLessThan(0.01);
    // High-pass at the key frequency: a 2nd-order Butterworth is −3.01 dB there, so the key reads −13.01 dB.
    const hp = run(make({ ...base, sidechain: { highpassHz: 1000 } }), [x], 1024, [key])[0];
    const expected = -(1 - 1 / 4) * (-10 - 10 * Math.log10(2) + 30);
    const got = gainDb(hp, x, N / 2, N);
    console.log(`sidechain ducking −15 dB expected, high-passed key ${got.toFixed(3)} dB (theory ${expected.toFixed(3)})`);
    expect(Math.abs(got - expected)).toBeLessThan(0.2);
  });

  it('meters the largest gain reduction since the last read and resets on read', () => {
    const p = make({ ...base });
    run(p, [sine(N, -10, 1000)]);
    expect(Math.abs(p.readMeters().gainReductionDb - 15)).toBeLessThan(0.05);
    run(p, [new Float32Array(FS * 10)]); // 10 release time constants
    p.readMeters();
    run(p, [new Float32Array(1024)]);
    expect(p.readMeters().gainReductionDb).toBeLessThan(0.05);
  });
});

describeProcessorContract<CompressorParams>({
  name: 'compressor (peak)',
  create: () => new Compressor(),
  params: { thresholdDb: -30, ratio: 4, attackMs: 5, releaseMs: 80 },
  latencyProbe: { thresholdDb: 0 },
  paramJump: { to: { makeupDb: 6, thresholdDb: -15 } },
});

describeProcessorContract<CompressorParams>({
  name: 'compressor (rms, lookahead, sidechain high-pass, autoRelease, link 0.5)',
  create: () => new Compressor({ lookaheadMs: 5 }),
  params: { thresholdDb: -30, ratio: 8, detector: 'rms', autoRelease: true, stereoLink: 0.5, sidechain: { highpassHz: 120 } },
  sidechain: true,
  latencyProbe: { thresholdDb: 0 },
  paramJump: { to: { makeupDb: 6, ratio: 2 } },
});

describe('compressor fused linked path', () => {
  it('gives the same samples as the general path (the input fed again as an external sidechain)', () => {
    // With a sidechain the general (block-pass) path runs; without, the fused one. Same detector input.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2147483648 - 1);
    const n = 20000;
    const l = new Float32Array(n), r = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const env = i % 6000 < 3000 ? 0.8 : 0.02;
      l[i] = env * rnd();
      r[i] = 0.5 * env * rnd();
    }
    l[100] = NaN;
    r[200] = Infinity;
    for (const params of [{ thresholdDb: -20, ratio: 4 }, { thresholdDb: -30, ratio: 10, kneeDb: 0, attackMs: 0, makeupDb: 3 }]) {
      const fused = run(make(params, 2), [l, r], 1000);
      const general = run(make(params, 2), [l, r], 1000, [l, r]);
      for (let c = 0; c < 2; c++) expect(Array.from(fused[c])).toEqual(Array.from(general[c]));
    }
  });
});
