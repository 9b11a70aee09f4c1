import { afterEach, describe, expect, it } from 'vitest';
import { LoudnessMeter } from '../../../src/core/analysis/loudness-meter.js';
import { TruePeakMeter } from '../../../src/core/analysis/true-peak-meter.js';
import { truePeakChunk } from '../../../src/core/analysis/true-peak-wasm.js';
import { runCascadeStereoWasm } from '../../../src/core/dsp/biquad-wasm.js';
import { runCascadeStereo } from '../../../src/core/dsp/biquad-kernels.js';
import { Compressor, type CompressorParams } from '../../../src/core/dsp/compressor.js';
import { Eq, type EqBand } from '../../../src/core/dsp/eq.js';
import { GroupSendsWasm } from '../../../src/core/mix/send-wasm.js';
import type { Session } from '../../../src/core/mix/session-schema.js';
import { KernelArena } from '../../../src/core/wasm/kernel-arena.js';
import { loadWasmKernels, setWasmKernels, wasmKernels } from '../../../src/core/wasm/kernels.js';
import { f32StereoPlanarWasm, int16StereoPlanarWasm, int24PlanarWasm } from '../../../src/io/pcm-wasm.js';
import { mixInMemory, noise } from '../mix/mix-harness.js';
import { firstDiff, lcg } from '../../helpers/bit-exact.js';

/*
 * The WebAssembly kernels (assembly/kernels.ts) promise the JavaScript paths' bits exactly: every test
 * runs the same input through both (setWasmKernels on and off) and compares sample for sample, with
 * Object.is (so -0 and NaN count too).
 */

/** Stereo test signal: noise with a random envelope, a silent tail (denormal decay) and a few NaN/Inf. */
function signal(frames: number, seed: number, amp = 1, specials = true): Float32Array[] {
  const r = lcg(seed);
  const out = [new Float32Array(frames), new Float32Array(frames)];
  let env = 0.5;
  const tail = Math.floor(frames * 0.75);
  for (let i = 0; i < frames; i++) {
    if (i % 997 === 0) env = r();
    for (let c = 0; c < 2; c++) out[c][i] = i < tail ? amp * env * (2 * r() - 1) : 0;
  }
  if (specials && frames > 100) {
    out[0][37] = NaN;
    out[1][38] = Infinity;
    out[0][frames >> 2] = -Infinity;
  }
  return out;
}

afterEach(() => setWasmKernels(true));

it('the kernels load here (WebAssembly SIMD in Node 20), synchronously and asynchronously', async () => {
  expect(wasmKernels()).not.toBeNull();
  expect(await loadWasmKernels()).toBe(true);
  setWasmKernels(false);
  expect(wasmKernels()).toBeNull();
});

