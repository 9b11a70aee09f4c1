import { describe, expect, it } from 'vitest';
import { Limiter, LIMITER_HEADROOM_DB } from '../../../src/core/dsp/limiter.js';
import { LimiterGainEnvelope, parabolicPeak } from '../../../src/core/dsp/limiter-gain.js';
import { TruePeakMeter } from '../../../src/core/analysis/true-peak-meter.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

describeProcessorContract({
  name: 'limiter',
  create: () => new Limiter(),
  params: { ceilingDbtp: -1, inputGainDb: 6 },
  latencyProbe: { inputGainDb: 0, ceilingDbtp: 0 },
  paramJump: { to: { inputGainDb: 12 } },
});

const FS = 48000;

/**
 * Independent true-peak reference: 32x band-limited interpolation with a long Kaiser-windowed sinc
 * (±64 base samples, β = 12, stop-band far below the quantities measured). Only intervals whose
 * neighbouring samples exceed `floor` are interpolated, to keep the test fast.
 */
function referenceTruePeak(x: Float32Array, floor: number): number {
  const L = 32;
  const H = 64;
  const beta = 12;
  const i0 = (v: number) => { let s = 1, t = 1; for (let k = 1; k < 60; k++) { t *= (v * v) / 4 / (k * k); s += t; } return s; };
  const ib = i0(beta);
  const taps: Float64Array[] = [];
  for (let p = 1; p < L; p++) {
    const f = p / L;
    const h = new Float64Array(2 * H);
    for (let j = 0; j < 2 * H; j++) {
      const t = j - H + 1 - f; // sample offset k − (n + f), k = n − H + 1 + j
      const r = t / H;
      h[j] = (Math.sin(Math.PI * t) / (Math.PI * t)) * (Math.abs(r) < 1 ? i0(beta * Math.sqrt(1 - r * r)) / ib : 0);
    }
    taps.push(h);
  }
  let peak = 0;
  for (let n = 0; n < x.length; n++) peak = Math.max(peak, Math.abs(x[n]));
  for (let n = 0; n + 1 < x.length; n++) {
    if (Math.max(Math.abs(x[n]), Math.abs(x[n + 1])) < floor) continue;
    for (let p = 0; p < L - 1; p++) {
      const h = taps[p];
      let acc = 0;
      for (let j = 0; j < 2 * H; j++) {
        const k = n - H + 1 + j;
        if (k >= 0 && k < x.length) acc += h[j] * x[k];
      }
      peak = Math.max(peak, Math.abs(acc));
    }
  }
  return peak;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296 - 0.5; };
}

/** Test signals (stereo), each already over full scale. */
function signals(frames: number): Record<string, Float32Array[]> {
  const out: Record<string, Float32Array[]> = {};
  const sq = (f: number, amp: number) => Float32Array.from({ length: frames }, (_, i) => (Math.sin((2 * Math.PI * f * i) / FS + 0.1) >= 0 ? amp : -amp));
  out.square = [sq(997, 1.4), sq(1503, 1.2)];
  // fs/4 sine at 45° phase: samples ±A/√2, true peak A = 2 (+6 dBFS).
  const s4 = Float32Array.from({ length: frames }, (_, i) => 2 * Math.sin((Math.PI / 2) * i + Math.PI / 4));
  out.fs4sine = [s4, Float32Array.from(s4)];
  // Full-scale white noise bursts (uniform ±2), 50 ms on / 50 ms off.
  const rnd = lcg(7);
  const burst = () => Float32Array.from({ length: frames }, (_, i) => (Math.floor(i / 2400) % 2 === 0 ? 4 * rnd() : 0));
  out.noiseBursts = [burst(), burst()];
  // Music-like: low-passed noise bed + decaying "kick" (60 Hz) and "snare/hat" noise hits, then +12 dB.
  const rnd2 = lcg(99);
  const music = (ch: number) => {
    const y = new Float32Array(frames);
    let lp = 0, lp2 = 0;
    for (let i = 0; i < frames; i++) {
      lp += 0.08 * (rnd2() - lp);
      lp2 += 0.3 * (lp - lp2);
      const beat = i % 12000;
      const kick = beat < 6000 ? Math.exp(-beat / 1500) * Math.sin(2 * Math.PI * (60 + 80 * Math.exp(-beat / 300)) * beat / FS) : 0;
      const hit = (i + 6000 * ch) % 6000;
      const snare = hit < 3000 ? Math.exp(-hit / 400) * rnd2() * 1.6 : 0;
      y[i] = (0.5 * kick + 0.9 * lp2 * 4 + 0.4 * snare) * 4; // ≈ +12 dB over a full-scale mix
    }
    return y;
  };
  out.music = [music(0), music(1)];
  // End every signal with silence (abrupt stop included), so the limiter's delay is flushed and the
  // references see the whole output, not a truncated one.
  for (const k of Object.keys(out)) out[k] = out[k].map((ch) => { const y = new Float32Array(frames + 1024); y.set(ch); return y; });
  return out;
}

