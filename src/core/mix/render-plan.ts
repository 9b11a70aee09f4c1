/**
 * Compiles a validated session into a render plan: the nodes (tracks, buses, master) in a processing order
 * where every node comes after everything that feeds it (outputs, sends and sidechains), the prepared
 * insert processors, the clips to read, and the latency-compensation delays.
 *
 * Latency model (frames): a node's input is aligned to `inputLatency`; its output (after the inserts) to
 * `outputLatency` = inputLatency + Σ insert latencies. Every path into a merge point (bus input, master) is
 * delayed by `dest.inputLatency − src.outputLatency`, where dest.inputLatency is the largest arriving
 * latency, so all arrive aligned (sends included: both pre- and post-fader taps sit after the inserts).
 * A sidechain is taken from the source's post-fader output and delayed to the latency at the consuming
 * insert; when the source is later than that, the consumer's input latency is raised instead (a track then
 * reads its clip later). The master's output latency is removed at the output: the renderer pre-rolls it.
 *
 * Sources wider than stereo are downmixed to stereo by their channel roles (ITU-R BS.775 downmix
 * coefficients: L/R 1, C and surrounds 1/√2 each, LFE dropped); a layout without known roles is rejected.
 */
import type { InsertSpec } from '../dsp/insert-catalog.js';
import { createInsert as catalogCreateInsert } from '../dsp/insert-catalog.js';
import type { ProcessSpec, Processor } from '../dsp/processor.js';
import { channelRolesFromMask, defaultChannelRoles, type ChannelRole } from '../audio/channel-layout.js';
import type { ValidationProblem } from '../dsp/param-schema.js';
import { AutomationLane } from './automation.js';
import {
  laneOf, MASTER, parseAutomationPath, SessionError, sidechainSource, targetRange,
  type AutomationLaneSpec, type Session, type SessionSend,
} from './session-schema.js';

/** What the compiler needs to know about each track's file (at the session rate). */
export interface SourceInfo {
  channels: number;
  /** Frames at the session rate (after resampling). */
  frames: number;
  channelMask?: number;
}

export type InsertFactory = (spec: InsertSpec, processSpec: ProcessSpec) => Processor<Record<string, unknown>, object>;

export interface CompileOptions {
  sampleRate: number;
  /** Largest block the renderer will process (frames); default 1024. */
  maxBlockFrames?: number;
  /** Creates prepared processors (default: the insert catalog). Tests inject fakes. */
  createInsert?: InsertFactory;
  /** The session file, for errors. */
  file?: string;
  /**
   * Create processors only for the nodes `nodes` accepts; every other insert becomes an inert placeholder
   * reporting `latencies[nodeId][insert]` frames, so the plan (order, latencies, edges) is the same as a
   * full compile's. For worker threads that render a few tracks of a plan compiled in full elsewhere.
   */
  only?: { nodes: (id: number) => boolean; latencies: readonly (readonly number[])[] };
  /**
   * Nodes whose processors will run elsewhere (mix workers build their own): their inserts become
   * placeholders with the latency of a processor made once per distinct insert spec and channel count
   * (which also validates it), instead of one prepared processor per insert.
   */
  latencyOnly?: (id: number) => boolean;
}

/** An insert that does nothing but report a latency (see CompileOptions.only): never processed. */
class PlaceholderInsert implements Processor<Record<string, unknown>, object> {
  constructor(readonly latencyFrames: number) {}
  prepare(): void {}
  reset(): void {}
  setParams(): void {}
  process(): void {}
  readMeters(): object { return {}; }
}

/** An edge into a merge point. */
export interface PlanEdge {
  /** Destination node id. */
  to: number;
  /** Linear level (send level; 1 for the main output). */
  level: number;
  preFader: boolean;
  /** Latency-compensation delay in frames. */
  delayFrames: number;
  /** Automation of the send level (amplitude), or null. */
  levelLane: AutomationLane | null;
}

export interface PlanSidechain {
  /** Source node id (its post-fader output). */
  from: number;
  delayFrames: number;
}

export interface PlanInsertAutomation {
  insert: number;
  param: string;
  lane: AutomationLane;
}

export interface PlanNode {
  id: number;
  kind: 'track' | 'bus' | 'master';
  name: string;
  /** Index in session.tracks / session.buses (0 for master). */
  index: number;
  /** Width of the insert chain: 1 (mono track) or 2. */
  channels: number;
  inserts: Processor<Record<string, unknown>, object>[];
  /** Sidechain route per insert, or null. */
  sidechains: (PlanSidechain | null)[];
  /** Latency at the input of each insert (frames, relative to the timeline). */
  insertInputLatency: number[];
  inputLatency: number;
  outputLatency: number;
  /** Linear fader gain (0 when muted or not soloed). */
  gain: number;
  /** Muted (or another track is soloed): silences the outputs, sends and sidechain tap. */
  muted: boolean;
  pan: number;
  gainLane: AutomationLane | null;
  panLane: AutomationLane | null;
  insertLanes: PlanInsertAutomation[];
  edges: PlanEdge[];
  /** Whether another node takes its output as a sidechain. */
  isSidechainSource: boolean;
  /** Tracks: the clip source id. */
  source: number;
}