describe('biquad cascade kernel', () => {
  const IDENTITY = [1, 0, 0, 0, 0];
  /** A stable resonant section: zeros at radius rz, poles at radius rp, angle w. */
  const section = (w: number, rz: number, rp: number, g = 1) => [g, -2 * g * rz * Math.cos(w), g * rz * rz, -2 * rp * Math.cos(w), rp * rp];

  /** The JavaScript path of BiquadCascade's stereo steady run: clean to float64, runs of `run`, back to float32. */
  function jsPath(c: Float64Array, ns: number, st: Float64Array, x: Float32Array[], out: Float32Array[], n: number, run: number): void {
    for (let d = 0; d < n; d += run) {
      const m = Math.min(run, n - d);
      const bufs = [0, 1].map((ch) => Float64Array.from(x[ch].subarray(d, d + m), (v) => (v - v === 0 ? v : 0)));
      runCascadeStereo(c, ns, st, 0, ns * 4, bufs[0], bufs[1], m);
      for (let ch = 0; ch < 2; ch++) out[ch].set(bufs[ch], d);
    }
  }

  it('gives the JavaScript kernels\' output and state, identity sections and denormal flush included', () => {
    const r = lcg(11);
    for (let trial = 0; trial < 60; trial++) {
      const ns = 1 + Math.floor(r() * 12);
      const sections = Array.from({ length: ns }, () => (r() < 0.35 ? IDENTITY : section(r() * Math.PI, r() * 1.2, 0.3 + r() * 0.69, 0.2 + r() * 2)));
      const c = Float64Array.from(sections.flat());
      const stJs = new Float64Array(ns * 8);
      const stW = new Float64Array(ns * 8);
      const blocks = [2 + Math.floor(r() * 300), 1 + Math.floor(r() * 4096), 256, 4096, 3];
      const run = r() < 0.5 ? 256 : 16;
      const total = blocks.reduce((a, b) => a + b, 0);
      const x = signal(total, 100 + trial, r() < 0.2 ? 1e30 : 1);
      const outJs = [new Float32Array(total), new Float32Array(total)];
      const outW = [new Float32Array(total), new Float32Array(total)];
      let off = 0;
      for (const n of blocks) {
        const xs = x.map((ch) => ch.subarray(off, off + n));
        jsPath(c, ns, stJs, xs, outJs.map((ch) => ch.subarray(off, off + n)), n, run);
        const ow = outW.map((ch) => ch.subarray(off, off + n));
        // false: n < 2, all sections identity, or overflow (the 1e30 trials): the caller's JavaScript path.
        if (!runCascadeStereoWasm(c, ns, stW, 0, ns * 4, xs[0], xs[1], ow[0], ow[1], 0, n, run)) jsPath(c, ns, stW, xs, ow, n, run);
        off += n;
        expect(firstDiff(stW, stJs), `trial ${trial} state`).toBe(-1);
      }
      expect(firstDiff(outW[0], outJs[0]), `trial ${trial} left`).toBe(-1);
      expect(firstDiff(outW[1], outJs[1]), `trial ${trial} right`).toBe(-1);
    }
  });

  it('leaves state and output untouched when a section overflows (the JavaScript rules then apply)', () => {
    const c = Float64Array.from([...section(0.1, 0.5, 0.9), 1, 0, 0, -2.5, 0]); // the second section is unstable
    const st = new Float64Array(16).map((_, i) => i * 0.01);
    const before = st.slice();
    const x = signal(4096, 5, 1, false);
    const out = [new Float32Array(4096).fill(7), new Float32Array(4096).fill(7)];
    expect(runCascadeStereoWasm(c, 2, st, 0, 8, x[0], x[1], out[0], out[1], 0, 4096, 256)).toBe(false);
    expect(firstDiff(st, before)).toBe(-1);
    expect(out[0].every((v) => v === 7) && out[1].every((v) => v === 7)).toBe(true);
  });

  it('Eq: the same output with and without the kernel, through glides and structure changes', () => {
    const r = lcg(3);
    const types = ['bell', 'lowshelf', 'highshelf', 'highpass', 'lowpass', 'notch'] as const;
    const randomBands = (): EqBand[] => Array.from({ length: 1 + Math.floor(r() * 6) }, () => {
      const type = types[Math.floor(r() * types.length)];
      const band: EqBand = { type, freqHz: 30 * 600 ** r() };
      if (type === 'bell' || type === 'lowshelf' || type === 'highshelf') band.gainDb = -12 + 24 * r();
      if (type === 'bell' || type === 'notch') band.q = 0.3 + 4 * r();
      if (type === 'highpass' || type === 'lowpass') band.slopeDbPerOct = [12, 24, 48][Math.floor(r() * 3)];
      return band;
    });
    for (const fs of [44100, 48000, 96000]) {
      const script = Array.from({ length: 6 }, () => ({ bands: randomBands(), at: Math.floor(r() * 40000) })).sort((a, b) => a.at - b.at);
      const x = signal(48000, fs);
      const outs = [true, false].map((on) => {
        setWasmKernels(on);
        const eq = new Eq();
        eq.prepare({ sampleRate: fs, channels: 2, maxBlockFrames: 2048 });
        eq.setParams({ bands: script[0].bands });
        const out = [new Float32Array(48000), new Float32Array(48000)];
        let k = 1;
        const rb = lcg(fs);
        for (let off = 0; off < 48000;) {
          const n = Math.min(48000 - off, 1 + Math.floor(rb() * 2048));
          if (k < script.length && off >= script[k].at) {
            // Odd steps change the structure (a crossfade), even ones glide the previous bands' frequencies.
            eq.setParams({ bands: k % 2 ? script[k].bands : script[k - 1].bands.map((b) => ({ ...b, freqHz: b.freqHz * 1.5 })) });
            k++;
          }
          eq.process(x.map((ch) => ch.subarray(off, off + n)), out.map((ch) => ch.subarray(off, off + n)), n);
          off += n;
        }
        return out;
      });
      expect(firstDiff(outs[0][0], outs[1][0]), `${fs} left`).toBe(-1);
      expect(firstDiff(outs[0][1], outs[1][1]), `${fs} right`).toBe(-1);
    }
  });
});