function run(lim: Limiter, x: Float32Array[], block = 512): Float32Array[] {
  const frames = x[0].length;
  const y = x.map(() => new Float32Array(frames));
  for (let off = 0; off < frames; off += block) {
    const n = Math.min(block, frames - off);
    lim.process(x.map((c) => c.subarray(off, off + n)), y.map((c) => c.subarray(off, off + n)), n);
  }
  return y;
}

describe('Limiter true-peak ceiling', () => {
  const frames = 12000;
  const sigs = signals(frames);
  for (const over of [4, 8] as const) {
    for (const release of [5, 80]) {
      it(`keeps the 32x-reference true peak <= ceiling (${over}x detector, release ${release} ms)`, () => {
        const ceilingDb = -1;
        const ceiling = Math.pow(10, ceilingDb / 20);
        let worst = -Infinity;
        for (const [name, x] of Object.entries(sigs)) {
          const lim = new Limiter();
          lim.prepare({ sampleRate: FS, channels: 2, maxBlockFrames: 512 });
          lim.setParams({ ceilingDbtp: ceilingDb, releaseMs: release, oversampling: over });
          lim.reset();
          const y = run(lim, x);
          for (const ch of y) {
            const tp = referenceTruePeak(ch, ceiling * 0.8);
            const db = 20 * Math.log10(tp);
            worst = Math.max(worst, db);
            expect(db, name).toBeLessThanOrEqual(ceilingDb + 1e-6);
          }
          const meter = new TruePeakMeter({ sampleRate: FS, channels: 2, factor: 8 });
          meter.push(y, y[0].length);
          for (const pk of meter.peaks()) expect(20 * Math.log10(pk), `${name} (TruePeakMeter 8x)`).toBeLessThanOrEqual(ceilingDb + 1e-6);
        }
        // Not more than 0.2 dB wasted beyond the documented headroom.
        console.log(`limiter ${over}x release ${release} ms: worst output true peak ${worst.toFixed(3)} dBTP (ceiling ${ceilingDb})`);
        expect(worst).toBeGreaterThan(ceilingDb - LIMITER_HEADROOM_DB - 0.2);
      });
    }
  }
});

describe('Limiter at absurd input levels', () => {
  it('keeps the ceiling for noise at 1e20 full scale (the gain reduction is 400 dB)', () => {
    const rnd = lcg(21);
    const x = [0, 1].map(() => Float32Array.from({ length: 12000 }, () => 3e19 * rnd()));
    const lim = new Limiter();
    lim.prepare({ sampleRate: FS, channels: 2, maxBlockFrames: 512 });
    lim.setParams({ ceilingDbtp: -1 });
    lim.reset();
    const y = run(lim, x);
    const meter = new TruePeakMeter({ sampleRate: FS, channels: 2, factor: 8 });
    meter.push(y, y[0].length);
    for (const pk of meter.peaks()) {
      expect(20 * Math.log10(pk)).toBeLessThanOrEqual(-1 + 1e-6);
      expect(20 * Math.log10(pk)).toBeGreaterThan(-2);
    }
  });
});

