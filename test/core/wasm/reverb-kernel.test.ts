import { afterEach, describe, expect, it } from 'vitest';
import { Reverb, type ReverbParams } from '../../../src/core/dsp/reverb.js';
import { setWasmKernels, wasmKernels } from '../../../src/core/wasm/kernels.js';
import { firstDiff, lcg } from '../../helpers/bit-exact.js';

/*
 * The reverb kernel (assembly/reverb-kernels.ts through src/core/dsp/reverb-wasm.ts) promises the
 * JavaScript path's bits: each test runs the same input through a reverb prepared with the kernels and
 * one prepared without (setWasmKernels off: plain arrays, the JavaScript loops), and compares the outputs
 * sample for sample with Object.is, then the state (lines, rings, filters, positions).
 */

afterEach(() => setWasmKernels(true));

/** Noise with a random envelope, a few NaN/±Inf, then silence for the last `tail` frames (denormal decay). */
function signal(channels: number, frames: number, tail: number, seed: number, amp = 1): Float32Array[] {
  const r = lcg(seed);
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(frames);
    let env = 0.5;
    for (let i = 0; i < frames - tail; i++) {
      if (i % 997 === 0) env = r();
      x[i] = amp * env * (2 * r() - 1);
    }
    x[37 + c] = NaN;
    x[1000 + c] = Infinity;
    x[5000] = -Infinity;
    return x;
  });
}

/** The reverb's state, for comparing the two paths (private fields). */
function state(r: Reverb): number[][] {
  const s = r as unknown as { lines: Float32Array[]; pre: Float32Array[]; prePos: number };
  return [...s.lines, ...s.pre, r.pos, r.fz, r.dcX, r.dcY, [s.prePos, r.mix.value]].map((a) => Array.from(a));
}

interface Run {
  params: Partial<ReverbParams>;
  /** Parameter changes before the block starting at a frame. */
  changes?: [number, Partial<ReverbParams>][];
  inCh: number;
  outCh: number;
  blocks: number[];
  frames: number;
  tail?: number;
  amp?: number;
  sampleRate?: number;
  inPlace?: boolean;
  /** Kernels on or off per block (default: `on` for every block). */
  toggle?: (block: number) => boolean;
}

/** Output of a reverb prepared with the kernels on or off; blocks cycle through run.blocks. */
function render(run: Run, on: boolean): { out: Float32Array[]; rv: Reverb } {
  setWasmKernels(on);
  const rv = new Reverb();
  rv.prepare({ sampleRate: run.sampleRate ?? 48000, channels: Math.max(run.inCh, run.outCh), maxBlockFrames: 8192 });
  rv.setParams(run.params);
  rv.reset();
  const x = signal(run.inCh, run.frames, run.tail ?? 0, 7, run.amp);
  const out = run.inPlace ? x : Array.from({ length: run.outCh }, () => new Float32Array(run.frames));
  const changes = new Map(run.changes ?? []);
  for (let off = 0, b = 0; off < run.frames; b++) {
    const n = Math.min(run.blocks[b % run.blocks.length], run.frames - off);
    const patch = changes.get(off);
    if (patch) rv.setParams(patch);
    if (run.toggle) setWasmKernels(run.toggle(b));
    rv.process(x.map((c) => c.subarray(off, off + n)), out.map((c) => c.subarray(off, off + n)), n);
    off += n;
  }
  return { out, rv };
}

function expectSameBits(run: Run): { out: Float32Array[]; rv: Reverb } {
  expect(wasmKernels()).not.toBeNull();
  const js = render(run, false);
  const k = render({ ...run, toggle: run.toggle ?? (() => true) }, true);
  for (let c = 0; c < js.out.length; c++) expect(firstDiff(k.out[c], js.out[c]), `channel ${c}`).toBe(-1);
  const sj = state(js.rv), sk = state(k.rv);
  for (let i = 0; i < sj.length; i++) expect(firstDiff(sk[i], sj[i]), `state ${i}`).toBe(-1);
  return js;
}

const ODD = [1, 2, 333, 4096, 7, 5000, 128, 3, 2048];