describe('compressor kernel', () => {
  const cases: Partial<CompressorParams>[] = [
    { thresholdDb: -18, ratio: 3, attackMs: 10, releaseMs: 120 },
    { thresholdDb: -30, ratio: 8, attackMs: 1, releaseMs: 50, kneeDb: 6, makeupDb: 4 },
    { thresholdDb: -24, ratio: 2, attackMs: 5, releaseMs: 200, detector: 'rms', kneeDb: 12 },
    { thresholdDb: -10, ratio: 20, attackMs: 0.1, releaseMs: 10, kneeDb: 0, makeupDb: -3 },
    { thresholdDb: -40, ratio: 1.5, attackMs: 30, releaseMs: 500, detector: 'rms', kneeDb: 0 },
  ];
  for (const params of cases) {
    it(`gives the JavaScript path's output: ${JSON.stringify(params)}`, () => {
      const frames = 30000;
      const x = signal(frames, 9, 1.5);
      const outs = [true, false].map((on) => {
        setWasmKernels(on);
        const p = new Compressor(params);
        p.prepare({ sampleRate: 48000, channels: 2, maxBlockFrames: 4096 });
        const out = [new Float32Array(frames), new Float32Array(frames)];
        const rb = lcg(17);
        for (let off = 0, k = 0; off < frames; k++) {
          const n = Math.min(frames - off, [1, 333, 4096, 1024, 2, 777][k % 6] + Math.floor(rb() * 3));
          // A threshold change mid-stream: the general (ramping) path, then back to the fast one.
          if (k === 5) p.setParams({ ...params, thresholdDb: (params.thresholdDb ?? -20) - 6 });
          p.process(x.map((ch) => ch.subarray(off, off + n)), out.map((ch) => ch.subarray(off, off + n)), n);
          off += n;
        }
        return out;
      });
      expect(firstDiff(outs[0][0], outs[1][0]), 'left').toBe(-1);
      expect(firstDiff(outs[0][1], outs[1][1]), 'right').toBe(-1);
    });
  }

  it('runs two compressors as one pair kernel (Compressor.processPair), each with the JavaScript path\'s bits', () => {
    // Every case beside the next (peak beside RMS, a knee beside none ...), and one beside a quiet track
    // that never reaches its knee (the resting path); NaN/Inf in the inputs, odd and one-frame blocks, a
    // threshold change mid-stream in one of the two (that block runs apart) and levels beyond fastLog's range.
    const frames = 20000;
    const quiet: Partial<CompressorParams> = { thresholdDb: -6, ratio: 4, attackMs: 5, releaseMs: 50 };
    const pairs = [...cases.map((p, k) => [p, cases[(k + 1) % cases.length]]), [cases[0], quiet]];
    const k = wasmKernels()!;
    const exportsWas = k.exports;
    let pairCalls = 0;
    // Counts the pair kernel's calls (the bits alone cannot tell it from two single ones).
    (k as { exports: typeof exportsWas }).exports = { ...exportsWas, compressorLinkedPair: (...a: Parameters<typeof exportsWas.compressorLinkedPair>) => { pairCalls++; return exportsWas.compressorLinkedPair(...a); } };
    try {
      // Headroom for the compressor's scratch, reserved on its first run (growing would detach wa and wb).
      const arena = new KernelArena(k, 1 << 20);
      const wa = arena.planar(2, 4097), wb = arena.planar(2, 4097);
      pairs.forEach(([pa, pb], j) => {
        const xa = signal(frames, 31 + j, 1.5);
        const xb = signal(frames, 41 + j, pb === quiet ? 0.01 : 1.2, pb !== quiet);
        xb[1][5000] = 1e30;
        const sizes = (seed: number) => { const rb = lcg(seed); return (kk: number) => Math.min(4096, [1, 333, 4096, 1024, 2, 777][kk % 6] + Math.floor(rb() * 3)); };
        const make = (p: Partial<CompressorParams>) => { const c = new Compressor(p); c.prepare({ sampleRate: 48000, channels: 2, maxBlockFrames: 4096 }); return c; };
        // Reference: each alone on the JavaScript path.
        setWasmKernels(false);
        const ref = [xa, xb].map((x, t) => {
          const c = make(t === 0 ? pa : pb);
          const out = [new Float32Array(frames), new Float32Array(frames)];
          const size = sizes(17);
          for (let off = 0, kk = 0; off < frames; kk++) {
            const n = Math.min(frames - off, size(kk));
            if (kk === 5 && t === 0) c.setParams({ ...pa, thresholdDb: (pa.thresholdDb ?? -20) - 6 });
            c.process(x.map((ch) => ch.subarray(off, off + n)), out.map((ch) => ch.subarray(off, off + n)), n);
            off += n;
          }
          return out;
        });
        setWasmKernels(true);
        const a = make(pa), b = make(pb);
        const out = [0, 1].map(() => [new Float32Array(frames), new Float32Array(frames)]);
        const size = sizes(17);
        for (let off = 0, kk = 0; off < frames; kk++) {
          const n = Math.min(frames - off, size(kk));
          if (kk === 5) a.setParams({ ...pa, thresholdDb: (pa.thresholdDb ?? -20) - 6 });
          for (let c = 0; c < 2; c++) { wa[c].set(xa[c].subarray(off, off + n)); wb[c].set(xb[c].subarray(off, off + n)); }
          Compressor.processPair(a, b, wa, wb, n);
          for (let c = 0; c < 2; c++) { out[0][c].set(wa[c].subarray(0, n), off); out[1][c].set(wb[c].subarray(0, n), off); }
          off += n;
        }
        for (let t = 0; t < 2; t++) for (let c = 0; c < 2; c++) expect(firstDiff(out[t][c], ref[t][c]), `pair ${j}, track ${t}, channel ${c}`).toBe(-1);
      });
    } finally {
      (k as { exports: typeof exportsWas }).exports = exportsWas;
    }
    expect(pairCalls).toBeGreaterThan(10 * pairs.length); // about 19 blocks per pair, a few of them ramping (apart)
  });

  it('gives the JavaScript path\'s output for absurd levels (1e30, the float32 maximum), peak and RMS', () => {
    // Levels beyond fastLog's table range (RMS of 1e30 samples; rounding at the float32 maximum) take the
    // kernel's checked log, as the JavaScript path takes Math.log.
    const frames = 8000;
    const x = signal(frames, 23, 0.5, false);
    for (let i = 1000; i < 1400; i += 7) x[i % 2][i] = i % 3 === 0 ? 1e30 : -1e30;
    x[0][3000] = 3.4028234663852886e38;
    x[1][3000] = 1e-3;
    x[0][3001] = -3.4028234663852886e38;
    for (const detector of ['peak', 'rms'] as const) {
      const outs = [true, false].map((on) => {
        setWasmKernels(on);
        const p = new Compressor({ thresholdDb: -20, ratio: 4, attackMs: 1, releaseMs: 50, detector });
        p.prepare({ sampleRate: 48000, channels: 2, maxBlockFrames: 1024 });
        const out = [new Float32Array(frames), new Float32Array(frames)];
        for (let off = 0; off < frames; off += 1000) p.process(x.map((ch) => ch.subarray(off, off + 1000)), out.map((ch) => ch.subarray(off, off + 1000)), 1000);
        return out;
      });
      expect(firstDiff(outs[0][0], outs[1][0]), `${detector} left`).toBe(-1);
      expect(firstDiff(outs[0][1], outs[1][1]), `${detector} right`).toBe(-1);
    }
  });
});

