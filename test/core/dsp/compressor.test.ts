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

describe('compressor linked fast path (stereoLink 1, at most 2 channels, steady parameters)', () => {
  // A signal that crosses the knee in both directions: loud and quiet noise bursts (attack, release),
  // a slow swell through the knee, unequal channels, and a NaN and an Inf the detector must read as 0.
  function material(n: number): Float32Array[] {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2147483648 - 1);
    const l = new Float32Array(n), r = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const burst = i % 6000 < 3000 ? 0.8 : 0.02;
      const swell = 10 ** ((-40 + 40 * (i / n)) / 20);
      const env = i < n / 2 ? burst : swell;
      l[i] = env * rnd();
      r[i] = 0.5 * env * rnd();
    }
    l[100] = NaN;
    r[200] = Infinity;
    return [l, r];
  }
  const cases: Partial<CompressorParams>[] = [
    { thresholdDb: -20, ratio: 4 },
    { thresholdDb: -30, ratio: 10, kneeDb: 0, attackMs: 0, releaseMs: 50, makeupDb: 3 },
    { thresholdDb: -25, ratio: 3, kneeDb: 12, attackMs: 1, releaseMs: 200, detector: 'rms' },
    { thresholdDb: -20, ratio: 4, lookaheadMs: 3 },
  ];

  it('gives the same samples as the general path (3 channels, the third silent)', () => {
    // The fast path serves at most 2 channels, so a 3-channel compressor takes the general path; a silent
    // third channel changes neither the linked level nor anything else.
    const n = 24000;
    const [l, r] = material(n);
    const silent = new Float32Array(n);
    for (const params of cases) {
      for (const sc of [false, true]) {
        const fast = run(make(params, 2), [l, r], 1000, sc ? [r, l] : undefined);
        const general = run(make(params, 3), [l, r, silent], 1000, sc ? [r, l, silent] : undefined);
        let differing = 0;
        for (let c = 0; c < 2; c++) for (let i = 0; i < n; i++) if (!Object.is(fast[c][i], general[c][i])) differing++;
        expect(differing).toBe(0);
        expect(general[2].every((v) => v === 0)).toBe(true);
      }
    }
  });

  it('gives the same bits for any block size when parameter ramps end mid-block (general → fast path)', () => {
    const n = 24000;
    const [l, r] = material(n);
    // releaseMs 2: the reduction falls to exactly 0 in the quiet stretch under the first ramp.
    for (const base of [...cases, { thresholdDb: -20, ratio: 4, attackMs: 1, releaseMs: 2 }]) {
      const outs = [1, 7, 1024].map((block) => {
        const p = make(base, 2);
        const y = [new Float32Array(n), new Float32Array(n)];
        const runTo = (from: number, to: number) => {
          for (let off = from; off < to; off += block) {
            const m = Math.min(block, to - off);
            p.process([l.subarray(off, off + m), r.subarray(off, off + m)], [y[0].subarray(off, off + m), y[1].subarray(off, off + m)], m);
          }
        };
        runTo(0, 5000);
        p.setParams({ thresholdDb: -32, makeupDb: 4 });
        runTo(5000, 13000);
        p.setParams({ ratio: 8, kneeDb: 2, makeupDb: -2 });
        runTo(13000, n);
        return y;
      });
      for (const y of outs.slice(1)) {
        let differing = 0;
        for (let c = 0; c < 2; c++) for (let i = 0; i < n; i++) if (!Object.is(y[c][i], outs[0][c][i])) differing++;
        expect(differing).toBe(0);
      }
    }
  });

  it('matches a plain per-sample reference (Math.log, Math.exp, eq. 4, one-pole) within 1e-4 dB', () => {
    // Independent restatement of the file comment's signal flow in float64 with library maths.
    const n = 24000;
    const [l, r] = material(n);
    const sane = (x: number) => (Number.isFinite(x) ? x : 0);
    let worst = 0;
    for (const params of cases) {
      const p = { ...new Compressor().params, ...params };
      const y = run(make(params, 2), [l, r]);
      const latency = Math.round((p.lookaheadMs * FS) / 1000);
      const alpha = (ms: number) => (ms > 0 ? Math.exp(-1000 / (ms * FS)) : 0);
      const up = alpha(p.attackMs), down = alpha(p.releaseMs), msA = alpha(10);
      let gr = 0, ms0 = 0, ms1 = 0;
      for (let i = 0; i < n; i++) {
        const x0 = sane(l[i]), x1 = sane(r[i]);
        let levelDb: number;
        if (p.detector === 'rms') {
          ms0 = msA * ms0 + (1 - msA) * x0 * x0;
          ms1 = msA * ms1 + (1 - msA) * x1 * x1;
          levelDb = 10 * Math.log10(Math.max(ms0, ms1, 1e-24));
        } else {
          levelDb = 20 * Math.log10(Math.max(Math.abs(x0), Math.abs(x1), 1e-12));
        }
        const target = levelDb - theoryOutDb(levelDb, p.thresholdDb, p.ratio, p.kneeDb);
        gr = target > gr ? up * gr + (1 - up) * target : down * gr + (1 - down) * target;
        // Output frame i is the input latency frames earlier with the gain of frame i.
        if (i < latency) continue;
        for (const [inp, out] of [[l, y[0]], [r, y[1]]]) {
          const x = sane(inp[i - latency]);
          if (Math.abs(x) < 1e-3) continue; // float32 output: too few bits left to resolve 1e-4 dB
          worst = Math.max(worst, Math.abs(20 * Math.log10(out[i] / x) - (p.makeupDb - gr)));
        }
      }
    }
    console.log(`linked fast path vs float64 reference: worst gain difference ${worst.toExponential(2)} dB`);
    expect(worst).toBeLessThan(1e-4);
  });
});