/** A clip read from a file; tracks reading the same file at the same place share it. */
export interface PlanSource {
  file: string;
  channels: number;
  /** First timeline frame of the clip (where read position trimInFrame lands), plus the reader's delay. */
  renderStart: number;
  trimInFrame: number;
  clipFrames: number;
  /** 2×channels downmix matrix for sources wider than stereo, else null. */
  downmix: Float64Array | null;
  /** Tracks using it. */
  tracks: number[];
}

export interface TrackClip {
  startFrame: number;
  clipFrames: number;
  fadeInFrames: number;
  fadeOutFrames: number;
  invert: boolean;
}

export interface RenderPlan {
  sampleRate: number;
  maxBlockFrames: number;
  panLawDb: number;
  /** Nodes in processing order; the last is the master. */
  nodes: PlanNode[];
  sources: PlanSource[];
  /** Per node id: the clip settings (tracks only). */
  clips: (TrackClip | null)[];
  /** Output length in frames (timeline end + tail). */
  outputFrames: number;
  /** The master's output latency, removed by pre-roll. */
  latencyFrames: number;
}

const INV_SQRT2 = Math.SQRT1_2;

/** Downmix gains [toLeft, toRight] for a channel role; null for roles we cannot place. */
function roleGains(role: ChannelRole): [number, number] | null {
  switch (role) {
    case 'L': return [1, 0];
    case 'R': return [0, 1];
    case 'C': case 'M': return [INV_SQRT2, INV_SQRT2];
    case 'LFE': return [0, 0];
    case 'Ls': case 'Lrs': return [INV_SQRT2, 0];
    case 'Rs': case 'Rrs': return [0, INV_SQRT2];
    default: return null;
  }
}

/** Strips the graph-level `sidechain.source` from an insert's params (the processor gets the rest). */
function processorSpec(spec: InsertSpec): InsertSpec {
  if (sidechainSource(spec) === undefined) return spec;
  const { source: _s, ...rest } = spec.sidechain as Record<string, unknown>;
  const out: InsertSpec = { ...spec };
  if (Object.keys(rest).length > 0) out.sidechain = rest;
  else delete out.sidechain;
  return out;
}

/**
 * Compiles a session (validated by parseSession) into a render plan, creating and preparing every insert.
 * @param sources one entry per session track, in order.
 * @throws SessionError for a routing cycle (naming it) or an unsupported channel layout.
 */