describe('reverb kernel', () => {
  const sets: Partial<ReverbParams>[] = [
    {},
    { decaySeconds: 0.1, preDelayMs: 0, dampingHz: 500, sizePercent: 25, mix: 1 },
    { decaySeconds: 20, preDelayMs: 250, dampingHz: 20000, sizePercent: 200, mix: 0.5 },
    { decaySeconds: 3, preDelayMs: 33.3, dampingHz: 3000, sizePercent: 71, mix: 0 },
  ];
  for (const params of sets) {
    for (const [inCh, outCh] of [[2, 2], [1, 1], [1, 2], [2, 1], [3, 3]]) {
      it(`gives the JavaScript path's output and state: ${JSON.stringify(params)}, ${inCh} in, ${outCh} out`, () => {
        expectSameBits({ params, inCh, outCh, blocks: ODD, frames: 60000, tail: 20000 });
      });
    }
  }

  it('through parameter changes mid-stream (a mix ramp across blocks, decay, damping, size, pre-delay)', () => {
    expectSameBits({
      params: { mix: 0.2 }, inCh: 2, outCh: 2, blocks: [333, 1, 4096, 2], frames: 80000,
      changes: [[4096 + 334, { mix: 0.9 }], [2 * 4432, { decaySeconds: 5, dampingHz: 2500 }],
        [4 * 4432, { sizePercent: 40, mix: 0.1 }], [6 * 4432, { preDelayMs: 0, sizePercent: 180 }], [8 * 4432, { preDelayMs: 120, mix: 0.7 }]],
    });
  });

  it('flushes the decaying tail to exact zeros, as the JavaScript path does (many blocks: lines and rings wrap)', () => {
    const { out } = expectSameBits({ params: { decaySeconds: 0.1, preDelayMs: 5, mix: 0.5 }, inCh: 2, outCh: 2, blocks: [512], frames: 120000, tail: 100000 });
    for (const c of out) expect(c.subarray(110000).every((v) => Object.is(v, 0))).toBe(true);
  });

  it('at absurd levels (the float32 maximum: the lines overflow to ±Inf, which the flush turns to 0)', () => {
    const { rv } = expectSameBits({ params: { decaySeconds: 5, mix: 0.5 }, inCh: 2, outCh: 2, blocks: ODD, frames: 30000, amp: 3.4e38 });
    expect(state(rv).slice(0, 8).some((l) => l.some((v) => !Number.isFinite(v)))).toBe(true);
  });

  it('in place, at 44.1 and 96 kHz', () => {
    expectSameBits({ params: { mix: 0.6 }, inCh: 2, outCh: 2, blocks: ODD, frames: 30000, inPlace: true });
    expectSameBits({ params: { mix: 0.6 }, inCh: 2, outCh: 2, blocks: ODD, frames: 30000, sampleRate: 44100 });
    expectSameBits({ params: { preDelayMs: 200 }, inCh: 2, outCh: 2, blocks: ODD, frames: 60000, sampleRate: 96000 });
  });

  it('either path can run any block: kernels switched on and off between blocks, the memory growing meanwhile', () => {
    const k = wasmKernels()!;
    expectSameBits({
      params: { mix: 0.4, decaySeconds: 1 }, inCh: 2, outCh: 2, blocks: ODD, frames: 60000,
      toggle: (b) => {
        if (b % 3 === 2) k.reserve(1 << 16); // grows the memory: the reverb's views detach and are renewed
        return b % 2 === 0;
      },
    });
  });

  it('prepare() again keeps the rings at the same rate and replaces them at another', () => {
    const rings = (r: Reverb) => (r as unknown as { rings: unknown }).rings;
    const rv = new Reverb();
    rv.prepare({ sampleRate: 48000, channels: 2, maxBlockFrames: 512 });
    const first = rings(rv);
    expect(first).not.toBeNull();
    rv.prepare({ sampleRate: 48000, channels: 2, maxBlockFrames: 512 });
    expect(rings(rv)).toBe(first);
    rv.prepare({ sampleRate: 32000, channels: 2, maxBlockFrames: 512 });
    expect(rings(rv)).not.toBe(first);
    const x = signal(2, 20000, 0, 7);
    const y = [new Float32Array(20000), new Float32Array(20000)];
    rv.process(x, y, 20000);
    const js = render({ params: {}, inCh: 2, outCh: 2, blocks: [20000], frames: 20000, sampleRate: 32000 }, false);
    for (let c = 0; c < 2; c++) expect(firstDiff(y[c], js.out[c])).toBe(-1);
  });
});
