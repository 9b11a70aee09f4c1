/**
 * The block renderer: runs a RenderPlan block by block, pulling clip audio through a callback (no I/O
 * here), so memory is independent of the song length and grows with the track count only by a few
 * block-sized buffers per node.
 *
 * Per block: the tracks run in fixed TRACK GROUPS (trackGroups(): consecutive tracks in plan order, about
 * GROUP_TRACKS each, a fixed partition that does not depend on who renders them). Each track loads its clip
 * (polarity, fades, downmix, non-finite samples → 0; a track that alone reads a clip works in place in the
 * clip buffer) and runs its inserts; then, sub-block by sub-block so the sums stay in cache, every track of
 * the group adds its post-fader output and sends into the group's float64 partial sums (one stereo pair per
 * destination bus), in plan order. The partials are then added into the destination buses' accumulators
 * in group order; each bus converts its accumulator to
 * float32, runs its inserts and passes on; the master writes the output. The summation order is fixed by
 * the plan alone, so groups can be rendered by other threads (renderTrackGroups() into shared memory, see
 * MixRendererOptions) and the output is bit-identical whatever the number of threads. Latency-compensation
 * delays sit on the edges. The master's latency is pre-rolled so the output starts at timeline t = 0 and
 * has the full length.
 *
 * When a track takes a sidechain from a bus (or the master), the tracks cannot all run before the buses:
 * such a plan has no groups and every node runs in plan order on this thread, adding straight into the
 * accumulators.
 *
 * Gain structure of a node's outputs (per sample): post-fader = x·fader·pan, pre-fader = x·pan (the tap
 * is after the inserts and the pan, before the fader; mute silences both), times the send level. With
 * fader 1 and pan 0 on a stereo source every factor is exactly 1, so a unity session is the exact sum of
 * its stems, rounded to float32 once at the output.
 */