export function compileSession(session: Session, sources: readonly SourceInfo[], opts: CompileOptions): RenderPlan {
  const sr = opts.sampleRate;
  const maxBlockFrames = opts.maxBlockFrames ?? 1024;
  const make = opts.createInsert ?? catalogCreateInsert;
  const probed = new Map<string, number>();
  const probedLatency = (spec: InsertSpec, ps: ProcessSpec): number => {
    const key = `${ps.channels} ${JSON.stringify(spec)}`;
    let latency = probed.get(key);
    if (latency === undefined) probed.set(key, (latency = make(spec, ps).latencyFrames));
    return latency;
  };
  const file = opts.file ?? 'session';
  const buses = session.buses ?? [];
  const anySolo = session.tracks.some((t) => t.solo === true);

  // Node ids: tracks 0..T-1, buses T.., master last.
  const T = session.tracks.length;
  const masterId = T + buses.length;
  const idOf = new Map<string, number>();
  session.tracks.forEach((t, i) => idOf.set(t.name, i));
  buses.forEach((b, i) => idOf.set(b.name, T + i));
  idOf.set(MASTER, masterId);
  const pathOf = (id: number) => (id < T ? `tracks[${id}]` : id < masterId ? `buses[${id - T}]` : 'master');
  const nameOf = (id: number) => (id < T ? session.tracks[id].name : id < masterId ? buses[id - T].name : MASTER);
  const specOf = (id: number) => (id < T ? session.tracks[id] : id < masterId ? buses[id - T] : { ...session.master, output: undefined, sends: undefined, pan: undefined, mute: undefined });

  // Predecessors (feeding nodes) per node, in declaration order, with the field that makes the edge.
  const preds: { from: number; field: string }[][] = Array.from({ length: masterId + 1 }, () => []);
  for (let id = 0; id < masterId; id++) {
    const n = specOf(id) as { output?: string; sends?: SessionSend[] };
    preds[idOf.get(n.output ?? MASTER)!].push({ from: id, field: 'output' });
    (n.sends ?? []).forEach((s, j) => preds[idOf.get(s.bus)!].push({ from: id, field: `sends[${j}].bus` }));
  }
  for (let id = 0; id <= masterId; id++) {
    ((specOf(id) as { inserts?: InsertSpec[] }).inserts ?? []).forEach((ins, j) => {
      const src = sidechainSource(ins);
      if (src !== undefined) preds[id].push({ from: idOf.get(src)!, field: `inserts[${j}].sidechain.source` });
    });
  }

  // Depth-first topological order; a grey node met again closes a cycle, which we name.
  const state = new Uint8Array(masterId + 1); // 0 white, 1 grey, 2 black
  const order: number[] = [];
  const stack: { id: number; field: string }[] = [];
  const visit = (id: number, field: string): void => {
    if (state[id] === 2) return;
    if (state[id] === 1) {
      const start = stack.findIndex((s) => s.id === id);
      // The stack runs consumer -> feeder; a signal flows feeder -> consumer, so print it reversed,
      // starting at the first declared node of the cycle. Each entry's field is the one making its edge.
      const fieldOf = new Map(stack.slice(start + 1).map((s) => [s.id, s.field]));
      fieldOf.set(id, field);
      let cyc = stack.slice(start).map((s) => s.id).reverse();
      const k = cyc.indexOf(Math.min(...cyc));
      cyc = [...cyc.slice(k), ...cyc.slice(0, k)];
      const problem: ValidationProblem = { path: `${pathOf(cyc[0])}.${fieldOf.get(cyc[0])}`, message: `routing cycle: ${[...cyc, cyc[0]].map(nameOf).join(' -> ')}` };
      throw new SessionError(file, [problem]);
    }
    state[id] = 1;
    stack.push({ id, field });
    for (const p of preds[id]) visit(p.from, p.field);
    stack.pop();
    state[id] = 2;
    order.push(id);
  };
  for (let id = 0; id < masterId; id++) visit(id, 'output');
  visit(masterId, 'output');

  // Build nodes.
  const nodes: PlanNode[] = new Array(masterId + 1);
  const clips: (TrackClip | null)[] = new Array(masterId + 1).fill(null);
  for (let id = 0; id <= masterId; id++) {
    const kind = id < T ? 'track' : id < masterId ? 'bus' : 'master';
    const spec = specOf(id) as { gainDb?: number; pan?: number; mute?: boolean; solo?: boolean; inserts?: InsertSpec[]; automation?: Record<string, AutomationLaneSpec> };
    let channels = 2;
    if (kind === 'track') {
      const src = sources[id];
      channels = src.channels === 1 ? 1 : 2;
    }
    const processSpec: ProcessSpec = { sampleRate: sr, maxBlockFrames, channels };
    const insertSpecs = spec.inserts ?? [];
    const only = opts.only;
    const inserts = only && !only.nodes(id)
      ? insertSpecs.map((_, j) => new PlaceholderInsert(only.latencies[id][j]))
      : opts.latencyOnly?.(id)
        ? insertSpecs.map((s) => new PlaceholderInsert(probedLatency(processorSpec(s), processSpec)))
        : insertSpecs.map((s) => make(processorSpec(s), processSpec));
    const muted = spec.mute === true || (kind === 'track' && anySolo && spec.solo !== true);
    const node: PlanNode = {
      id, kind, name: nameOf(id), index: kind === 'track' ? id : kind === 'bus' ? id - T : 0, channels, inserts,
      sidechains: insertSpecs.map(() => null), insertInputLatency: [], inputLatency: 0, outputLatency: 0,
      gain: muted ? 0 : Math.pow(10, (spec.gainDb ?? 0) / 20), muted, pan: spec.pan ?? 0,
      gainLane: null, panLane: null, insertLanes: [], edges: [], isSidechainSource: false, source: -1,
    };
    const sendLanes = new Map<number, AutomationLane>();
    for (const [path, laneSpec] of Object.entries(spec.automation ?? {})) {
      const t = parseAutomationPath(path, spec, kind === 'master');
      if (typeof t === 'string') throw new SessionError(file, [{ path: `${pathOf(id)}.automation.${path}`, message: t }]);
      const { curve, points } = laneOf(laneSpec);
      const lane = new AutomationLane(points, curve, sr, targetRange(t).isDb);
      if (t.kind === 'gainDb') node.gainLane = lane;
      else if (t.kind === 'pan') node.panLane = lane;
      else if (t.kind === 'send') sendLanes.set(t.index, lane);
      else node.insertLanes.push({ insert: t.index, param: t.param, lane });
    }
    if (kind !== 'master') {
      const s = spec as { output?: string; sends?: SessionSend[] };
      node.edges.push({ to: idOf.get(s.output ?? MASTER)!, level: 1, preFader: false, delayFrames: 0, levelLane: null });
      (s.sends ?? []).forEach((snd, j) => node.edges.push({
        to: idOf.get(snd.bus)!, level: Math.pow(10, (snd.levelDb ?? 0) / 20), preFader: snd.preFader === true, delayFrames: 0, levelLane: sendLanes.get(j) ?? null,
      }));
    }
    insertSpecs.forEach((ins, j) => {
      const src = sidechainSource(ins);
      if (src !== undefined) node.sidechains[j] = { from: idOf.get(src)!, delayFrames: 0 };
    });
    nodes[id] = node;
  }

  // Latencies in processing order.
  const insertLatencies = (n: PlanNode) => n.inserts.map((p) => Math.max(0, Math.round(p.latencyFrames)));
  for (const id of order) {
    const n = nodes[id];
    let lin = 0;
    // Outputs and sends arrive at the input; sidechains are handled per insert below.
    for (const p of preds[id]) if (!p.field.startsWith('inserts')) lin = Math.max(lin, nodes[p.from].outputLatency);
    const lats = insertLatencies(n);
    let prefix = 0;
    lats.forEach((l, j) => {
      const sc = n.sidechains[j];
      if (sc) lin = Math.max(lin, nodes[sc.from].outputLatency - prefix);
      prefix += l;
    });
    n.inputLatency = lin;
    let acc = lin;
    n.insertInputLatency = lats.map((l) => { const a = acc; acc += l; return a; });
    n.outputLatency = acc;
    n.sidechains.forEach((sc, j) => {
      if (sc) { sc.delayFrames = n.insertInputLatency[j] - nodes[sc.from].outputLatency; nodes[sc.from].isSidechainSource = true; }
    });
  }
  for (const n of nodes) for (const e of n.edges) e.delayFrames = nodes[e.to].inputLatency - n.outputLatency;

  // Clips and shared sources.
  const sourceList: PlanSource[] = [];
  const byKey = new Map<string, number>();
  let end = 0;
  session.tracks.forEach((t, id) => {
    const info = sources[id];
    const trimIn = Math.round((t.trimInSeconds ?? 0) * sr);
    const trimOut = t.trimOutSeconds === undefined ? info.frames : Math.min(info.frames, Math.round(t.trimOutSeconds * sr));
    const clipFrames = Math.max(0, trimOut - trimIn);
    const startFrame = Math.round((t.startSeconds ?? 0) * sr);
    end = Math.max(end, startFrame + clipFrames);
    clips[id] = {
      startFrame, clipFrames, invert: t.invertPolarity === true,
      fadeInFrames: Math.min(clipFrames, Math.round((t.fadeInSeconds ?? 0) * sr)),
      fadeOutFrames: Math.min(clipFrames, Math.round((t.fadeOutSeconds ?? 0) * sr)),
    };
    let downmix: Float64Array | null = null;
    if (info.channels > 2) {
      const roles = info.channelMask ? channelRolesFromMask(info.channelMask, info.channels) : defaultChannelRoles(info.channels);
      downmix = new Float64Array(2 * info.channels);
      for (let c = 0; c < info.channels; c++) {
        const g = roleGains(roles[c]);
        if (!g) throw new SessionError(file, [{ path: `tracks[${id}].file`, message: `${t.file}: ${info.channels} channels without a known layout (mono, stereo, 3.0, quad, 5.0, 5.1, 7.1 are mixed down to stereo)` }]);
        downmix[c] = g[0];
        downmix[info.channels + c] = g[1];
      }
    }
    const renderStart = startFrame + nodes[id].inputLatency;
    const key = `${t.file}\u0000${renderStart}\u0000${trimIn}\u0000${clipFrames}`;
    let s = byKey.get(key);
    if (s === undefined) {
      s = sourceList.length;
      byKey.set(key, s);
      sourceList.push({ file: t.file, channels: info.channels, renderStart, trimInFrame: trimIn, clipFrames, downmix, tracks: [] });
    }
    sourceList[s].tracks.push(id);
    nodes[id].source = s;
  });

  const tail = Math.round((session.tailSeconds ?? 0) * sr);
  const orderedNodes = order.map((id) => nodes[id]);
  return {
    sampleRate: sr, maxBlockFrames, panLawDb: session.panLawDb ?? -3, nodes: orderedNodes, sources: sourceList, clips,
    outputFrames: end + tail, latencyFrames: nodes[masterId].outputLatency,
  };
}
