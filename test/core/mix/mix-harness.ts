/** Test harness: renders a session from in-memory stems through the pure core (no I/O). */
import type { InsertSpec } from '../../../src/core/dsp/insert-catalog.js';
import { createInsert } from '../../../src/core/dsp/insert-catalog.js';
import type { ProcessSpec, Processor } from '../../../src/core/dsp/processor.js';
import { MixRenderer, type MixRendererOptions } from '../../../src/core/mix/mix-renderer.js';
import { compileSession, type RenderPlan } from '../../../src/core/mix/render-plan.js';
import { wasmKernels } from '../../../src/core/wasm/kernels.js';
import type { Session } from '../../../src/core/mix/session-schema.js';

/** A pure delay that reports its delay as latency (like a look-ahead processor that does not act). */
export class FakeLatency implements Processor<{ frames: number }, object> {
  latencyFrames = 0;
  private bufs: Float32Array[] = [];
  private w = 0;
  constructor(frames: number) { this.latencyFrames = frames; }
  prepare(spec: ProcessSpec): void { this.bufs = Array.from({ length: spec.channels }, () => new Float32Array(this.latencyFrames + 1)); this.reset(); }
  reset(): void { for (const b of this.bufs) b.fill(0); this.w = 0; }
  setParams(): void {}
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    const size = this.latencyFrames + 1;
    let w = this.w;
    for (let c = 0; c < outputs.length; c++) {
      w = this.w;
      const b = this.bufs[c];
      for (let i = 0; i < frames; i++) {
        b[w] = inputs[c][i];
        outputs[c][i] = b[(w + 1) % size];
        w = (w + 1) % size;
      }
    }
    this.w = w;
  }
  readMeters(): object { return {}; }
}

/** Adds `gain` × the sidechain (channel-matched) to the input: makes sidechain routing and alignment visible. */
export class FakeSidechainAdd implements Processor<{ gain: number }, object> {
  readonly latencyFrames = 0;
  gain = 1;
  seen = 0;
  prepare(): void {}
  reset(): void {}
  setParams(p: Partial<{ gain: number }>): void { if (p.gain !== undefined) this.gain = p.gain; }
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number, sidechain?: readonly Float32Array[]): void {
    for (let c = 0; c < outputs.length; c++) {
      for (let i = 0; i < frames; i++) outputs[c][i] = inputs[c][i] + (sidechain ? this.gain * sidechain[c][i] : 0);
    }
    if (sidechain) this.seen++;
  }
  readMeters(): object { return {}; }
}

/** Passes audio through, and on its first block reserves `bytes` of kernel scratch (it grows the kernels' memory). */
export class FakeKernelGrowth implements Processor<{ bytes: number }, object> {
  readonly latencyFrames = 0;
  bytes = 0;
  private done = false;
  prepare(): void {}
  reset(): void {}
  setParams(p: Partial<{ bytes: number }>): void { if (p.bytes !== undefined) this.bytes = p.bytes; }
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    if (!this.done) { this.done = true; wasmKernels()?.reserve(this.bytes); }
    for (let c = 0; c < outputs.length; c++) for (let i = 0; i < frames; i++) outputs[c][i] = inputs[c][i];
  }
  readMeters(): object { return {}; }
}

/** Insert factory for tests: `fakelatency {frames}`, `scadd {gain}`, `kernelgrowth {bytes}`, else the catalog. */
export function testInsert(spec: InsertSpec, ps: ProcessSpec): Processor<Record<string, unknown>, object> {
  let p: Processor<never, object>;
  if (spec.type === 'fakelatency') p = new FakeLatency(spec.frames as number);
  else if (spec.type === 'scadd') p = new FakeSidechainAdd();
  else if (spec.type === 'kernelgrowth') p = new FakeKernelGrowth();
  else return createInsert(spec, ps);
  p.prepare(ps);
  const { type: _t, ...params } = spec;
  (p as Processor<Record<string, unknown>, object>).setParams(params);
  return p as unknown as Processor<Record<string, unknown>, object>;
}

export interface MixResult { out: Float32Array[]; plan: RenderPlan }

/** Renders `session` with stems given as planar arrays keyed by file name. */
/** Extras for mixInMemory: renderer options, a look at each pull's buffers, a call before each block. */
export interface MixInMemoryOptions {
  renderer?: MixRendererOptions;
  onPull?: (out: Float32Array[]) => void;
  beforeBlock?: (block: number) => void;
}

export async function mixInMemory(session: Session, stems: Record<string, Float32Array[]>, sampleRate: number, blockFrames = 1024, opts: MixInMemoryOptions = {}): Promise<MixResult> {
  const infos = session.tracks.map((t) => ({ channels: stems[t.file].length, frames: stems[t.file][0].length }));
  const plan = compileSession(session, infos, { sampleRate, maxBlockFrames: blockFrames, createInsert: testInsert });
  const pos = plan.sources.map((s) => s.trimInFrame);
  const renderer = new MixRenderer(plan, (s, out, offset, frames) => {
    opts.onPull?.(out);
    const src = stems[plan.sources[s].file];
    const n = Math.max(0, Math.min(frames, src[0].length - pos[s]));
    for (let c = 0; c < out.length; c++) out[c].set(src[c].subarray(pos[s], pos[s] + n), offset);
    pos[s] += n;
    return n;
  }, opts.renderer);
  const total = renderer.outputFrames;
  const out = [new Float32Array(total), new Float32Array(total)];
  const block = [new Float32Array(blockFrames), new Float32Array(blockFrames)];
  let done = 0;
  for (let b = 0; ; b++) {
    opts.beforeBlock?.(b);
    const n = await renderer.render(block, blockFrames);
    if (n === 0) break;
    out[0].set(block[0].subarray(0, n), done);
    out[1].set(block[1].subarray(0, n), done);
    done += n;
  }
  return { out, plan };
}

/** Deterministic noise in [-a, a) (LCG), float32. */
export function noise(frames: number, a: number, seed: number): Float32Array {
  const x = new Float32Array(frames);
  let s = seed >>> 0;
  for (let i = 0; i < frames; i++) { s = (s * 1664525 + 1013904223) >>> 0; x[i] = a * (2 * (s / 4294967296) - 1); }
  return x;
}

/** Max |a − b| over all channels (arrays of equal length). */
export function maxAbsDiff(a: Float32Array[], b: ArrayLike<number>[]): number {
  let m = 0;
  for (let c = 0; c < a.length; c++) for (let i = 0; i < a[c].length; i++) m = Math.max(m, Math.abs(a[c][i] - b[c][i]));
  return m;
}
