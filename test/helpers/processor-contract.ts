/**
 * The shared contract every Processor must satisfy (shared/DESIGN.md "Processor interface").
 * Usage in a test file:  describeProcessorContract({ name: 'eq', create: () => new Eq(), params: {...} })
 */
import { describe, expect, it } from 'vitest';
import type { Processor } from '../../src/core/dsp/processor.js';

export interface ContractCase<P> {
  name: string;
  create: () => Processor<P, object>;
  /** Parameters set after prepare() for all checks (defaults otherwise). */
  params?: Partial<P>;
  channels?: number;
  sampleRate?: number;
  /** Amplitude of the test signal (default 0.5). */
  amplitude?: number;
  /** Parameters for the latency probe (processor should pass an impulse mostly unchanged); 'skip' to skip. */
  latencyProbe?: Partial<P> | 'skip';
  /** Whether silence in must give exact silence out (false for dither). Default true. */
  silenceOut?: boolean;
  /** Feed a sidechain (copy of input scaled) to process(). */
  sidechain?: boolean;
  /** A parameter jump and the largest allowed sample-to-sample step of the output around it,
   * relative to the largest step of the output without the jump. Default bound factor 1.5 (+0.01 abs). */
  paramJump?: { to: Partial<P>; maxStepFactor?: number };
  /** Tolerance for block-size and in-place equality (default 1e-6 absolute). */
  tolerance?: number;
}

const FRAMES = 8192;

/** Deterministic test signal: a sine plus noise with a slow envelope, per channel. */
export function contractSignal(channels: number, frames: number, sampleRate: number, amplitude: number): Float32Array[] {
  const out: Float32Array[] = [];
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 4294967296 - 0.5;
  };
  for (let c = 0; c < channels; c++) {
    const ch = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      const env = 0.6 + 0.4 * Math.sin((2 * Math.PI * i) / 3000);
      ch[i] = amplitude * env * (0.6 * Math.sin((2 * Math.PI * (440 + 110 * c) * i) / sampleRate) + 0.4 * rnd());
    }
    out.push(ch);
  }
  return out;
}

function runBlocks<P>(p: Processor<P, object>, input: Float32Array[], blockFrames: number, inPlace: boolean, sidechain: boolean): Float32Array[] {
  const frames = input[0].length;
  const out = input.map((ch) => (inPlace ? Float32Array.from(ch) : new Float32Array(frames)));
  for (let off = 0; off < frames; off += blockFrames) {
    const n = Math.min(blockFrames, frames - off);
    const ins = (inPlace ? out : input).map((ch) => ch.subarray(off, off + n));
    const outs = out.map((ch) => ch.subarray(off, off + n));
    const sc = sidechain ? input.map((ch) => ch.subarray(off, off + n)) : undefined;
    p.process(ins, outs, n, sc);
  }
  return out;
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  for (let c = 0; c < a.length; c++) for (let i = 0; i < a[c].length; i++) m = Math.max(m, Math.abs(a[c][i] - b[c][i]));
  return m;
}