describe('loudness meter kernel', () => {
  for (const [fs, channels] of [[48000, 2], [44100, 2], [22050, 2], [8000, 2], [384000, 2], [48000, 1], [48000, 6]] as const) {
    it(`gives the JavaScript path's sums at ${fs} Hz, ${channels} channel(s)`, () => {
      const frames = Math.round(fs * 4.3);
      const r = lcg(fs + channels);
      const x = Array.from({ length: channels }, (_, c) => {
        const ch = new Float32Array(frames);
        for (let i = 0; i < frames; i++) ch[i] = (0.3 + 0.7 * Math.sin(i / 9000 + c)) * (2 * r() - 1) * 0.5;
        return ch;
      });
      const results = [true, false].map((on) => {
        setWasmKernels(on);
        const m = new LoudnessMeter({ sampleRate: fs, channels });
        const raw = new Float64Array(3 * channels + 1);
        const rb = lcg(5);
        for (let off = 0, k = 0; off < frames; k++) {
          // Odd pushes, some past the kernel's 65536-frame call.
          const n = Math.min(frames - off, k % 3 === 2 ? 70001 : 1 + Math.floor(rb() * 5000));
          m.push(x.map((ch) => ch.subarray(off, off + n)), n, raw);
          off += n;
        }
        return { result: m.result(), blocks: m.gatingBlockPowers(), shorts: m.shortTermPowers(), raw };
      });
      expect(results[0].result).toEqual(results[1].result);
      expect(firstDiff(results[0].blocks, results[1].blocks)).toBe(-1);
      expect(firstDiff(results[0].shorts, results[1].shorts)).toBe(-1);
      expect(firstDiff(results[0].raw, results[1].raw)).toBe(-1);
      expect(results[0].blocks.length).toBeGreaterThan(30);
    });
  }
});

