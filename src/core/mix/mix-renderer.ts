/**
 * The block renderer: runs a RenderPlan block by block, pulling clip audio through a callback (no I/O
 * here), so memory is independent of the song length and grows with the track count only by a few
 * block-sized buffers per node.
 *
 * Per block, in plan order: every clip is pulled once (tracks sharing a clip share the read); each track
 * copies its clip (polarity, fades, downmix, non-finite samples → 0), runs its inserts, and adds its
 * post-fader output and sends into the destination buses' float64 accumulators, in plan order (a fixed
 * order, so the result is deterministic); each bus converts its accumulator to float32, runs its inserts
 * and passes on; the master writes the output. Latency-compensation delays sit on the edges. The master's
 * latency is pre-rolled so the output starts at timeline t = 0 and has the full length.
 *
 * Gain structure of a node's outputs (per sample): post-fader = x·fader·pan, pre-fader = x·pan (the tap
 * is after the inserts and the pan, before the fader; mute silences both), times the send level. With
 * fader 1 and pan 0 on a stereo source every factor is exactly 1, so a unity session is the exact sum of
 * its stems, rounded to float32 once at the output.
 */
import { panGains } from '../dsp/pan.js';
import type { PlanNode, PlanSource, RenderPlan, TrackClip } from './render-plan.js';

/**
 * Fills out[c][offset .. offset+frames) with the next frames of clip `source` (read sequentially from its
 * trim-in point); returns the frames written (fewer only at the end of the file; the rest is silence).
 */
export type SourcePull = (source: number, out: Float32Array[], offset: number, frames: number) => number | Promise<number>;

/** Parameter updates for automated insert parameters happen every CONTROL_FRAMES frames of the timeline. */
export const CONTROL_FRAMES = 32;

/** A delay line on an edge (float64, stereo). */
class EdgeDelay {
  private readonly l: Float64Array;
  private readonly r: Float64Array;
  private w = 0;
  constructor(readonly delay: number, maxBlock: number) {
    this.l = new Float64Array(delay + maxBlock);
    this.r = new Float64Array(delay + maxBlock);
  }

  /** Writes a block and adds the block `delay` frames earlier into dl/dr. */
  run(xl: Float64Array, xr: Float64Array, dl: Float64Array, dr: Float64Array, n: number): void {
    const l = this.l;
    const r = this.r;
    const size = l.length;
    const d = this.delay;
    let w = this.w;
    for (let i = 0; i < n; i++) {
      l[w] = xl[i];
      r[w] = xr[i];
      let k = w - d;
      if (k < 0) k += size;
      dl[i] += l[k];
      dr[i] += r[k];
      w = w + 1 === size ? 0 : w + 1;
    }
    this.w = w;
  }
}

/** A delay line for a sidechain signal (float32, stereo). */
class SidechainDelay {
  private readonly buf: Float32Array[];
  readonly out: Float32Array[];
  private w = 0;
  constructor(readonly delay: number, maxBlock: number) {
    this.buf = [new Float32Array(delay + maxBlock), new Float32Array(delay + maxBlock)];
    this.out = [new Float32Array(maxBlock), new Float32Array(maxBlock)];
  }

  run(x: Float32Array[], n: number): void {
    const size = this.buf[0].length;
    const d = this.delay;
    let w = this.w;
    for (let c = 0; c < 2; c++) {
      const b = this.buf[c];
      const xc = x[c];
      const y = this.out[c];
      w = this.w;
      for (let i = 0; i < n; i++) {
        b[w] = xc[i];
        let k = w - d;
        if (k < 0) k += size;
        y[i] = b[k];
        w = w + 1 === size ? 0 : w + 1;
      }
    }
    this.w = w;
  }
}

interface NodeState {
  node: PlanNode;
  clip: TrackClip | null;
  source: PlanSource | null;
  /** Insert-chain buffers (channels = node.channels). */
  work: Float32Array[];
  /** Float64 input accumulators (buses and master). */
  acc: Float64Array[] | null;
  /** Post-fader output for sidechains. */
  tap: Float32Array[] | null;
  edgeDelays: (EdgeDelay | null)[];
  scDelays: (SidechainDelay | null)[];
  hasPreFader: boolean;
}