import { Compressor } from '../dsp/compressor.js';
import { panGains } from '../dsp/pan.js';
import type { PlanNode, PlanSource, RenderPlan, TrackClip } from './render-plan.js';
import { GroupSendsWasm, MAX_SEND_EDGES, reserveSendScratch } from './send-wasm.js';
import { KernelArena } from '../wasm/kernel-arena.js';
import { wasmKernels } from '../wasm/kernels.js';

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

  /** Writes frames [from, to) of xl/xr and adds the frames `delay` earlier into dl/dr[from, to). */
  run(xl: Float64Array, xr: Float64Array, dl: Float64Array, dr: Float64Array, from: number, to: number): void {
    const l = this.l;
    const r = this.r;
    const size = l.length;
    const d = this.delay;
    let w = this.w;
    for (let i = from; i < to; i++) {
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

/**
 * Tracks per group (about: a group takes whole sidechain-linked sets of tracks). Fixed, so the summation
 * order never depends on the thread count. The bus stage adds every group's partials on one thread (two
 * float64 read-modify-writes per destination and frame), so fewer, larger groups cost less there; 16 still
 * leaves 8 groups to share among threads at 128 tracks, 4 at 64.
 */
export const GROUP_TRACKS = 16;

/**
 * A fixed set of tracks rendered together: their contributions are summed, in plan order, into one
 * float64 stereo partial per destination node; the partials are added into the destinations in group order.
 */
export interface TrackGroup {
  /** Track node ids, in plan order. */
  tracks: number[];
  /** Destination node ids of the tracks' edges (outputs and sends), in order of first use. */
  dests: number[];
  /** Tracks of the group that feed a sidechain (their post-fader taps live in the group memory too). */
  taps: number[];
}

/**
 * Partitions the plan's tracks into groups of about GROUP_TRACKS consecutive tracks (plan order); tracks
 * linked by a track-to-track sidechain share a group. Returns [] when some track takes a sidechain from a
 * bus or the master (then the tracks cannot run before the buses).
 */
export function trackGroups(plan: RenderPlan): TrackGroup[] {
  const tracks = plan.nodes.filter((n) => n.kind === 'track');
  const isTrack = new Set(tracks.map((n) => n.id));
  const parent = new Map<number, number>(tracks.map((n) => [n.id, n.id]));
  const find = (x: number): number => { while (parent.get(x) !== x) x = parent.get(x)!; return x; };
  for (const n of tracks) {
    for (const sc of n.sidechains) {
      if (!sc) continue;
      if (!isTrack.has(sc.from)) return [];
      parent.set(find(sc.from), find(n.id));
    }
  }
  const groups: TrackGroup[] = [];
  const groupOfRoot = new Map<number, TrackGroup>();
  let open: TrackGroup | null = null;
  for (const n of tracks) {
    const root = find(n.id);
    let g = groupOfRoot.get(root);
    if (!g) {
      if (!open || open.tracks.length >= GROUP_TRACKS) { open = { tracks: [], dests: [], taps: [] }; groups.push(open); }
      g = open;
      groupOfRoot.set(root, g);
    }
    g.tracks.push(n.id);
    for (const e of n.edges) if (!g.dests.includes(e.to)) g.dests.push(e.to);
    if (n.isSidechainSource) g.taps.push(n.id);
  }
  return groups;
}

/** Bytes of a group's memory: per destination two float64 channels, per tap two float32 channels, of maxBlock frames. */
export function groupMemoryBytes(group: TrackGroup, maxBlock: number): number {
  return group.dests.length * 2 * maxBlock * 8 + group.taps.length * 2 * maxBlock * 4;
}

export interface MixRendererOptions {
  /**
   * Backing memory per track group: `slots` consecutive slots of groupMemoryBytes each (default: private
   * ArrayBuffers, one slot). Renderers in other threads built from the same plan and given the same
   * SharedArrayBuffers see the same partials; several slots let them render ahead of the bus stage.
   */
  groupMemory?: readonly ArrayBufferLike[];
  /** Slots per group memory (default 1). */
  slots?: number;
  /**
   * Has every track group of render frames [r, r+n) rendered elsewhere (another thread calls
   * renderTrackGroups) and resolves to the slot holding it; default: this renderer renders them into slot 0.
   * Never called for a plan without groups.
   */
  renderGroups?: (r: number, n: number) => Promise<number>;
  /** Called when the bus stage is done with the slot renderGroups returned last (it may be reused). */
  releaseGroups?: () => void;
  /**
   * Whether the pull can only yield finite samples for a source (integer PCM): its tracks then skip the
   * NaN/Inf check. Default: every source is checked.
   */
  isFiniteSource?: (source: number) => boolean;
  /**
   * Keep the clips' and tracks' buffers in the WebAssembly kernels' memory (KernelArena), so that the
   * decoder, EQ, compressor and sends kernels work on them without copies. For a renderer that only runs
   * track groups (a mix worker): nothing else in its thread may grow the kernels' memory mid-block.
   * Ignored without the kernels.
   */
  kernelMemory?: boolean;
}

/** Kernel scratch the EQ, compressor and PCM wrappers reserve on first use (about 0.4 MiB), with margin. */
const KERNEL_SCRATCH_BYTES = 1 << 20;

/**
 * The render blocks [r, n] a MixRenderer goes through when render() is always asked for maxBlockFrames:
 * the master-latency pre-roll, then the output. A worker rendering track groups ahead follows this.
 */
export function* renderBlocks(plan: RenderPlan): Generator<[number, number]> {
  const B = plan.maxBlockFrames;
  for (let r = 0; r < plan.latencyFrames; r += B) yield [r, Math.min(B, plan.latencyFrames - r)];
  for (let k = 0; k < plan.outputFrames; k += B) yield [k + plan.latencyFrames, Math.min(B, plan.outputFrames - k)];
}

interface NodeState {
  node: PlanNode;
  clip: TrackClip | null;
  source: PlanSource | null;
  /** Insert-chain buffers (channels = node.channels); a track that alone reads its clip works in the clip buffers. */
  work: Float32Array[];
  /** Whether `work` is the clip's read buffer (the pull writes into it; loadTrack works in place). */
  aliased: boolean;
  /** Float64 input accumulators (buses and master). */
  acc: Float64Array[] | null;
  /** Post-fader output for sidechains. */
  tap: Float32Array[] | null;
  /** Per edge: where its contribution is added (the group's partial for the destination, or its accumulator). */
  edgeDest: Float64Array[][];
  /** Grouped tracks: tap and edgeDest per memory slot (switched to before the track runs). */
  tapSlots: (Float32Array[] | null)[];
  edgeDestSlots: Float64Array[][][];
  edgeDelays: (EdgeDelay | null)[];
  scDelays: (SidechainDelay | null)[];
  /** Per insert lane: the patch object handed to setParams (reused, so automation does not allocate). */
  lanePatches: Record<string, number>[];
  /** Whether the insert lanes have been applied once (see runInserts). */
  lanesStarted: boolean;
  /** Leading silence: 0 unknown, 1 proven (a block before the clip gave exactly zero), 2 never skip. */
  lead: number;
  /** Grouped tracks: whether the track produced work this block (its edges are then added in sub-blocks). */
  ran: boolean;
  /** Neither gain nor pan is automated: the four gains below hold for the whole render. */
  constGains: boolean;
  /** Pre-fader (pan·mute) and post-fader (fader·pan·mute) gains, left and right. */
  preGL: number;
  preGR: number;
  postGL: number;
  postGR: number;
  /** Pan automation: the last pan value seen and its gains (panGains allocates, so call it on change only). */
  panLast: number;
  panGL: number;
  panGR: number;
}

interface GroupState {
  group: TrackGroup;
  tracks: NodeState[];
  /** Per slot, per destination (group.dests order): [L, R] partial sums. */
  partial: Float64Array[][][];
  /** Accumulation sub-block (subFrames of the group's destinations). */
  sub: number;
  /**
   * Per track (tracks order): its edges for the WebAssembly sends kernel (send-wasm.ts), 4 values each:
   * destination index in group.dests, left gain, right gain, level; null for the whole group when some
   * track has automated gain or pan, an edge delay, an automated send level or too many edges.
   */
  sendTables: Float64Array[] | null;
  /** Per track (tracks order): 1 when it runs with the next as a pair (runTrackPair; see compressorPairs), else 0. */
  paired: Uint8Array;
}

/**
 * Frames per accumulation sub-block for `dests` stereo float64 destinations: about 24 KiB of partials, which
 * stay in the L1 cache while each track of a group adds into them, instead of every track streaming the
 * whole block's partials through the cache (multiple of 64, 64..512). Each partial element still receives
 * its adds in the same order (tracks in plan order, edges in order), so the sub-block size never changes a bit.
 */
function subFrames(dests: number): number {
  return Math.max(64, Math.min(512, Math.floor(1536 / Math.max(1, dests)) & ~63));
}

/**
 * ac[0..n) = (((0 + rows[0]) + rows[1]) + ...) element by element, up to four rows per pass. A function of
 * its own (as copyRounded) so that V8 optimizes this hot loop alone: inside renderBlock its on-stack
 * replacement met the block's not-yet-run code and deoptimized, five compiles per run.
 */
function sumRows(ac: Float64Array, rows: readonly Float64Array[], n: number): void {
  ac.fill(0, 0, n);
  for (let k = 0; k < rows.length;) {
    const left = rows.length - k;
    const p0 = rows[k];
    if (left >= 4) {
      const p1 = rows[k + 1], p2 = rows[k + 2], p3 = rows[k + 3];
      for (let i = 0; i < n; i++) ac[i] = ac[i] + p0[i] + p1[i] + p2[i] + p3[i];
      k += 4;
    } else if (left >= 2) {
      const p1 = rows[k + 1];
      for (let i = 0; i < n; i++) ac[i] = ac[i] + p0[i] + p1[i];
      k += 2;
    } else {
      for (let i = 0; i < n; i++) ac[i] += p0[i];
      k += 1;
    }
  }
}

/** Zeros frames [from, to) of each buffer (nothing when from >= to). */
function zeroFrom(bufs: readonly Float32Array[], from: number, to: number): void {
  if (from < to) for (const ch of bufs) ch.fill(0, from, to);
}

/** y[0..n) = a[0..n) rounded to float32 (a bus's accumulator into its work buffer). */
function copyRounded(y: Float32Array, a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] = a[i];
}

/** Renders a plan to stereo float32 blocks. */
export class MixRenderer {
  private readonly states: NodeState[];
  private readonly srcBufs: Float32Array[][];
  /** With kernelMemory: the memory of srcBufs and the tracks' work buffers. */
  private readonly arena: KernelArena | null = null;
  private readonly srcActive: Uint8Array;
  private readonly stateById: NodeState[];
  private readonly maxBlock: number;
  private readonly groups: GroupState[];
  private readonly allGroups: number[];
  private readonly allSources: Uint8Array;
  private readonly masks = new WeakMap<readonly number[], Uint8Array>();
  private readonly sends = new GroupSendsWasm();
  /** Per accumulating node (bus, master): its accumulators and, per slot and channel, the partials adding into them in group order. */
  private readonly merges: { acc: Float64Array[]; rows: Float64Array[][][] }[];
  private readonly remote: ((r: number, n: number) => Promise<number>) | null;
  private readonly release: (() => void) | null;
  private readonly isFinite: ((source: number) => boolean) | null;
  // Shared scratch (float64, one block): post/pre-fader gains, send level, edge contribution.
  private readonly postL: Float64Array;
  private readonly postR: Float64Array;
  private readonly preL: Float64Array;
  private readonly preR: Float64Array;
  private readonly lev: Float64Array;
  private readonly eL: Float64Array;
  private readonly eR: Float64Array;
  // Control-rate sub-blocks (automated inserts) run on copies, so no subarray views are made per sub-block.
  private readonly sub: Float32Array[][];
  private readonly subSc: Float32Array[];
  private readonly preroll: Float32Array[];
  private done = 0;
  private prerolled = false;
  /** Non-finite source samples replaced by 0 so far (by this renderer's own tracks). */
  nonFiniteSamples = 0;

  /**
   * @param plan compiled by compileSession (its processors are used and mutated by this renderer).
   * @param pull reads clip audio; see SourcePull.
   */
  constructor(readonly plan: RenderPlan, private readonly pull: SourcePull, opts: MixRendererOptions = {}) {
    const B = plan.maxBlockFrames;
    this.maxBlock = B;
    const f64 = () => new Float64Array(B);
    this.postL = f64(); this.postR = f64(); this.preL = f64(); this.preR = f64(); this.lev = f64(); this.eL = f64(); this.eR = f64();
    const c32 = () => new Float32Array(CONTROL_FRAMES);
    const s0 = c32();
    this.sub = [[], [s0], [s0, c32()]];
    this.subSc = [c32(), c32()];
    this.preroll = [new Float32Array(B), new Float32Array(B)];
    const groups = trackGroups(plan);
    const kernels = opts.kernelMemory ? wasmKernels() : null;
    if (kernels) {
      // The sends' scratch (sized by the groups) now, headroom for the rest.
      reserveSendScratch(Math.max(0, ...groups.map((g) => g.dests.length)), Math.max(0, ...groups.map((g) => g.tracks.length)), B);
      this.arena = new KernelArena(kernels, KERNEL_SCRATCH_BYTES);
    }
    const arena = this.arena;
    const plain = (channels: number) => Array.from({ length: channels }, () => new Float32Array(B));
    // Clips' and tracks' buffers: where the kernels work (the buses' stay plain).
    const buffers = arena ? (channels: number) => arena.planar(channels, B) : plain;
    this.srcBufs = plan.sources.map((s) => buffers(s.channels));
    this.srcActive = new Uint8Array(plan.sources.length);
    this.allSources = new Uint8Array(plan.sources.length).fill(1);
    this.remote = opts.renderGroups ?? null;
    this.release = opts.releaseGroups ?? null;
    this.isFinite = opts.isFiniteSource ?? null;
    this.allGroups = groups.map((_, g) => g);
    // Group memory views, per slot: partials first, then taps.
    const slots = Math.max(1, opts.slots ?? 1);
    const tapOf = new Map<number, Float32Array[][]>();
    const partials = groups.map((g, gi) => {
      const bytes = groupMemoryBytes(g, B);
      const mem = opts.groupMemory?.[gi] ?? new ArrayBuffer(slots * bytes);
      if (mem.byteLength < slots * bytes) throw new RangeError(`group memory ${gi} is too small`);
      for (const id of g.taps) tapOf.set(id, []);
      return Array.from({ length: slots }, (_, sl) => {
        const o = sl * bytes;
        const p = g.dests.map((_, d) => [new Float64Array(mem, o + (2 * d) * B * 8, B), new Float64Array(mem, o + (2 * d + 1) * B * 8, B)]);
        const base = o + g.dests.length * 2 * B * 8;
        g.taps.forEach((id, k) => tapOf.get(id)!.push([new Float32Array(mem, base + 2 * k * B * 4, B), new Float32Array(mem, base + (2 * k + 1) * B * 4, B)]));
        return p;
      });
    });
    const grouped = groups.length > 0;
    this.stateById = [];
    this.states = plan.nodes.map((node) => {
      const source = node.kind === 'track' ? plan.sources[node.source] : null;
      // A clip read by this track alone, without downmix, is read straight into the work buffers.
      const aliased = source !== null && source.tracks.length === 1 && source.downmix === null && source.channels === node.channels;
      const mute = node.muted ? 0 : 1;
      const pg = panGains(node.pan, plan.panLawDb, node.channels);
      const st: NodeState = {
        node,
        clip: plan.clips[node.id],
        source,
        work: aliased ? this.srcBufs[node.source] : (node.kind === 'track' ? buffers : plain)(node.channels),
        aliased,
        acc: node.kind === 'track' ? null : [f64(), f64()],
        tap: node.isSidechainSource ? (tapOf.get(node.id)?.[0] ?? [new Float32Array(B), new Float32Array(B)]) : null,
        edgeDest: [],
        tapSlots: tapOf.get(node.id) ?? [],
        edgeDestSlots: [],
        edgeDelays: node.edges.map((e) => (e.delayFrames > 0 ? new EdgeDelay(e.delayFrames, B) : null)),
        scDelays: node.sidechains.map((sc) => (sc && sc.delayFrames > 0 ? new SidechainDelay(sc.delayFrames, B) : null)),
        lanePatches: node.insertLanes.map((a) => ({ [a.param]: 0 })),
        lanesStarted: false,
        lead: node.kind === 'track' && node.insertLanes.length === 0 && node.sidechains.every((sc) => sc === null) ? 0 : 2,
        ran: false,
        constGains: !node.gainLane && !node.panLane,
        // Products in the order fader() always used: post = gain·(pan·mute).
        preGL: pg[0] * mute,
        preGR: pg[1] * mute,
        postGL: node.gain * (pg[0] * mute),
        postGR: node.gain * (pg[1] * mute),
        panLast: NaN,
        panGL: 0,
        panGR: 0,
      };
      this.stateById[node.id] = st;
      return st;
    });
    for (const st of this.states) st.edgeDest = st.node.edges.map((e) => this.stateById[e.to].acc!);
    this.groups = groups.map((group, gi) => {
      const tracks = group.tracks.map((id) => this.stateById[id]);
      for (const st of tracks) {
        st.edgeDestSlots = partials[gi].map((p) => st.node.edges.map((e) => p[group.dests.indexOf(e.to)]));
        st.edgeDest = st.edgeDestSlots[0];
      }
      return { group, tracks, partial: partials[gi], sub: subFrames(group.dests.length), sendTables: sendTables(group, tracks), paired: compressorPairs(tracks) };
    });
    this.merges = this.states.filter((st) => st.acc).map((st) => {
      const parts = this.groups.flatMap((gs) => gs.group.dests.flatMap((d, di) => (d === st.node.id ? [{ gs, di }] : [])));
      const slotCount = this.groups.length > 0 ? this.groups[0].partial.length : 0;
      const rows = Array.from({ length: slotCount }, (_, slot) => [0, 1].map((c) => parts.map(({ gs, di }) => gs.partial[slot][di][c])));
      return { acc: st.acc!, rows };
    });
    if (!grouped) this.remote = null;
  }

  /** The fixed track groups of this plan ([] when the tracks must run in plan order with the buses). */
  get trackGroups(): readonly TrackGroup[] {
    return this.groups.map((g) => g.group);
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

  /**
   * Renders track groups for render frames [r, r+n) into the group memory (their partials and taps):
   * what a worker thread does for the groups it owns. Calls must come in render order, every block once,
   * starting at r = 0 (the pre-roll included; see renderBlocks()), with the same `groups` array each time.
   * @param slot the group-memory slot to write.
   */
  async renderTrackGroups(r: number, n: number, groups: readonly number[], slot = 0): Promise<void> {
    if (!this.arena) return this.renderGroupsOnce(r, n, groups, slot);
    this.arena.renew();
    try {
      await this.renderGroupsOnce(r, n, groups, slot);
    } catch (e) {
      if (!this.arena.stale()) throw e;
    }
    // Something reserved more kernel scratch than the arena's headroom during the block: the tracks'
    // buffers went stale mid-block (a detached view reads as silence and ignores writes, or throws), so
    // this block cannot be trusted.
    if (this.arena.stale()) throw new Error('internal error: the WebAssembly kernels\' memory grew during a mix block (KernelArena headroom too small)');
  }

  private async renderGroupsOnce(r: number, n: number, groups: readonly number[], slot: number): Promise<void> {
    let mask = this.masks.get(groups);
    if (!mask) {
      mask = new Uint8Array(this.plan.sources.length);
      for (const g of groups) for (const st of this.groups[g].tracks) mask[st.node.source] = 1;
      this.masks.set(groups, mask);
    }
    const pulled = this.pullSources(r, n, mask);
    if (pulled) await pulled;
    for (const g of groups) {
      const gs = this.groups[g];
      const tracks = gs.tracks;
      // Clips, inserts and sidechain taps first (a tap must be ready before a later track's inserts read it),
      // then the edges, sub-block by sub-block.
      const paired = gs.paired;
      for (let k = 0; k < tracks.length; k++) {
        const st = tracks[k];
        st.edgeDest = st.edgeDestSlots[slot];
        if (st.tap) st.tap = st.tapSlots[slot];
        if (paired[k] === 0) {
          st.ran = this.runTrack(st, r, n, false);
          continue;
        }
        const mate = tracks[++k];
        mate.edgeDest = mate.edgeDestSlots[slot];
        if (mate.tap) mate.tap = mate.tapSlots[slot];
        this.runTrackPair(st, mate, r, n);
      }
      const partial = gs.partial[slot];
      const tables = gs.sendTables;
      if (tables && this.sends.begin(partial.length, tracks.length, n)) {
        for (let k = 0; k < tracks.length; k++) {
          const st = tracks[k];
          if (!st.ran) continue;
          const w = st.work;
          this.sends.add(w[0], w.length > 1 ? w[1] : w[0], tables[k], st.node.edges.length);
        }
        this.sends.end(partial, gs.sub);
        continue;
      }
      const sub = gs.sub;
      for (let s = 0; s < n; s += sub) {
        const e = Math.min(n, s + sub);
        for (let d = 0; d < partial.length; d++) { partial[d][0].fill(0, s, e); partial[d][1].fill(0, s, e); }
        for (let k = 0; k < tracks.length; k++) if (tracks[k].ran) this.sendOut(tracks[k], r, s, e);
      }
    }
  }

  /** Pulls every clip (of those in `mask`) overlapping render frames [r, r+n). */
  private pullSources(r: number, n: number, mask: Uint8Array): Promise<unknown> | null {
    const sources = this.plan.sources;
    let pending: Promise<void>[] | null = null;
    for (let s = 0; s < sources.length; s++) {
      if (!mask[s]) continue;
      const src = sources[s];
      const bufs = this.srcBufs[s];
      const a = Math.max(r, src.renderStart) - r;
      const b = Math.min(r + n, src.renderStart + src.clipFrames) - r;
      if (b <= a) {
        // (A track working in these buffers zero-fills them itself before its clip: see loadTrack.)
        if (this.srcActive[s]) for (const ch of bufs) ch.fill(0, 0, n);
        this.srcActive[s] = 0;
        continue;
      }
      this.srcActive[s] = 1;
      for (const ch of bufs) { ch.fill(0, 0, a); ch.fill(0, b, n); }
      const got = this.pull(s, bufs, a, b - a);
      // A clip that ends early (a shorter file) leaves zeros.
      if (typeof got === 'number') zeroFrom(bufs, a + got, b);
      else (pending ??= []).push(got.then((g) => zeroFrom(bufs, a + g, b)));
    }
    // Synchronous pulls (the workers' blocking readers) leave nothing to wait for.
    return pending ? Promise.all(pending) : null;
  }

  private async renderBlock(r: number, n: number, out: Float32Array[]): Promise<void> {
    const grouped = this.groups.length > 0;
    if (grouped) {
      let slot = 0;
      if (this.remote) slot = await this.remote(r, n);
      else await this.renderTrackGroups(r, n, this.allGroups, 0);
      for (const gs of this.groups) for (const st of gs.tracks) if (st.tap) st.tap = st.tapSlots[slot];
      // Partials into the destinations in group order (the one fixed summation order): each accumulator
      // element is (((0 + p0) + p1) + ...), the partials of up to four groups added in one pass.
      for (const m of this.merges) {
        for (let c = 0; c < 2; c++) sumRows(m.acc[c], m.rows[slot][c], n);
      }
    } else {
      for (const st of this.states) if (st.acc) { st.acc[0].fill(0, 0, n); st.acc[1].fill(0, 0, n); }
      const pulled = this.pullSources(r, n, this.allSources);
      if (pulled) await pulled;
    }
    for (const st of this.states) {
      const node = st.node;
      if (node.kind === 'track') {
        if (!grouped) this.runTrack(st, r, n, true);
        continue;
      }
      const acc = st.acc!;
      const w = st.work;
      for (let c = 0; c < 2; c++) copyRounded(w[c], acc[c], n);
      this.runInserts(st, r, n);
      if (node.kind === 'master') { this.masterOut(st, r, n, out); continue; }
      if (st.tap) this.writeTap(st, r, n);
      this.sendOut(st, r, 0, n);
    }
    if (grouped) this.release?.();
  }

  /**
   * One track for render frames [r, r+n): clip, inserts and sidechain tap; its edges too when `send` (else
   * the caller adds them, see sendOut). Returns whether the track produced work (false: it adds nothing).
   */
  private runTrack(st: NodeState, r: number, n: number, send: boolean): boolean {
    if (this.skipsBlock(st, r, n)) return false;
    this.loadTrack(st, r, n);
    this.runInserts(st, r, n);
    this.afterInserts(st, r, n);
    if (send) this.sendOut(st, r, 0, n);
    return true;
  }

  /**
   * runTrack() of two tracks that GroupState.paired pairs, their inserts in lockstep so that their
   * compressors run as one pair kernel (Compressor.processPair: the same bits as apart). Neither has
   * automated insert parameters or a sidechain, so the order of their inserts does not matter.
   */
  private runTrackPair(a: NodeState, b: NodeState, r: number, n: number): void {
    if (this.skipsBlock(a, r, n) || this.skipsBlock(b, r, n)) {
      a.ran = this.runTrack(a, r, n, false);
      b.ran = this.runTrack(b, r, n, false);
      return;
    }
    this.loadTrack(a, r, n);
    this.loadTrack(b, r, n);
    const ia = a.node.inserts, ib = b.node.inserts;
    for (let j = 0; j < ia.length; j++) {
      const x = ia[j], y = ib[j];
      if (x instanceof Compressor && y instanceof Compressor) Compressor.processPair(x, y, a.work, b.work, n);
      else {
        x.process(a.work, a.work, n);
        y.process(b.work, b.work, n);
      }
    }
    this.afterInserts(a, r, n);
    this.afterInserts(b, r, n);
    a.ran = true;
    b.ran = true;
  }

  /** Whether a track adds nothing in render frames [r, r+n) and runTrack() skips it. */
  private skipsBlock(st: NodeState, r: number, n: number): boolean {
    const node = st.node;
    if (this.srcActive[node.source] !== 1 && node.inserts.length === 0 && !st.tap && !hasDelay(st)) return true;
    // Leading silence: before its clip a track's inserts start from reset() and see zeros; once one such
    // block came out exactly zero, the rest of the lead-in would too (no automation or sidechain drives
    // them), so skip it. Not after the clip: tails (reverb, echo, release) are not provably over.
    return r + n <= st.source!.renderStart && st.lead === 1;
  }

  /** After a track's inserts: its leading-silence state and its sidechain tap. */
  private afterInserts(st: NodeState, r: number, n: number): void {
    // (Render frames only grow, so once the clip has started `beforeClip` never holds again.)
    const beforeClip = r + n <= st.source!.renderStart;
    if (st.lead === 0) st.lead = beforeClip && isZero(st.work, n) ? 1 : 2;
    if (st.tap) this.writeTap(st, r, n);
  }

  /** Copies the track's clip into its work buffers (or works in place): downmix, polarity, fades, non-finite → 0. */
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
    } else if (sign === 1 && this.isFinite !== null && this.isFinite(st.node.source)) {
      // Integer PCM is always finite, and 1·v is v: only a copy, or nothing when reading in place.
      if (!st.aliased) {
        for (let c = 0; c < w.length; c++) {
          const x = bufs[c];
          const y = w[c];
          for (let i = 0; i < n; i++) y[i] = x[i];
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
    // not depend on the block size. The value is the lane at the grid point starting the cell. Sidechains are
    // delayed once for the whole block (a delay line advances once per frame).
    let hasSc = false;
    for (let j = 0; j < ins.length; j++) if (node.sidechains[j]) { hasSc = true; break; }
    const scs = hasSc ? ins.map((_, j) => this.sidechainFor(st, j, n)) : null;
    const v = this.sub[w.length];
    const vsc = this.subSc;
    const lanes = node.insertLanes;
    let i = 0;
    while (i < n) {
      const tl = r + i - node.inputLatency;
      const phase = ((tl % CONTROL_FRAMES) + CONTROL_FRAMES) % CONTROL_FRAMES;
      const step = Math.min(n - i, CONTROL_FRAMES - phase);
      // Parameters change only at grid points (and at the very first sub-block), so a grid cell split by a
      // block boundary gets the same updates as a whole one.
      if (phase === 0 || !st.lanesStarted) {
        st.lanesStarted = true;
        for (let k = 0; k < lanes.length; k++) {
          const a = lanes[k];
          const patch = st.lanePatches[k];
          patch[a.param] = a.lane.valueAt(r + i - phase - node.insertInputLatency[a.insert]);
          ins[a.insert].setParams(patch);
        }
      }
      for (let c = 0; c < w.length; c++) { const x = w[c]; const y = v[c]; for (let k = 0; k < step; k++) y[k] = x[i + k]; }
      for (let j = 0; j < ins.length; j++) {
        const sc = scs ? scs[j] : undefined;
        if (sc) for (let c = 0; c < 2; c++) { const x = sc[c]; const y = vsc[c]; for (let k = 0; k < step; k++) y[k] = x[i + k]; }
        ins[j].process(v, v, step, sc ? vsc : undefined);
      }
      for (let c = 0; c < w.length; c++) { const x = v[c]; const y = w[c]; for (let k = 0; k < step; k++) y[i + k] = x[k]; }
      i += step;
    }
  }

  /**
   * Automated fader/pan: fills preL/preR/postL/postR[from, to) with the per-sample gains for render frames
   * r+from .. r+to−1 (pre = pan·mute, post = fader·pre, the products fader() has always used).
   */
  private fillGains(st: NodeState, r: number, from: number, to: number): void {
    const node = st.node;
    const t0 = r - node.outputLatency; // timeline frame of the fader's first sample
    const postL = this.postL;
    const postR = this.postR;
    const preL = this.preL;
    const preR = this.preR;
    const mute = node.muted ? 0 : 1;
    const len = to - from;
    if (node.panLane) {
      node.panLane.fill(preL, t0 + from, len, from);
      const law = this.plan.panLawDb;
      for (let i = from; i < to; i++) {
        const p = preL[i];
        if (p !== st.panLast) { const g = panGains(p, law, node.channels); st.panGL = g[0] * mute; st.panGR = g[1] * mute; st.panLast = p; }
        preL[i] = st.panGL;
        preR[i] = st.panGR;
      }
    } else {
      preL.fill(st.preGL, from, to);
      preR.fill(st.preGR, from, to);
    }
    if (node.gainLane) {
      node.gainLane.fill(postL, t0 + from, len, from);
      for (let i = from; i < to; i++) {
        const g = postL[i] * mute;
        postL[i] = g * preL[i];
        postR[i] = g * preR[i];
      }
    } else {
      const g = node.gain;
      for (let i = from; i < to; i++) { postL[i] = g * preL[i]; postR[i] = g * preR[i]; }
    }
  }

  /** The master's fader and pan: writes the output block. */
  private masterOut(st: NodeState, r: number, n: number, out: Float32Array[]): void {
    this.fillGains(st, r, 0, n);
    const xl = st.work[0];
    const xr = st.work[1];
    const postL = this.postL;
    const postR = this.postR;
    const ol = out[0];
    const or = out[1];
    for (let i = 0; i < n; i++) { ol[i] = xl[i] * postL[i]; or[i] = xr[i] * postR[i]; }
  }

  /** The post-fader tap a sidechain reads, for the whole block. */
  private writeTap(st: NodeState, r: number, n: number): void {
    const w = st.work;
    const xl = w[0];
    const xr = w.length > 1 ? w[1] : w[0];
    const tl = st.tap![0];
    const tr = st.tap![1];
    if (st.constGains) {
      const gl = st.postGL;
      const gr = st.postGR;
      for (let i = 0; i < n; i++) { tl[i] = xl[i] * gl; tr[i] = xr[i] * gr; }
      return;
    }
    this.fillGains(st, r, 0, n);
    const postL = this.postL;
    const postR = this.postR;
    for (let i = 0; i < n; i++) { tl[i] = xl[i] * postL[i]; tr[i] = xr[i] * postR[i]; }
  }

  /**
   * Fader, pan, sends for frames [from, to) of the block at render frame r: adds the node's contribution
   * (x·gain)·level to each edge destination, in edge order.
   */
  private sendOut(st: NodeState, r: number, from: number, to: number): void {
    if (st.constGains) { this.sendConstant(st, r, from, to); return; }
    this.fillGains(st, r, from, to);
    const node = st.node;
    const t0 = r - node.outputLatency;
    const postL = this.postL;
    const postR = this.postR;
    const preL = this.preL;
    const preR = this.preR;
    const w = st.work;
    const xl = w[0];
    const xr = w.length > 1 ? w[1] : w[0];
    const edges = node.edges;
    for (let e = 0; e < edges.length; e++) {
      const edge = edges[e];
      const gl = edge.preFader ? preL : postL;
      const gr = edge.preFader ? preR : postR;
      const dest = st.edgeDest[e];
      const delay = st.edgeDelays[e];
      const dl = delay ? this.eL : dest[0];
      const dr = delay ? this.eR : dest[1];
      if (delay) { dl.fill(0, from, to); dr.fill(0, from, to); }
      if (edge.levelLane) {
        const lev = this.lev;
        edge.levelLane.fill(lev, t0 + from, to - from, from);
        for (let i = from; i < to; i++) { dl[i] += xl[i] * gl[i] * lev[i]; dr[i] += xr[i] * gr[i] * lev[i]; }
      } else if (edge.level === 1) {
        for (let i = from; i < to; i++) { dl[i] += xl[i] * gl[i]; dr[i] += xr[i] * gr[i]; }
      } else {
        const lv = edge.level;
        for (let i = from; i < to; i++) { dl[i] += xl[i] * gl[i] * lv; dr[i] += xr[i] * gr[i] * lv; }
      }
      if (delay) delay.run(dl, dr, dest[0], dest[1], from, to);
    }
  }

  /**
   * sendOut() without pan or gain automation: the gains are constants, so no per-sample gain arrays. The
   * products keep sendOut()'s order ((x·gain)·level), so both paths give the same bits.
   */
  private sendConstant(st: NodeState, r: number, from: number, to: number): void {
    const node = st.node;
    const t0 = r - node.outputLatency;
    const preGL = st.preGL;
    const preGR = st.preGR;
    const postGL = st.postGL;
    const postGR = st.postGR;
    const w = st.work;
    const xl = w[0];
    const xr = w.length > 1 ? w[1] : w[0];
    const edges = node.edges;
    for (let e = 0; e < edges.length; e++) {
      const edge = edges[e];
      const gl = edge.preFader ? preGL : postGL;
      const gr = edge.preFader ? preGR : postGR;
      const dest = st.edgeDest[e];
      const delay = st.edgeDelays[e];
      // Three plain edges (constant level, no delay) in one pass: the work buffers are read once. Each
      // destination element still gets its adds in edge order, and (x·g)·1 is x·g, so the bits are the same.
      if (e + 2 < edges.length && !delay && !edge.levelLane && isPlain(st, e + 1) && isPlain(st, e + 2)) {
        const e1 = edges[e + 1];
        const e2 = edges[e + 2];
        const d1 = st.edgeDest[e + 1];
        const d2 = st.edgeDest[e + 2];
        const a0 = dest[0]; const b0 = dest[1]; const a1 = d1[0]; const b1 = d1[1]; const a2 = d2[0]; const b2 = d2[1];
        const l0 = edge.level; const l1 = e1.level; const l2 = e2.level;
        const gl1 = e1.preFader ? preGL : postGL; const gr1 = e1.preFader ? preGR : postGR;
        const gl2 = e2.preFader ? preGL : postGL; const gr2 = e2.preFader ? preGR : postGR;
        for (let i = from; i < to; i++) {
          const x = xl[i];
          const y = xr[i];
          a0[i] += x * gl * l0; b0[i] += y * gr * l0;
          a1[i] += x * gl1 * l1; b1[i] += y * gr1 * l1;
          a2[i] += x * gl2 * l2; b2[i] += y * gr2 * l2;
        }
        e += 2;
        continue;
      }
      const dl = delay ? this.eL : dest[0];
      const dr = delay ? this.eR : dest[1];
      if (delay) { dl.fill(0, from, to); dr.fill(0, from, to); }
      if (edge.levelLane) {
        const lev = this.lev;
        edge.levelLane.fill(lev, t0 + from, to - from, from);
        for (let i = from; i < to; i++) { dl[i] += xl[i] * gl * lev[i]; dr[i] += xr[i] * gr * lev[i]; }
      } else if (edge.level === 1) {
        for (let i = from; i < to; i++) { dl[i] += xl[i] * gl; dr[i] += xr[i] * gr; }
      } else {
        const lv = edge.level;
        for (let i = from; i < to; i++) { dl[i] += xl[i] * gl * lv; dr[i] += xr[i] * gr * lv; }
      }
      if (delay) delay.run(dl, dr, dest[0], dest[1], from, to);
    }
  }
}

/**
 * Which tracks of a group run in pairs (GroupState.paired): consecutive stereo tracks with as many inserts,
 * a compressor at the same place in both, and neither automated insert parameters nor sidechains.
 */
function compressorPairs(tracks: readonly NodeState[]): Uint8Array {
  const out = new Uint8Array(tracks.length);
  const plain = (st: NodeState) => st.node.channels === 2 && st.node.insertLanes.length === 0 && st.node.sidechains.every((s) => !s);
  for (let k = 0; k + 1 < tracks.length; k++) {
    const a = tracks[k], b = tracks[k + 1];
    if (plain(a) && plain(b) && a.node.inserts.length === b.node.inserts.length &&
      a.node.inserts.some((p, j) => p instanceof Compressor && b.node.inserts[j] instanceof Compressor)) {
      out[k] = 1;
      k++;
    }
  }
  return out;
}

/**
 * The group's per-track edge tables for the WebAssembly sends kernel (GroupState.sendTables), or null
 * when some track does not send at constant gains straight into its destinations (then sendOut runs).
 */
function sendTables(group: TrackGroup, tracks: readonly NodeState[]): Float64Array[] | null {
  const tables: Float64Array[] = [];
  for (const st of tracks) {
    const edges = st.node.edges;
    if (!st.constGains || edges.length > MAX_SEND_EDGES || st.work.length > 2) return null;
    const t = new Float64Array(4 * edges.length);
    for (let e = 0; e < edges.length; e++) {
      if (!isPlain(st, e)) return null;
      const edge = edges[e];
      t[4 * e] = group.dests.indexOf(edge.to);
      t[4 * e + 1] = edge.preFader ? st.preGL : st.postGL;
      t[4 * e + 2] = edge.preFader ? st.preGR : st.postGR;
      t[4 * e + 3] = edge.level;
    }
    tables.push(t);
  }
  return tables;
}

/** Whether edge e of a node adds straight into its destination at a constant level. */
function isPlain(st: NodeState, e: number): boolean {
  return st.edgeDelays[e] === null && st.node.edges[e].levelLane === null;
}

/** Whether some edge of the node has a latency-compensation delay. */
function hasDelay(st: NodeState): boolean {
  for (const d of st.edgeDelays) if (d !== null) return true;
  return false;
}

/** Whether every channel is exactly zero over [0, n). */
function isZero(w: readonly Float32Array[], n: number): boolean {
  for (const y of w) for (let i = 0; i < n; i++) if (y[i] !== 0) return false;
  return true;
}