describe('mix sends kernel', () => {
  it('builds the float64 partials of MixRenderer.sendConstant exactly: dest += (x·gain)·level, in order', () => {
    const r = lcg(21);
    for (const n of [1, 2, 333, 1024, 4095]) {
      const dests = 1 + Math.floor(r() * 6);
      const tracks = Array.from({ length: 5 }, (_, k) => {
        const mono = k === 3;
        const x = signal(n, 40 + k, 1, false);
        const count = 1 + Math.floor(r() * 4);
        const table = new Float64Array(4 * count);
        for (let e = 0; e < count; e++) table.set([Math.floor(r() * dests), r() * 1.3, r() * 1.3, e === 0 ? 1 : r()], 4 * e);
        return { xl: x[0], xr: mono ? x[0] : x[1], table, count };
      });
      const ref = Array.from({ length: dests }, () => [new Float64Array(n), new Float64Array(n)]);
      for (const t of tracks) {
        for (let e = 0; e < t.count; e++) {
          const [d, gl, gr, lv] = t.table.subarray(4 * e, 4 * e + 4);
          for (let i = 0; i < n; i++) { ref[d][0][i] += t.xl[i] * gl * lv; ref[d][1][i] += t.xr[i] * gr * lv; }
        }
      }
      const got = Array.from({ length: dests }, () => [new Float64Array(n).fill(9), new Float64Array(n).fill(9)]);
      const sends = new GroupSendsWasm();
      expect(sends.begin(dests, tracks.length, n)).toBe(true);
      for (const t of tracks) sends.add(t.xl, t.xr, t.table, t.count);
      sends.end(got, 64);
      for (let d = 0; d < dests; d++) for (let c = 0; c < 2; c++) expect(firstDiff(got[d][c], ref[d][c]), `n ${n} dest ${d}`).toBe(-1);
    }
  });

  it('renders a session to the same bits with and without the kernels (pre/post sends, mono, mute, automation)', async () => {
    const fs = 48000;
    const frames = 20011; // an odd last block
    const stems: Record<string, Float32Array[]> = {
      'a.wav': [noise(frames, 0.5, 1), noise(frames, 0.5, 2)],
      'b.wav': [noise(frames, 0.4, 3)],
      'c.wav': [noise(frames, 0.3, 4), noise(frames, 0.3, 5)],
    };
    const files = ['a.wav', 'b.wav', 'c.wav'];
    const session = {
      sampleRate: fs,
      tracks: Array.from({ length: 40 }, (_, i) => ({
        name: `t${i}`, file: files[i % 3], gainDb: -6 - (i % 7), pan: ((i % 9) - 4) / 4, mute: i === 7,
        inserts: i % 5 === 0 ? [{ type: 'compressor', thresholdDb: -20, ratio: 4 }] : [],
        output: `g${i % 3}`,
        sends: [{ bus: 'fx', levelDb: -12 - (i % 4), preFader: i % 2 === 0 }, { bus: 'fx2', levelDb: 0 }],
        // One automated track: its group takes the JavaScript path.
        ...(i === 33 ? { automation: { gainDb: [[0, -20], [0.3, 0]] } } : {}),
      })),
      buses: [{ name: 'g0' }, { name: 'g1', gainDb: -2 }, { name: 'g2' }, { name: 'fx' }, { name: 'fx2', gainDb: -9 }],
    } as unknown as Session;
    const outs = [];
    for (const on of [true, false]) {
      setWasmKernels(on);
      outs.push((await mixInMemory(session, stems, fs, 1024)).out);
    }
    expect(outs[0][0].length).toBe(frames);
    expect(firstDiff(outs[0][0], outs[1][0]), 'left').toBe(-1);
    expect(firstDiff(outs[0][1], outs[1][1]), 'right').toBe(-1);
    expect(outs[0][0].some((v) => v !== 0)).toBe(true);
  });
});