/** Renders a plan to stereo float32 blocks. */
export class MixRenderer {
  private readonly states: NodeState[];
  private readonly srcBufs: Float32Array[][];
  private readonly srcActive: Uint8Array;
  private readonly stateById: NodeState[];
  private readonly maxBlock: number;
  // Shared scratch (float64, one block): post/pre-fader gains, send level, edge contribution.
  private readonly postL: Float64Array;
  private readonly postR: Float64Array;
  private readonly preL: Float64Array;
  private readonly preR: Float64Array;
  private readonly lev: Float64Array;
  private readonly eL: Float64Array;
  private readonly eR: Float64Array;
  private readonly preroll: Float32Array[];
  private done = 0;
  private prerolled = false;
  /** Non-finite source samples replaced by 0 so far. */
  nonFiniteSamples = 0;

  /**
   * @param plan compiled by compileSession (its processors are used and mutated by this renderer).
   * @param pull reads clip audio; see SourcePull.
   */
  constructor(readonly plan: RenderPlan, private readonly pull: SourcePull) {
    const B = plan.maxBlockFrames;
    this.maxBlock = B;
    const f64 = () => new Float64Array(B);
    this.postL = f64(); this.postR = f64(); this.preL = f64(); this.preR = f64(); this.lev = f64(); this.eL = f64(); this.eR = f64();
    this.preroll = [new Float32Array(B), new Float32Array(B)];
    this.srcBufs = plan.sources.map((s) => Array.from({ length: s.channels }, () => new Float32Array(B)));
    this.srcActive = new Uint8Array(plan.sources.length);
    this.stateById = [];
    this.states = plan.nodes.map((node) => {
      const st: NodeState = {
        node,
        clip: plan.clips[node.id],
        source: node.kind === 'track' ? plan.sources[node.source] : null,
        work: Array.from({ length: node.channels }, () => new Float32Array(B)),
        acc: node.kind === 'track' ? null : [f64(), f64()],
        tap: node.isSidechainSource ? [new Float32Array(B), new Float32Array(B)] : null,
        edgeDelays: node.edges.map((e) => (e.delayFrames > 0 ? new EdgeDelay(e.delayFrames, B) : null)),
        scDelays: node.sidechains.map((sc) => (sc && sc.delayFrames > 0 ? new SidechainDelay(sc.delayFrames, B) : null)),
        hasPreFader: node.edges.some((e) => e.preFader),
      };
      this.stateById[node.id] = st;
      return st;
    });
  }

  /** Output length in frames. */
  get outputFrames(): number {
    return this.plan.outputFrames;
  }

  /** Output frames rendered so far. */
  get framesDone(): number {
    return this.done;
  }

  /**
   * Renders the next block of the output.
   * @param out two channels, each at least `maxFrames` long (written from index 0).
   * @param maxFrames at most this many frames (capped at the plan's maxBlockFrames).
   * @returns frames written; 0 when the output is complete.
   */
  async render(out: Float32Array[], maxFrames: number): Promise<number> {
    if (!this.prerolled) {
      // Pre-roll the master latency: output frame k is render frame k + latency.
      this.prerolled = true;
      for (let r = 0; r < this.plan.latencyFrames;) {
        const n = Math.min(this.maxBlock, this.plan.latencyFrames - r);
        await this.renderBlock(r, n, this.preroll);
        r += n;
      }
    }
    const n = Math.min(maxFrames, this.maxBlock, this.plan.outputFrames - this.done);
    if (n <= 0) return 0;
    await this.renderBlock(this.done + this.plan.latencyFrames, n, out);
    this.done += n;
    return n;
  }

  /** Pulls every clip overlapping render frames [r, r+n). */
  private async pullSources(r: number, n: number): Promise<void> {
    const sources = this.plan.sources;
    let pending: Promise<void>[] | null = null;
    for (let s = 0; s < sources.length; s++) {
      const src = sources[s];
      const bufs = this.srcBufs[s];
      const a = Math.max(r, src.renderStart) - r;
      const b = Math.min(r + n, src.renderStart + src.clipFrames) - r;
      if (b <= a) {
        if (this.srcActive[s]) for (const ch of bufs) ch.fill(0, 0, n);
        this.srcActive[s] = 0;
        continue;
      }
      this.srcActive[s] = 1;
      for (const ch of bufs) { ch.fill(0, 0, a); ch.fill(0, b, n); }
      const got = this.pull(s, bufs, a, b - a);
      const finish = (g: number) => { if (a + g < b) for (const ch of bufs) ch.fill(0, a + g, b); };
      if (typeof got === 'number') finish(got);
      else (pending ??= []).push(got.then(finish));
    }
    if (pending) await Promise.all(pending);
  }