describe('LimiterGainEnvelope', () => {
  /** 20000 required gains from `value` through a 49-frame envelope: each gain beside the requirement it applies to (48 frames back). */
  function run(releaseFrames: number, seed: number, value: (t: number, rnd: () => number) => number): [number, number][] {
    const env = new LimiterGainEnvelope(49);
    env.setReleaseFrames(releaseFrames);
    const rnd = lcg(seed);
    const r: number[] = [];
    const pairs: [number, number][] = [];
    for (let t = 0; t < 20000; t++) {
      r.push(value(t, rnd));
      const g = env.push(r[t]);
      if (t >= 48) pairs.push([g, r[t - 48]]);
    }
    return pairs;
  }

  it('never exceeds the required gain of the frame it applies to', () => {
    for (const [g, req] of run(100, 3, (_, rnd) => (rnd() > 0.45 ? 0.2 + (rnd() + 0.5) * 0.8 : 1))) expect(g).toBeLessThanOrEqual(req + 1e-12);
  });

  it('never exceeds the required gain when it alternates between unity and absurdly deep reduction (1e-20)', () => {
    // Running sums of values near 1 carry a rounding error near 1e-16: gains under it must not come out of
    // the sums larger than required (or negative).
    for (const [g, req] of run(5, 9, (t, rnd) => (t % 400 < 200 ? 1 : 1e-20 * (1 + rnd())))) {
      expect(g).toBeGreaterThan(0);
      expect(g).toBeLessThanOrEqual(req * (1 + 1e-9));
    }
  });

  it('steady (unity) stretches give exactly the gains of the direct definition', () => {
    // Direct O(W) form: window minimum → instant attack / release → box W1 → box W2.
    const w = 49, w1 = Math.ceil(w / 2), w2 = w - w1 + 1, rel = 1 - Math.exp(-1 / 100);
    const env = new LimiterGainEnvelope(w);
    env.setReleaseFrames(100);
    const rnd = lcg(5);
    const r: number[] = [], es: number[] = [], a1s: number[] = [];
    let e = 1;
    for (let t = 0; t < 70000; t++) {
      // Long unity runs (the steady path), short dips, and a run across the re-anchor at t = 65535.
      const v = t % 9000 < 8800 ? 1 : 0.3 + 0.7 * rnd();
      r.push(v);
      let m = 1;
      for (let k = Math.max(0, t - w + 1); k <= t; k++) m = Math.min(m, r[k]);
      e = m < e ? m : e + (m - e) * rel;
      es.push(e);
      let s1 = 0;
      for (let k = t - w1 + 1; k <= t; k++) s1 += k >= 0 ? es[k] : 1;
      a1s.push(s1 / w1);
      let s2 = 0;
      for (let k = t - w2 + 1; k <= t; k++) s2 += k >= 0 ? a1s[k] : 1;
      expect(Math.abs(env.push(v) - s2 / w2)).toBeLessThan(1e-12);
    }
  });

  it('pushBlock gives exactly the gains of push() frame by frame', () => {
    // Unity runs (the bulk steady path) of many lengths, dips, and a run across the re-anchor at 65535.
    const a = new LimiterGainEnvelope(49);
    const b = new LimiterGainEnvelope(49);
    a.setReleaseFrames(100);
    b.setReleaseFrames(100);
    const u = lcg(11);
    const rnd = () => u() + 0.5; // uniform in [0, 1)
    const n = 140000;
    const r = new Float64Array(n);
    for (let t = 0; t < n; t++) r[t] = t % 5000 < 4700 || rnd() < 0.2 ? 1 : 0.2 + 0.8 * rnd();
    const viaPush = new Float64Array(n);
    for (let t = 0; t < n; t++) viaPush[t] = a.push(r[t]);
    const viaBlock = new Float64Array(n);
    for (let off = 0, len = 1; off < n; off += len, len = (len * 7 + 3) % 1500 + 1) {
      const m = Math.min(len, n - off);
      b.pushBlock(r.subarray(off, off + m), viaBlock.subarray(off, off + m), m);
    }
    expect(Array.from(viaBlock)).toEqual(Array.from(viaPush));
  });

  it('parabolicPeak recovers the vertex of a parabola', () => {
    // y = 1 − (t − 0.3)², sampled at t = −1, 0, 1
    const f = (t: number) => 1 - (t - 0.3) ** 2;
    expect(parabolicPeak(f(-1), f(0), f(1))).toBeCloseTo(1, 12);
    expect(parabolicPeak(0.5, 0.4, 0.6)).toBe(0.4);
  });
});

/** Goertzel-free DFT magnitude of x at frequency f (Hann window over an integer number of periods). */
function thdOf(x: Float32Array, f0: number): number {
  const n = x.length;
  const amp = (f: number) => {
    let re = 0, im = 0;
    for (let i = 0; i < n; i++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
      re += w * x[i] * Math.cos((2 * Math.PI * f * i) / FS);
      im -= w * x[i] * Math.sin((2 * Math.PI * f * i) / FS);
    }
    return Math.hypot(re, im);
  };
  const a1 = amp(f0);
  let h = 0;
  for (let k = 2; k * f0 < FS / 2; k++) h += amp(k * f0) ** 2;
  return Math.sqrt(h) / a1;
}

describe('Limiter distortion', () => {
  for (const [releaseMs, lookaheadMs] of [[50, 5], [100, 5], [50, 0.5]]) {
    it(`1 kHz sine at 6 dB gain reduction: THD (release ${releaseMs} ms, lookahead ${lookaheadMs} ms)`, () => {
      const frames = 48000;
      const ceilingDb = -1;
      // Sine whose true peak is 6 dB over the internal target → 6 dB of steady gain reduction.
      const a = Math.pow(10, (ceilingDb - LIMITER_HEADROOM_DB + 6) / 20);
      const x = Float32Array.from({ length: frames }, (_, i) => a * Math.sin((2 * Math.PI * 1000 * i) / FS));
      const lim = new Limiter();
      lim.prepare({ sampleRate: FS, channels: 1, maxBlockFrames: 1024 });
      lim.setParams({ ceilingDbtp: ceilingDb, releaseMs, lookaheadMs });
      lim.reset();
      const y = run(lim, [x], 1024)[0];
      const tail = y.subarray(frames - 9600); // last 200 ms: steady state, 200 whole periods
      const thd = thdOf(tail, 1000);
      let pk = 0;
      for (const v of tail) pk = Math.max(pk, Math.abs(v));
      const grDb = 20 * Math.log10(a / pk);
      console.log(`limiter THD release ${releaseMs} ms lookahead ${lookaheadMs} ms: ${(100 * thd).toFixed(4)} % at ${grDb.toFixed(2)} dB GR`);
      expect(grDb).toBeGreaterThan(5.5);
      expect(grDb).toBeLessThan(6.5);
      expect(thd).toBeLessThan(0.05);
    });
  }
});