describe('tracks in the kernels\' memory (MixRenderer kernelMemory: the kernels work in place)', () => {
  it('KernelArena: views in the kernels\' memory, stale once it grows, renewed with their contents in the same arrays', () => {
    setWasmKernels(true);
    const k = wasmKernels()!;
    const arena = new KernelArena(k, 1 << 16);
    const bufs = arena.planar(2, 100);
    expect(bufs.map((b) => b.length)).toEqual([100, 100]);
    expect(bufs.every((b) => k.holds(b))).toBe(true);
    bufs[0].fill(0.25);
    bufs[1][99] = -3;
    expect(arena.stale()).toBe(false);
    k.reserve(k.exports.memory.buffer.byteLength); // grows: every view detaches
    expect(arena.stale()).toBe(true);
    expect(bufs[0].length).toBe(0);
    arena.renew();
    expect(arena.stale()).toBe(false);
    expect(bufs.every((b) => k.holds(b) && b.length === 100)).toBe(true);
    expect(bufs[0].every((v) => v === 0.25)).toBe(true);
    expect(bufs[1][99]).toBe(-3);
  });

  it('renders the same bits as with private buffers, and keeps doing so after the memory grows mid-song', async () => {
    const fs = 48000;
    const frames = 15013; // an odd last block
    const stems: Record<string, Float32Array[]> = {
      'a.wav': [noise(frames, 0.6, 11), noise(frames, 0.6, 12)],
      'b.wav': [noise(frames, 0.5, 13)],
    };
    const eq = { type: 'eq', bands: [{ type: 'highpass', freqHz: 40, slopeDbPerOct: 12 }, { type: 'bell', freqHz: 300, gainDb: -2, q: 1 }, { type: 'highshelf', freqHz: 8000, gainDb: 2 }] };
    const session = {
      sampleRate: fs,
      tracks: Array.from({ length: 12 }, (_, i) => ({
        name: `t${i}`, file: i % 3 === 2 ? 'b.wav' : 'a.wav', trimInSeconds: i / 1000, gainDb: -6 - (i % 5), pan: ((i % 5) - 2) / 2,
        inserts: i % 4 === 3 ? [] : [eq, { type: 'compressor', thresholdDb: -24, ratio: 4, attackMs: 2, releaseMs: 60 }],
        output: `g${i % 2}`, sends: [{ bus: 'fx', levelDb: -10, preFader: i % 2 === 0 }],
      })),
      buses: [{ name: 'g0' }, { name: 'g1', gainDb: -2 }, { name: 'fx', inserts: [{ type: 'compressor', thresholdDb: -30, ratio: 2 }] }],
    } as unknown as Session;
    setWasmKernels(true);
    const k = wasmKernels()!;
    const plain = (await mixInMemory(session, stems, fs, 1024)).out;
    let inKernel = 0, pulls = 0, grew = false;
    const resident = (await mixInMemory(session, stems, fs, 1024, {
      renderer: { kernelMemory: true },
      onPull: (out) => { pulls++; if (out.every((c) => k.holds(c))) inKernel++; },
      // Grow the memory between blocks: the renderer must renew its views, not read detached ones.
      beforeBlock: (b) => {
        if (b !== 5) return;
        const before = k.exports.memory.buffer;
        k.reserve(before.byteLength); // more than any headroom: the memory grows
        grew = k.exports.memory.buffer !== before;
      },
    })).out;
    expect(grew).toBe(true);
    expect(pulls).toBeGreaterThan(0);
    expect(inKernel).toBe(pulls);
    expect(resident[0].length).toBe(frames);
    expect(firstDiff(resident[0], plain[0]), 'left').toBe(-1);
    expect(firstDiff(resident[1], plain[1]), 'right').toBe(-1);
    expect(plain[0].some((v) => v !== 0)).toBe(true);
  });

  it('stops with an error, not a wrong mix, when an insert grows the memory in the middle of a block', async () => {
    const stems = { 'a.wav': [noise(5000, 0.5, 1), noise(5000, 0.5, 2)] };
    const session = {
      sampleRate: 48000,
      tracks: [0, 1].map((i) => ({ name: `t${i}`, file: 'a.wav', trimInSeconds: i / 1000,
        inserts: i === 0 ? [{ type: 'kernelgrowth', bytes: 64 << 20 }, { type: 'compressor', thresholdDb: -30 }] : [] })),
    } as unknown as Session;
    setWasmKernels(true);
    await expect(mixInMemory(session, stems, 48000, 1024, { renderer: { kernelMemory: true } })).rejects.toThrow(/grew during a mix block/);
  });
});