export function describeProcessorContract<P>(c: ContractCase<P>): void {
  const channels = c.channels ?? 2;
  const sampleRate = c.sampleRate ?? 48000;
  const tol = c.tolerance ?? 1e-6;
  const amp = c.amplitude ?? 0.5;
  const sc = c.sidechain ?? false;
  const make = (params?: Partial<P>, maxBlockFrames = 1024) => {
    const p = c.create();
    p.prepare({ sampleRate, channels, maxBlockFrames });
    if (params) p.setParams(params);
    if (c.params) p.setParams(c.params);
    p.reset();
    return p;
  };

  describe(`processor contract: ${c.name}`, () => {
    const input = contractSignal(channels, FRAMES, sampleRate, amp);

    it('gives the same output for block sizes 1, 7, 64 and 1024', () => {
      const ref = runBlocks(make(), input, 1024, false, sc);
      for (const bs of [1, 7, 64]) {
        const got = runBlocks(make(), input, bs, false, sc);
        expect(maxAbsDiff(got, ref), `block size ${bs}`).toBeLessThanOrEqual(tol);
      }
    });

    it('gives the same output in place and out of place', () => {
      const a = runBlocks(make(), input, 256, false, sc);
      const b = runBlocks(make(), input, 256, true, sc);
      expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(tol);
    });

    it('is deterministic after reset()', () => {
      const p = make();
      const a = runBlocks(p, input, 512, false, sc);
      p.reset();
      const b = runBlocks(p, input, 512, false, sc);
      expect(maxAbsDiff(a, b)).toBe(0);
    });

    if (c.latencyProbe !== 'skip') {
      it('has a measured latency equal to latencyFrames', () => {
        const p = make(c.latencyProbe as Partial<P> | undefined);
        if (c.latencyProbe) p.setParams(c.latencyProbe as Partial<P>);
        p.reset();
        const frames = 4096 + p.latencyFrames;
        const imp = Array.from({ length: channels }, () => new Float32Array(frames));
        const at = 100;
        for (const ch of imp) ch[at] = 0.25;
        const out = runBlocks(p, imp, 512, false, sc);
        let best = 0;
        let idx = -1;
        for (let i = 0; i < frames; i++) if (Math.abs(out[0][i]) > best) { best = Math.abs(out[0][i]); idx = i; }
        expect(idx - at).toBe(p.latencyFrames);
      });
    }

    it('gives silence out for silence in, without denormals', () => {
      const p = make();
      // A loud burst first, so filter and envelope state must decay cleanly.
      runBlocks(p, input, 512, false, sc);
      const silent = Array.from({ length: channels }, () => new Float32Array(sampleRate * 5));
      const out = runBlocks(p, silent, 512, false, sc);
      const tail = out.map((ch) => ch.subarray(ch.length - 4096));
      for (const ch of tail) {
        for (let i = 0; i < ch.length; i++) {
          const a = Math.abs(ch[i]);
          expect(a === 0 || a > 1e-30, 'no denormal output').toBe(true);
        }
      }
      if (c.silenceOut !== false) {
        const p2 = make();
        const out2 = runBlocks(p2, silent.map((ch) => ch.subarray(0, 8192)), 512, false, sc);
        expect(maxAbsDiff(out2, silent.map((ch) => ch.subarray(0, 8192)))).toBe(0);
        expect(Math.max(...tail.map((ch) => ch.reduce((m, v) => Math.max(m, Math.abs(v)), 0)))).toBeLessThan(1e-6);
      }
    });

    it('gives finite output for +-1e6 and NaN input, and recovers', () => {
      const p = make();
      const bad = Array.from({ length: channels }, () => new Float32Array(2048));
      for (const ch of bad) for (let i = 0; i < ch.length; i++) ch[i] = i % 3 === 0 ? 1e6 : i % 3 === 1 ? -1e6 : NaN;
      const out = runBlocks(p, bad, 256, false, sc);
      for (const ch of out) for (let i = 0; i < ch.length; i++) expect(Number.isFinite(ch[i])).toBe(true);
      const after = runBlocks(p, input, 256, false, sc);
      for (const ch of after) for (let i = 0; i < ch.length; i++) expect(Number.isFinite(ch[i])).toBe(true);
      // Ten seconds later the state has recovered: output is bounded like normal output.
      const long = contractSignal(channels, sampleRate * 10, sampleRate, amp);
      const rec = runBlocks(p, long, 1024, false, sc);
      const peak = Math.max(...rec.map((ch) => ch.subarray(ch.length - 4096).reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
      expect(peak).toBeLessThan(100);
    });

    if (c.paramJump) {
      it('glides on a parameter jump (no zipper steps)', () => {
        const jump = c.paramJump!;
        const steady = contractSignal(channels, FRAMES, sampleRate, amp * 0.5);
        const maxStep = (o: Float32Array[]) => {
          let m = 0;
          for (const ch of o) for (let i = 1; i < ch.length; i++) m = Math.max(m, Math.abs(ch[i] - ch[i - 1]));
          return m;
        };
        const ref = make();
        const a = runBlocks(ref, steady, 256, false, sc);
        const p = make();
        const first = steady.map((ch) => ch.subarray(0, FRAMES / 2));
        const second = steady.map((ch) => ch.subarray(FRAMES / 2));
        const o1 = runBlocks(p, first, 256, false, sc);
        p.setParams(jump.to);
        const o2 = runBlocks(p, second, 256, false, sc);
        const joined = o1.map((ch, i) => { const j = new Float32Array(FRAMES); j.set(ch); j.set(o2[i], FRAMES / 2); return j; });
        const refB = make();
        refB.setParams(jump.to);
        refB.reset();
        const b = runBlocks(refB, steady, 256, false, sc);
        const bound = Math.max(maxStep(a), maxStep(b)) * (jump.maxStepFactor ?? 1.5) + 0.01;
        expect(maxStep(joined)).toBeLessThanOrEqual(bound);
      });
    }
  });
}