  private async renderBlock(r: number, n: number, out: Float32Array[]): Promise<void> {
    await this.pullSources(r, n);
    for (const st of this.states) if (st.acc) { st.acc[0].fill(0, 0, n); st.acc[1].fill(0, 0, n); }
    for (const st of this.states) {
      const node = st.node;
      if (node.kind === 'track') {
        if (!this.srcActive[node.source] && node.inserts.length === 0 && !st.tap && st.edgeDelays.every((d) => d === null)) continue;
        this.loadTrack(st, r, n);
      } else {
        const acc = st.acc!;
        const w = st.work;
        for (let c = 0; c < 2; c++) {
          const a = acc[c];
          const y = w[c];
          for (let i = 0; i < n; i++) y[i] = a[i];
        }
      }
      this.runInserts(st, r, n);
      this.fader(st, r, n, out);
    }
  }

  /** Copies the track's clip into its work buffers: downmix, polarity, fades, non-finite → 0. */
  private loadTrack(st: NodeState, r: number, n: number): void {
    const src = st.source!;
    const clip = st.clip!;
    const w = st.work;
    const bufs = this.srcBufs[st.node.source];
    const active = this.srcActive[st.node.source] === 1;
    if (!active) {
      for (const ch of w) ch.fill(0, 0, n);
      return;
    }
    const sign = clip.invert ? -1 : 1;
    let bad = 0;
    if (src.downmix) {
      const m = src.downmix;
      const nc = src.channels;
      for (let o = 0; o < 2; o++) {
        const y = w[o];
        y.fill(0, 0, n);
        for (let c = 0; c < nc; c++) {
          const g = m[o * nc + c] * sign;
          if (g === 0) continue;
          const x = bufs[c];
          for (let i = 0; i < n; i++) {
            const v = x[i];
            if (v - v === 0) y[i] += g * v;
            else bad++;
          }
        }
      }
    } else {
      for (let c = 0; c < w.length; c++) {
        const x = bufs[c];
        const y = w[c];
        for (let i = 0; i < n; i++) {
          const v = x[i];
          if (v - v === 0) y[i] = sign * v;
          else { y[i] = 0; bad++; }
        }
      }
    }
    this.nonFiniteSamples += bad;
    // Linear fades in clip-local frames p: in, gain p/fadeIn; out, gain (clipFrames − p)/fadeOut.
    const p0 = r - src.renderStart;
    if (clip.fadeInFrames > 0 && p0 < clip.fadeInFrames) {
      const f = clip.fadeInFrames;
      for (const y of w) for (let i = 0; i < n; i++) { const p = p0 + i; if (p >= 0 && p < f) y[i] *= p / f; }
    }
    if (clip.fadeOutFrames > 0 && p0 + n > clip.clipFrames - clip.fadeOutFrames) {
      const f = clip.fadeOutFrames;
      const c0 = clip.clipFrames;
      for (const y of w) for (let i = 0; i < n; i++) { const p = p0 + i; if (p >= c0 - f && p < c0) y[i] *= (c0 - p) / f; }
    }
  }

  private sidechainFor(st: NodeState, j: number, n: number): Float32Array[] | undefined {
    const sc = st.node.sidechains[j];
    if (!sc) return undefined;
    const tap = this.stateById[sc.from].tap!;
    const d = st.scDelays[j];
    if (!d) return tap;
    d.run(tap, n);
    return d.out;
  }