describe('24-bit PCM kernel', () => {
  it('decodes mono and stereo exactly: (b0·2^8 + b1·2^16 + b2·2^24 as int32)·2^-31', () => {
    const r = lcg(8);
    for (const channels of [1, 2]) {
      for (const frames of [1, 3, 4, 5, 8191, 8192, 8193, 20000]) {
        const start = Math.floor(r() * 7);
        const bytes = Uint8Array.from({ length: start * 3 + frames * channels * 3 + 5 }, () => Math.floor(r() * 256));
        // Extremes: full-scale negative and positive, zero.
        if (frames * channels >= 3) bytes.set([0, 0, 0x80, 0xff, 0xff, 0x7f, 0, 0, 0], start * 3);
        // Into ordinary arrays (through scratch) and into views of the kernels' memory (in place: a mix
        // worker's KernelArena), where nothing around the written range may change either.
        const arena = new KernelArena(wasmKernels()!, 1 << 20);
        const outs = [Array.from({ length: channels }, () => new Float32Array(frames + 3)), arena.planar(channels, frames + 3)];
        for (const out of outs) {
          for (const ch of out) ch.fill(9);
          expect(int24PlanarWasm(bytes, start * 3, frames, channels, out, 3)).toBe(true);
          if (out !== outs[0]) expect(out.every((c) => wasmKernels()!.holds(c))).toBe(true);
          for (let c = 0; c < channels; c++) {
            const want = new Float32Array(frames + 3).fill(9);
            for (let i = 0; i < frames; i++) {
              const j = start * 3 + (i * channels + c) * 3;
              want[3 + i] = ((bytes[j] << 8) | (bytes[j + 1] << 16) | (bytes[j + 2] << 24)) / 2147483648;
            }
            expect(firstDiff(out[c], want), `${channels} ch, ${frames} frames, channel ${c}`).toBe(-1);
          }
        }
      }
    }
  });
});

describe('16-bit and float32 stereo PCM kernels', () => {
  const frameCounts = [1, 3, 4, 5, 8191, 8192, 8193, 20000];
  it('decode 16-bit stereo exactly: x · 2^-15', () => {
    const r = lcg(16);
    for (const frames of frameCounts) {
      const start = Math.floor(r() * 7);
      const bytes = Uint8Array.from({ length: (start + frames) * 4 + 6 }, () => Math.floor(r() * 256));
      if (frames >= 2) bytes.set([0, 0x80, 0xff, 0x7f, 0, 0], start * 4); // -32768, 32767, 0
      const out = [0, 1].map(() => new Float32Array(frames + 3).fill(9));
      expect(int16StereoPlanarWasm(bytes, start * 4, frames, out, 3)).toBe(true);
      const dv = new DataView(bytes.buffer);
      for (let c = 0; c < 2; c++) {
        const want = new Float32Array(frames + 3).fill(9);
        for (let i = 0; i < frames; i++) want[3 + i] = dv.getInt16((start + i) * 4 + 2 * c, true) / 32768;
        expect(firstDiff(out[c], want), `${frames} frames, channel ${c}`).toBe(-1);
      }
    }
  });

  it('split float32 stereo bit for bit (NaN, ±Inf, -0 and denormals included)', () => {
    const r = lcg(32);
    for (const frames of frameCounts) {
      const start = Math.floor(r() * 7);
      const f = Float32Array.from({ length: (start + frames) * 2 + 2 }, () => (2 * r() - 1) * 10 ** (8 * r() - 40));
      const specials = [NaN, Infinity, -Infinity, -0, 1e-45];
      for (let i = 0; i < specials.length && i < frames * 2; i++) f[start * 2 + 3 * i] = specials[i];
      const out = [0, 1].map(() => new Float32Array(frames + 3).fill(9));
      expect(f32StereoPlanarWasm(new Uint8Array(f.buffer), start * 8, frames, out, 3)).toBe(true);
      for (let c = 0; c < 2; c++) {
        const want = new Float32Array(frames + 3).fill(9);
        for (let i = 0; i < frames; i++) want[3 + i] = f[(start + i) * 2 + c];
        expect(firstDiff(out[c], want), `${frames} frames, channel ${c}`).toBe(-1);
      }
    }
  });
});

describe('true-peak meter kernels', () => {
  /** The JavaScript meter's 8-block maximum: max(a, b) as a + b + |a − b| in a tree, then / 8. */
  function treeMax8(x: Float64Array, i: number): number {
    const a = Array.from({ length: 8 }, (_, j) => Math.abs(x[i + j]));
    const m = (p: number, q: number): number => p + q + Math.abs(p - q);
    const c0 = m(m(a[0], a[1]), m(a[2], a[3]));
    const c1 = m(m(a[4], a[5]), m(a[6], a[7]));
    return 0.125 * (c0 + c1 + Math.abs(c0 - c1));
  }

  it('copy, chunk maximum and block features equal the JavaScript loops\' values', () => {
    const k = wasmKernels()!;
    const hist = 31;
    const chunk = truePeakChunk(k, hist + 4096, 4096, 525);
    const r = lcg(77);
    for (const n of [1, 2, 3, 7, 8, 9, 63, 64, 65, 1000, 4095, 4096]) {
      const x = new Float32Array(n + 5);
      for (let i = 0; i < x.length; i++) x[i] = (2 * r() - 1) * (i % 5 === 0 ? 1e-3 : 0.9);
      for (let i = 0; i < hist; i++) chunk.buf[i] = (2 * r() - 1) * 0.5;
      const m = chunk.load(x, 5, hist, n);
      const len = hist + n;
      const ref = Float64Array.from(chunk.buf.subarray(0, len));
      for (let i = 0; i < n; i++) expect(ref[hist + i]).toBe(x[5 + i]);
      expect(m).toBe(ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0));
      const groups = Math.ceil(n / 8);
      const blocks = groups + 5;
      const bd2 = new Float64Array(525).fill(NaN);
      const bx = new Float64Array(525).fill(NaN);
      const buf = chunk.buf; // zero beyond len is not assumed: the features must not read there
      buf.fill(123, len);
      chunk.features(len, blocks, bd2, 15, groups, bx);
      for (let b = 0; b < blocks; b++) {
        let d = 0;
        for (let i = 8 * b; i < 8 * b + 8; i++) if (i >= 1 && i < len - 1) d = Math.max(d, Math.abs(ref[i - 1] - 2 * ref[i] + ref[i + 1]));
        expect(bd2[b], `n ${n} block ${b}`).toBe(d);
      }
      for (let g = 0; g < groups; g++) if (15 + 8 * g + 8 <= len) expect(bx[g], `n ${n} group ${g}`).toBe(treeMax8(ref, 15 + 8 * g));
    }
  });

  for (const factor of [4, 8] as const) {
    it(`TruePeakMeter (${factor}x): the same peaks with and without the kernels`, () => {
      const fs = 48000;
      const frames = 3 * fs + 777;
      const r = lcg(factor);
      // Per channel: quiet noise, then a sine near fs/2 (true peaks between samples), a loud burst, smooth sine.
      const x = [0, 1, 2].map((c) => {
        const ch = new Float32Array(frames);
        for (let i = 0; i < frames; i++) {
          const t = i / frames;
          ch[i] = t < 0.25 ? 0.01 * (2 * r() - 1)
            : t < 0.5 ? 0.7 * Math.sin(i * Math.PI * 0.93 + c)
              : t < 0.55 ? (2 * r() - 1) * 0.95
                : 0.8 * Math.sin(i * 2 * Math.PI * 997 / fs + c);
        }
        return ch;
      });
      const peaks = [true, false].map((on) => {
        setWasmKernels(on);
        const m = new TruePeakMeter({ sampleRate: fs, channels: 3, factor });
        const rb = lcg(9);
        for (let off = 0, k = 0; off < frames; k++) {
          const n = Math.min(frames - off, k % 4 === 3 ? 20000 : 1 + Math.floor(rb() * 6000));
          m.push(x.map((ch) => ch.subarray(off, off + n)), n);
          off += n;
        }
        return [...Array.from(m.peaks()), m.evaluations];
      });
      // The same peaks, and the same decisions: as many full-filter outputs (any change to a bound shows).
      expect(peaks[0]).toEqual(peaks[1]);
      expect(peaks[0][3]).toBeGreaterThan(100);
      // The inter-sample peaks were found: above every sample.
      for (let c = 0; c < 3; c++) expect(peaks[0][c]).toBeGreaterThan(x[c].reduce((a, v) => Math.max(a, Math.abs(v)), 0));
    });
  }
});