  private runInserts(st: NodeState, r: number, n: number): void {
    const node = st.node;
    const ins = node.inserts;
    if (ins.length === 0) return;
    const w = st.work;
    if (node.insertLanes.length === 0) {
      for (let j = 0; j < ins.length; j++) ins[j].process(w, w, n, this.sidechainFor(st, j, n));
      return;
    }
    // Automated parameters: sub-blocks on a fixed CONTROL_FRAMES grid of the timeline, so the result does
    // not depend on the block size. The value is the lane at the sub-block's first frame.
    const scs = ins.map((_, j) => this.sidechainFor(st, j, n));
    let i = 0;
    while (i < n) {
      const tl = r + i - node.inputLatency;
      const step = Math.min(n - i, CONTROL_FRAMES - (((tl % CONTROL_FRAMES) + CONTROL_FRAMES) % CONTROL_FRAMES));
      for (const a of node.insertLanes) {
        ins[a.insert].setParams({ [a.param]: a.lane.valueAt(r + i - node.insertInputLatency[a.insert]) });
      }
      const v = w.map((ch) => ch.subarray(i, i + step));
      for (let j = 0; j < ins.length; j++) {
        const sc = scs[j];
        ins[j].process(v, v, step, sc ? sc.map((ch) => ch.subarray(i, i + step)) : undefined);
      }
      i += step;
    }
  }

  /** Fader, pan, sends: adds the node's contributions to its destinations (or writes the output). */
  private fader(st: NodeState, r: number, n: number, out: Float32Array[]): void {
    const node = st.node;
    const t0 = r - node.outputLatency; // timeline frame of the fader's first sample
    const postL = this.postL;
    const postR = this.postR;
    const preL = this.preL;
    const preR = this.preR;
    const mute = node.muted ? 0 : 1;
    // Pan gains: mono sources use the session's pan law, stereo ones balance (exactly 1 at centre).
    const law = this.plan.panLawDb;
    const srcCh = node.channels;
    if (node.panLane) {
      const lane = node.panLane;
      lane.fill(preL, t0, n);
      for (let i = 0; i < n; i++) {
        const g = panGains(preL[i], law, srcCh);
        preL[i] = g[0] * mute;
        preR[i] = g[1] * mute;
      }
    } else {
      const g = panGains(node.pan, law, srcCh);
      preL.fill(g[0] * mute, 0, n);
      preR.fill(g[1] * mute, 0, n);
    }
    if (node.gainLane) {
      node.gainLane.fill(postL, t0, n);
      for (let i = 0; i < n; i++) {
        const g = postL[i] * mute;
        postL[i] = g * preL[i];
        postR[i] = g * preR[i];
      }
    } else {
      const g = node.gain;
      for (let i = 0; i < n; i++) { postL[i] = g * preL[i]; postR[i] = g * preR[i]; }
    }
    const w = st.work;
    const xl = w[0];
    const xr = w.length > 1 ? w[1] : w[0];
    if (node.kind === 'master') {
      const ol = out[0];
      const or = out[1];
      for (let i = 0; i < n; i++) { ol[i] = xl[i] * postL[i]; or[i] = xr[i] * postR[i]; }
      return;
    }
    if (st.tap) {
      const tl = st.tap[0];
      const tr = st.tap[1];
      for (let i = 0; i < n; i++) { tl[i] = xl[i] * postL[i]; tr[i] = xr[i] * postR[i]; }
    }
    const edges = node.edges;
    for (let e = 0; e < edges.length; e++) {
      const edge = edges[e];
      const gl = edge.preFader ? preL : postL;
      const gr = edge.preFader ? preR : postR;
      const dest = this.stateById[edge.to].acc!;
      const delay = st.edgeDelays[e];
      const dl = delay ? this.eL : dest[0];
      const dr = delay ? this.eR : dest[1];
      if (delay) { dl.fill(0, 0, n); dr.fill(0, 0, n); }
      if (edge.levelLane) {
        const lev = this.lev;
        edge.levelLane.fill(lev, t0, n);
        for (let i = 0; i < n; i++) { dl[i] += xl[i] * gl[i] * lev[i]; dr[i] += xr[i] * gr[i] * lev[i]; }
      } else if (edge.level === 1) {
        for (let i = 0; i < n; i++) { dl[i] += xl[i] * gl[i]; dr[i] += xr[i] * gr[i]; }
      } else {
        const lv = edge.level;
        for (let i = 0; i < n; i++) { dl[i] += xl[i] * gl[i] * lv; dr[i] += xr[i] * gr[i] * lv; }
      }
      if (delay) delay.run(dl, dr, dest[0], dest[1], n);
    }
  }
}
