/**
 * DAWproject (github.com/bitwig/dawproject, Project.xsd 1.x) → a mixmaster session. Pure: it reads the parsed
 * project.xml as an element tree and returns the session, the audio files it references (and the names they get
 * beside the session), and a warning for everything it could not map. Nothing is dropped silently.
 *
 * Mapping (DAWproject → session):
 *  - Channel role `regular` with audio clips → one session track per audio clip (a session track is one clip;
 *    every clip of a DAW track gets the same fader, pan, mute, solo, sends, output and automation, which sums
 *    to the same mix since the tracks carry no inserts). `effect` → a bus (return); `submix` and group tracks
 *    (a Track with child Tracks) → a bus the children route to (audio clips of the group itself become
 *    unity tracks into that bus); `master` → the session master.
 *  - Volume: unit `linear` → gainDb = 20·log10(v) (0.5 → −6.0206 dB), `decibel` as is; below −120 dB (silence)
 *    becomes −120 dB. Pan: `normalized` 0..1 (or any unit with min/max) → −1..1 (0.25 → −0.5).
 *  - Mute (BoolParameter) and `solo`; Channel `destination` → `output`; Send → `sends` (type pre → preFader,
 *    Volume → levelDb, destination → bus).
 *  - Clip time/duration in beats convert with the Transport tempo (60/bpm seconds per beat). playStart →
 *    trimInSeconds; duration → trimOutSeconds (omitted when the clip plays to the end of the file);
 *    fadeInTime/fadeOutTime → fades (fadeTimeUnit).
 *  - Points (RealPoint) on a channel's Volume / Pan / a send's Volume → automation `gainDb` / `pan` /
 *    `sends[i].levelDb`, times in timeline seconds. Linear volume points interpolate linearly in amplitude
 *    (the session's `linear` curve on a dB target does exactly that); decibel points interpolate linearly in dB
 *    (the session's `exponential` curve). `hold` points become steps (a repeated breakpoint time).
 * Nested clips (Bitwig wraps every audio clip in an outer clip) are flattened: the outer clip windows the inner.
 * Skipped with a warning: devices/plug-ins, time-stretch (Warps that are not 1:1 at the tempo: played unstretched),
 * MIDI/note content, looping, clip-local automation, the clip launcher, tempo automation, VCA
 * channels, send pans, mute automation, master pan.
 */
import { parseSession, MASTER, SessionError, type AutomationCurve, type Session, type SessionBus, type SessionSend, type SessionTrack } from './session-schema.js';

/** One element of the parsed project.xml: tag, attributes (strings), child elements in document order. */
export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

/** An audio file the session needs: where it is in the project, and its path relative to the session file. */
export interface DawMediaFile {
  /** Path as written in the project (inside the archive, or relative to the .dawproject file when external). */
  source: string;
  /** true: a file beside the .dawproject (FileReference external="true"); false: inside the archive. */
  external: boolean;
  /** Path relative to the session file, e.g. `audio/kick.wav`. */
  file: string;
}

export interface DawImportResult {
  session: Session;
  /** Every referenced audio file, once each. */
  media: DawMediaFile[];
  /** Everything not mapped, one sentence each. */
  warnings: string[];
  /** The tempo used to convert beats, bpm. */
  tempoBpm: number;
}

export interface DawImportOptions {
  /** Folder (relative to the session) the audio files are given names in; default `audio`. */
  audioDir?: string;
}

/** A project that cannot be imported at all (the caller adds the file name). */
export class DawProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DawProjectError';
  }
}

/** The DAWproject major version this importer reads. */
export const SUPPORTED_DAWPROJECT_MAJOR = 1;
/** Tempo when the project has none (the DAWproject default timeline unit is beats). */
export const DEFAULT_TEMPO_BPM = 120;
/** Levels below this (dB) are silence in the session's range. */
const MIN_DB = -120;
const MAX_DB = 24;
/** Warps whose seconds-per-beat match the tempo within this (seconds over the clip) count as unwarped. */
const WARP_TOLERANCE_SECONDS = 5e-4;

type TimeUnit = 'beats' | 'seconds';

const child = (el: XmlElement, tag: string) => el.children.find((c) => c.tag === tag);
const childrenOf = (el: XmlElement, tag: string) => el.children.filter((c) => c.tag === tag);
const num = (s: string | undefined): number | undefined => {
  if (s === undefined || s.trim() === '') return undefined;
  const x = Number(s);
  return Number.isFinite(x) ? x : undefined;
};
const isTrue = (s: string | undefined) => s === 'true' || s === '1';
const fmt = (x: number) => String(Math.round(x * 1000) / 1000);

/** Timeline element tags (Project.xsd: the choice inside lanes/clip/warps). */
const TIMELINES = new Set(['Timeline', 'Lanes', 'Notes', 'Clips', 'ClipSlot', 'markers', 'Markers', 'Warps', 'Audio', 'Video', 'Points']);

/** A mixer node as the importer sees it. */
interface MixNode {
  kind: 'track' | 'bus' | 'master' | 'skip';
  /** Session name (tracks: the base name of the clip tracks). */
  name: string;
  label: string;
  channel: XmlElement | null;
  /** Group bus the node sits in (Track nesting), when its channel names no destination. */
  parentBus: MixNode | null;
  clips: AudioClip[];
  noteClips: number;
  gainDb?: number;
  pan?: number;
  mute?: boolean;
  solo?: boolean;
  output?: string;
  sends: SessionSend[];
  /** Send element index in the Channel → index in `sends` (null: skipped). */
  sendIndex: (number | null)[];
  automation: Record<string, { curve: AutomationCurve; points: [number, number][] }>;
}

/** Where a clip's parent timeline sits and which part of it plays (arrangement seconds); the enclosing clips. */
interface ClipFrame {
  baseSeconds: number;
  winStart: number;
  winEnd: number;
  fades: { start: number; end: number; fadeIn: number; fadeOut: number }[];
}
const TOP_FRAME: ClipFrame = { baseSeconds: 0, winStart: 0, winEnd: Infinity, fades: [] };

interface AudioClip {
  startSeconds: number;
  trimInSeconds: number;
  trimOutSeconds?: number;
  fadeInSeconds?: number;
  fadeOutSeconds?: number;
  media: DawMediaFile;
}

/** A parameter an automation lane can target. */
interface ParamTarget {
  node: MixNode;
  kind: 'gain' | 'pan' | 'mute' | 'send';
  sendIndex?: number;
  param: XmlElement;
}

/**
 * Converts a parsed project.xml into a session.
 * @param project the root element (`Project`).
 * @throws DawProjectError when the project is not one (wrong root, unsupported version, no audio clips).
 */
export function dawProjectToSession(project: XmlElement, opts: DawImportOptions = {}): DawImportResult {
  if (project.tag !== 'Project') throw new DawProjectError(`project.xml: root element is <${project.tag}>, expected <Project>`);
  const version = project.attrs.version;
  const major = version === undefined ? NaN : Number(version.split('.')[0]);
  if (major !== SUPPORTED_DAWPROJECT_MAJOR) {
    throw new DawProjectError(`unsupported DAWproject version ${version ?? '(none)'} (supported: ${SUPPORTED_DAWPROJECT_MAJOR}.x)`);
  }
  const warnings: string[] = [];
  const warn = (m: string) => { if (!warnings.includes(m)) warnings.push(m); };
  const audioDir = (opts.audioDir ?? 'audio').replace(/\/+$/, '');

  // Every element with an id, for IDREFs (destinations, automation targets, alias clips).
  const byId = new Map<string, XmlElement>();
  const index = (el: XmlElement) => { if (el.attrs.id !== undefined) byId.set(el.attrs.id, el); el.children.forEach(index); };
  index(project);

  // Tempo.
  const tempoEl = child(project, 'Transport') && child(child(project, 'Transport')!, 'Tempo');
  let tempoBpm = num(tempoEl?.attrs.value) ?? DEFAULT_TEMPO_BPM;
  if (!(tempoBpm > 0)) { warn(`tempo ${tempoEl?.attrs.value} is not usable: ${DEFAULT_TEMPO_BPM} bpm assumed`); tempoBpm = DEFAULT_TEMPO_BPM; }
  let usedBeats = false;
  const toSeconds = (x: number, unit: TimeUnit) => {
    if (unit === 'seconds') return x;
    usedBeats = true;
    return (x * 60) / tempoBpm;
  };
  const unitOf = (el: XmlElement, inherited: TimeUnit): TimeUnit => (el.attrs.timeUnit === 'seconds' || el.attrs.timeUnit === 'beats' ? el.attrs.timeUnit : inherited);

  // ---- Structure: mixer nodes, by channel id and by track id.
  const names = new Set<string>([MASTER]);
  const uniqueName = (base: string) => {
    const b = base.trim() === '' ? 'track' : base.trim();
    let n = b;
    for (let k = 2; names.has(n.toLowerCase()); k++) n = `${b} ${k}`;
    names.add(n.toLowerCase());
    return n;
  };
  const nodes: MixNode[] = [];
  const byChannel = new Map<string, MixNode>();
  const byTrack = new Map<string, MixNode>();
  let masterNode: MixNode | null = null;
  const params = new Map<string, ParamTarget>();

  const addNode = (trackEl: XmlElement | null, channel: XmlElement | null, parentBus: MixNode | null, hasChildTracks: boolean): MixNode => {
    const label = trackEl?.attrs.name ?? channel?.attrs.name ?? `track ${nodes.length + 1}`;
    const role = channel?.attrs.role ?? 'regular';
    let kind: MixNode['kind'];
    if (role === 'master') kind = masterNode ? 'skip' : 'master';
    else if (role === 'effect' || role === 'submix' || hasChildTracks) kind = 'bus';
    else if (role === 'vca') kind = 'skip';
    else kind = 'track';
    if (role === 'vca') warn(`"${label}": VCA channel not supported: skipped`);
    if (role === 'master' && kind === 'skip') warn(`"${label}": a second master channel: skipped`);
    const node: MixNode = {
      kind, name: kind === 'master' ? MASTER : kind === 'skip' ? label : uniqueName(label), label, channel, parentBus,
      clips: [], noteClips: 0, sends: [], sendIndex: [], automation: {},
    };
    if (kind === 'master') masterNode = node;
    nodes.push(node);
    if (channel?.attrs.id !== undefined) byChannel.set(channel.attrs.id, node);
    if (trackEl?.attrs.id !== undefined) byTrack.set(trackEl.attrs.id, node);
    return node;
  };
  const walkTrack = (trackEl: XmlElement, parentBus: MixNode | null) => {
    const subTracks = childrenOf(trackEl, 'Track');
    const channel = child(trackEl, 'Channel') ?? null;
    let bus = parentBus;
    if (channel || subTracks.length === 0) {
      const node = addNode(trackEl, channel, parentBus, subTracks.length > 0);
      if (node.kind === 'bus') bus = node;
    } else {
      // A folder track without a mixer channel: its children keep the parent's routing.
      warn(`"${trackEl.attrs.name ?? 'folder'}": folder track without a channel: its tracks are imported, the folder is not`);
    }
    subTracks.forEach((t) => walkTrack(t, bus));
  };
  const structure = child(project, 'Structure');
  for (const el of structure?.children ?? []) {
    if (el.tag === 'Track') walkTrack(el, null);
    else if (el.tag === 'Channel') addNode(null, el, null, false);
  }

  // ---- Mixer settings of every node.
  const dbOf = (p: XmlElement, what: string, value = p.attrs.value): number | undefined => {
    const x = num(value);
    if (x === undefined) return undefined;
    const unit = p.attrs.unit ?? 'linear';
    let db: number;
    if (unit === 'linear') db = x > 0 ? 20 * Math.log10(x) : -Infinity;
    else if (unit === 'decibel') db = x;
    else { warn(`${what}: volume in unit "${unit}" not supported: 0 dB used`); return undefined; }
    if (db < MIN_DB) return MIN_DB;
    if (db > MAX_DB) { warn(`${what}: ${fmt(db)} dB is above ${MAX_DB} dB: limited to ${MAX_DB} dB`); return MAX_DB; }
    return db;
  };
  const panOf = (p: XmlElement, what: string, value = p.attrs.value): number | undefined => {
    const x = num(value);
    if (x === undefined) return undefined;
    const unit = p.attrs.unit ?? 'normalized';
    let lo = num(p.attrs.min);
    let hi = num(p.attrs.max);
    if (lo === undefined || hi === undefined || !(hi > lo)) {
      if (unit === 'normalized') { lo = 0; hi = 1; } else { warn(`${what}: pan in unit "${unit}" without a range not supported: centre used`); return undefined; }
    }
    const pan = -1 + (2 * (x - lo)) / (hi - lo);
    return Math.min(1, Math.max(-1, pan));
  };
  const busNameFor = (destId: string | undefined, from: MixNode, what: string): string | null | undefined => {
    // undefined: master (default); null: unknown
    if (destId === undefined) return from.parentBus ? from.parentBus.name : undefined;
    const dest = byChannel.get(destId) ?? byTrack.get(destId);
    if (!dest) { warn(`${what}: destination "${destId}" not found: routed to master`); return null; }
    if (dest.kind === 'master') return undefined;
    if (dest.kind === 'bus' && dest !== from) return dest.name;
    warn(`${what}: destination "${dest.label}" is not a bus, effect or group channel: routed to master`);
    return null;
  };

  for (const node of nodes) {
    const ch = node.channel;
    if (node.kind === 'skip') continue;
    if (!ch) {
      if (node.parentBus) node.output = node.parentBus.name;
      continue;
    }
    const what = `"${node.label}"`;
    const devices = child(ch, 'Devices')?.children ?? [];
    if (devices.length > 0) {
      const list = devices.map((d) => d.attrs.deviceName ?? d.attrs.name ?? d.tag).join(', ');
      warn(node.kind === 'bus' && ch.attrs.role === 'effect'
        ? `${what}: effect return devices not imported (${list}): the return passes its input unprocessed`
        : `${what}: devices/plug-ins not imported (${list})`);
    }
    const vol = child(ch, 'Volume');
    if (vol) {
      node.gainDb = dbOf(vol, `${what} volume`);
      if (vol.attrs.id) params.set(vol.attrs.id, { node, kind: 'gain', param: vol });
    }
    const pan = child(ch, 'Pan');
    if (pan) {
      const p = panOf(pan, `${what} pan`);
      if (node.kind === 'master') { if (p !== undefined && Math.abs(p) > 1e-9) warn(`${what}: master pan ${fmt(p)} not supported (the session master has no pan): centre used`); }
      else node.pan = p;
      if (pan.attrs.id) params.set(pan.attrs.id, { node, kind: 'pan', param: pan });
    }
    const mute = child(ch, 'Mute');
    if (mute) {
      if (isTrue(mute.attrs.value)) {
        if (node.kind === 'master') warn(`${what}: master mute not supported: ignored`);
        else node.mute = true;
      }
      if (mute.attrs.id) params.set(mute.attrs.id, { node, kind: 'mute', param: mute });
    }
    if (isTrue(ch.attrs.solo)) {
      if (node.kind === 'track') node.solo = true;
      else warn(`${what}: solo on a ${node.kind === 'master' ? 'master' : 'bus'} channel not supported: ignored`);
    }
    if (node.kind !== 'master') {
      const out = busNameFor(ch.attrs.destination, node, `${what} output`);
      if (out) node.output = out;
    }
    const sends = child(ch, 'Sends') ? childrenOf(child(ch, 'Sends')!, 'Send') : [];
    sends.forEach((s) => {
      const sendWhat = `${what} send${s.attrs.name ? ` "${s.attrs.name}"` : ''}`;
      const skip = (why: string) => { warn(`${sendWhat}: ${why}: skipped`); node.sendIndex.push(null); };
      if (node.kind === 'master') return skip('sends from the master are not supported');
      const enable = child(s, 'Enable');
      if (enable && enable.attrs.value !== undefined && !isTrue(enable.attrs.value)) return skip('disabled');
      const dest = s.attrs.destination === undefined ? undefined : byChannel.get(s.attrs.destination) ?? byTrack.get(s.attrs.destination);
      if (!dest) return skip(`destination "${s.attrs.destination ?? '(none)'}" not found`);
      if (dest.kind !== 'bus' || dest === node) return skip(`destination "${dest.label}" is not an effect or group channel`);
      const sv = child(s, 'Volume');
      const send: SessionSend = { bus: dest.name, levelDb: sv ? dbOf(sv, `${sendWhat} level`) ?? 0 : 0 };
      if (s.attrs.type === 'pre') send.preFader = true;
      const sp = child(s, 'Pan');
      if (sp) {
        const p = panOf(sp, `${sendWhat} pan`);
        if (p !== undefined && Math.abs(p) > 1e-9) warn(`${sendWhat}: send pan ${fmt(p)} not supported: centre used`);
      }
      node.sendIndex.push(node.sends.length);
      if (sv?.attrs.id) params.set(sv.attrs.id, { node, kind: 'send', sendIndex: node.sends.length, param: sv });
      node.sends.push(send);
    });
  }

  // ---- Media names: audio/<file name>, unique (case-insensitively), safe characters only.
  const media = new Map<string, DawMediaFile>();
  const fileNames = new Set<string>();
  const mediaFor = (fileRef: XmlElement): DawMediaFile | null => {
    const source = fileRef.attrs.path;
    if (source === undefined || source === '') return null;
    const external = isTrue(fileRef.attrs.external);
    const key = `${external ? 'x' : 'z'}:${source}`;
    const known = media.get(key);
    if (known) return known;
    const base = source.split(/[\\/]/).pop()!.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^\.+/, '_') || 'audio';
    const dot = base.lastIndexOf('.');
    const stem = dot > 0 ? base.slice(0, dot) : base;
    const ext = dot > 0 ? base.slice(dot) : '';
    let name = base;
    for (let k = 2; fileNames.has(name.toLowerCase()); k++) name = `${stem}-${k}${ext}`;
    fileNames.add(name.toLowerCase());
    const m = { source, external, file: `${audioDir}/${name}` };
    media.set(key, m);
    return m;
  };

  // ---- Arrangement: clips and automation.
  const nodeOfTrack = (trackId: string | undefined): MixNode | undefined => (trackId === undefined ? undefined : byTrack.get(trackId) ?? byChannel.get(trackId));

  /**
   * One clip, in a frame: `baseSeconds` is where time 0 of the parent timeline sits on the arrangement, and only
   * [winStart, winEnd) (arrangement seconds) of it plays (an enclosing clip's visible part). Bitwig nests
   * every audio clip in an outer clip (Clip > Clips > Clip > Warps > Audio), so nesting is followed.
   */
  const clipOf = (clip: XmlElement, parentUnit: TimeUnit, node: MixNode | undefined, frame: ClipFrame) => {
    const nested = frame.fades.length > 0;
    const where = `"${node?.label ?? 'unassigned lane'}" clip${clip.attrs.name ? ` "${clip.attrs.name}"` : ''} at ${clip.attrs.time ?? '?'} ${parentUnit}${nested ? ' (nested)' : ''}`;
    let content = clip.children.find((c) => TIMELINES.has(c.tag));
    if (!content && clip.attrs.reference !== undefined) content = byId.get(clip.attrs.reference);
    if (!content) { warn(`${where}: no content: skipped`); return; }
    if (content.tag === 'Lanes') {
      const inner = content.children.find((c) => c.tag === 'Audio' || c.tag === 'Warps' || c.tag === 'Clips');
      const others = content.children.filter((c) => c !== inner);
      if (others.some((c) => c.tag === 'Points')) warn(`${where}: clip automation not supported: skipped`);
      if (others.some((c) => c.tag !== 'Points')) warn(`${where}: extra clip lanes (${others.filter((c) => c.tag !== 'Points').map((c) => c.tag).join(', ')}) not supported: skipped`);
      if (!inner) {
        if (others.some((c) => c.tag === 'Notes')) { if (node) node.noteClips++; }
        return;
      }
      content = { ...inner, attrs: { ...inner.attrs, timeUnit: inner.attrs.timeUnit ?? content.attrs.timeUnit ?? '' } };
    }
    if (content.tag === 'Notes') { if (node) node.noteClips++; else warn(`${where}: note clip skipped`); return; }
    if (content.tag !== 'Audio' && content.tag !== 'Warps' && content.tag !== 'Clips') { warn(`${where}: ${content.tag} content not supported: skipped`); return; }
    if (clip.attrs.enable !== undefined && !isTrue(clip.attrs.enable)) { warn(`${where}: disabled clip skipped`); return; }

    const contentUnit: TimeUnit = clip.attrs.contentTimeUnit === 'seconds' || clip.attrs.contentTimeUnit === 'beats'
      ? clip.attrs.contentTimeUnit : unitOf(content, parentUnit);
    const clipStart = frame.baseSeconds + toSeconds(num(clip.attrs.time) ?? 0, parentUnit);
    const playStart = toSeconds(num(clip.attrs.playStart) ?? 0, contentUnit);
    const durAttr = num(clip.attrs.duration);
    let clipEnd = durAttr !== undefined ? clipStart + toSeconds(durAttr, parentUnit) : Infinity;
    // Arrangement time of content time 0.
    const contentBase = clipStart - playStart;
    const loopStart = num(clip.attrs.loopStart);
    const loopEnd = num(clip.attrs.loopEnd);
    if (loopStart !== undefined && loopEnd !== undefined && toSeconds(loopEnd - loopStart, contentUnit) + 1e-6 < clipEnd - clipStart) {
      warn(`${where}: clip looping not supported: played once`);
    }
    const fadeUnit: TimeUnit = clip.attrs.fadeTimeUnit === 'seconds' || clip.attrs.fadeTimeUnit === 'beats' ? clip.attrs.fadeTimeUnit : parentUnit;
    const fades = [...frame.fades, {
      start: clipStart, end: clipEnd, fadeIn: toSeconds(Math.max(0, num(clip.attrs.fadeInTime) ?? 0), fadeUnit), fadeOut: toSeconds(Math.max(0, num(clip.attrs.fadeOutTime) ?? 0), fadeUnit),
    }];

    if (content.tag === 'Clips') {
      const innerUnit = unitOf(content, contentUnit);
      const winStart = Math.max(frame.winStart, clipStart);
      const winEnd = Math.min(frame.winEnd, clipEnd);
      childrenOf(content, 'Clip').forEach((c) => clipOf(c, innerUnit, node, { baseSeconds: contentBase, winStart, winEnd, fades }));
      return;
    }
    if (!node) { warn(`${where}: audio clip on a lane without a track: skipped`); return; }
    if (node.kind !== 'track' && node.kind !== 'bus') { warn(`${where}: audio clip on a ${node.kind} channel not supported: skipped`); return; }

    // Content time → position in the audio file: Audio is seconds from the file start; Warps map their
    // time axis to the file (1:1 at the tempo unless stretched).
    let audio: XmlElement | undefined;
    let offsetSeconds = 0;
    if (content.tag === 'Audio') audio = content;
    else {
      audio = content.children.find((c) => c.tag === 'Audio');
      const warpUnit = unitOf(content, contentUnit);
      const cu: TimeUnit = content.attrs.contentTimeUnit === 'beats' ? 'beats' : 'seconds';
      const warps = childrenOf(content, 'Warp').map((w) => [toSeconds(num(w.attrs.time) ?? 0, warpUnit), toSeconds(num(w.attrs.contentTime) ?? 0, cu)] as const);
      if (warps.length > 0) {
        offsetSeconds = warps[0][1] - warps[0][0];
        const stretched = warps.some(([t, c]) => Math.abs(c - t - offsetSeconds) > WARP_TOLERANCE_SECONDS);
        if (stretched) warn(`${where}: time-stretch (warp markers) not supported: played at the original speed`);
      }
    }
    if (!audio) { warn(`${where}: warps without audio: skipped`); return; }
    const fileRef = child(audio, 'File');
    const m = fileRef && mediaFor(fileRef);
    if (!m) { warn(`${where}: audio without a file path: skipped`); return; }
    const audioSeconds = num(audio.attrs.duration);
    if (audio.attrs.channels === '1') warn('mono audio is panned with the session pan law (panLawDb, default -3 dB at centre): check it matches the source DAW');
    if (!Number.isFinite(clipEnd) && audioSeconds !== undefined) clipEnd = contentBase + audioSeconds - offsetSeconds;

    const visStart = Math.max(frame.winStart, clipStart);
    const visEnd = Math.min(frame.winEnd, clipEnd);
    let start = visStart;
    let trimIn = visStart - contentBase + offsetSeconds;
    let dur = visEnd - visStart;
    if (trimIn < 0) { start -= trimIn; dur += trimIn; trimIn = 0; }
    if (!(dur > 0)) {
      if (!nested) warn(`${where}: nothing of the clip is audible: skipped`);
      return; // a nested clip outside its parent's window is not heard in the DAW either
    }
    const c: AudioClip = { startSeconds: start, trimInSeconds: trimIn, media: m };
    const end = trimIn + dur;
    if (Number.isFinite(end) && (audioSeconds === undefined || end < audioSeconds - 1e-9)) c.trimOutSeconds = end;
    // Fades of every enclosing clip whose edge is the edge of what plays.
    const eps = 1e-9;
    const fadeIn = Math.max(0, ...fades.filter((f) => Math.abs(f.start - start) < eps).map((f) => f.fadeIn));
    const fadeOut = Math.max(0, ...fades.filter((f) => Math.abs(f.end - (start + dur)) < eps).map((f) => f.fadeOut));
    if (fadeIn > 0) c.fadeInSeconds = fadeIn;
    if (fadeOut > 0) c.fadeOutSeconds = fadeOut;
    node.clips.push(c);
  };

  const pointsOf = (el: XmlElement, unit: TimeUnit) => {
    const targetEl = child(el, 'Target');
    const paramId = targetEl?.attrs.parameter ?? el.attrs.parameter;
    const param = paramId === undefined ? undefined : params.get(paramId);
    const paramEl = paramId === undefined ? undefined : byId.get(paramId);
    const label = paramEl ? `${paramEl.attrs.name ?? paramEl.tag}${paramId ? ` (${paramId})` : ''}` : targetEl?.attrs.expression ?? paramId ?? '(no target)';
    if (paramEl && paramEl === tempoEl) {
      if (new Set(el.children.filter((c) => c.tag === 'RealPoint').map((c) => c.attrs.value)).size > 1) warn(`tempo automation not supported: constant ${fmt(tempoBpm)} bpm used`);
      return;
    }
    if (!param) { warn(`automation of ${label} not supported: skipped`); return; }
    const node = param.node;
    const what = `"${node.label}"`;
    if (param.kind === 'mute') { warn(`${what}: mute automation not supported: skipped`); return; }
    if (param.kind === 'pan' && node.kind === 'master') { warn(`${what}: master pan automation not supported: skipped`); return; }
    if (node.kind === 'skip') return;
    const unitEl = el.attrs.unit !== undefined ? { ...param.param, attrs: { ...param.param.attrs, unit: el.attrs.unit } } : param.param;
    const raw: { t: number; v: number; hold: boolean }[] = [];
    for (const p of el.children) {
      if (p.tag !== 'RealPoint') { if (p.tag.endsWith('Point')) warn(`${what}: ${p.tag} automation points not supported: skipped`); continue; }
      const t = num(p.attrs.time);
      const v = param.kind === 'pan' ? panOf(unitEl, `${what} pan automation`, p.attrs.value) : dbOf(unitEl, `${what} automation`, p.attrs.value);
      if (t === undefined || v === undefined) { warn(`${what}: automation point with a bad time or value skipped`); continue; }
      raw.push({ t: Math.max(0, toSeconds(t, unit)), v, hold: p.attrs.interpolation === 'hold' });
    }
    if (raw.length === 0) return;
    raw.sort((a, b) => a.t - b.t);
    const pts: [number, number][] = [];
    raw.forEach((p, i) => {
      pts.push([p.t, p.v]);
      // hold: the value stays until the next point, then jumps (a repeated breakpoint time is a step).
      if (p.hold && i + 1 < raw.length && raw[i + 1].t > p.t) pts.push([raw[i + 1].t, p.v]);
    });
    const curve: AutomationCurve = param.kind !== 'pan' && (unitEl.attrs.unit ?? 'linear') === 'decibel' ? 'exponential' : 'linear';
    let path: string;
    if (param.kind === 'gain') path = 'gainDb';
    else if (param.kind === 'pan') path = 'pan';
    else path = `sends[${param.sendIndex}].levelDb`;
    if (node.automation[path]) warn(`${what}: more than one automation lane for ${path}: the last one is used`);
    node.automation[path] = { curve, points: pts };
  };

  const walkLanes = (el: XmlElement, unit: TimeUnit, trackId: string | undefined) => {
    const u = unitOf(el, unit);
    const tid = el.attrs.track ?? trackId;
    switch (el.tag) {
      case 'Lanes': case 'Timeline':
        el.children.forEach((c) => walkLanes(c, u, tid));
        return;
      case 'Clips':
        childrenOf(el, 'Clip').forEach((c) => clipOf(c, u, nodeOfTrack(tid), TOP_FRAME));
        return;
      case 'Points':
        pointsOf(el, u);
        return;
      case 'Notes': {
        const n = nodeOfTrack(tid);
        if (n) n.noteClips++; else warn('note lane without a track skipped');
        return;
      }
      case 'ClipSlot':
        warn('clip launcher slots not supported: skipped');
        return;
      case 'Audio': case 'Warps':
        warn(`"${nodeOfTrack(tid)?.label ?? 'unassigned lane'}": audio outside a clip not supported: skipped`);
        return;
      case 'Video':
        warn('video not supported: skipped');
        return;
      default:
        return; // markers and unknown elements carry nothing for the mix
    }
  };
  const arrangement = child(project, 'Arrangement');
  if (arrangement) {
    const u = unitOf(arrangement, 'beats');
    for (const c of arrangement.children) {
      if (c.tag === 'TempoAutomation') {
        if (new Set(c.children.filter((p) => p.tag === 'RealPoint').map((p) => num(p.attrs.value))).size > 1) warn(`tempo automation not supported: constant ${fmt(tempoBpm)} bpm used`);
      } else if (c.tag === 'TimeSignatureAutomation' || c.tag === 'Markers') continue;
      else walkLanes(c, u, undefined);
    }
  }
  const scenes = child(project, 'Scenes');
  if (scenes && scenes.children.some((s) => s.children.length > 0)) warn('clip launcher scenes not supported: skipped');

  // ---- The session.
  const common = (n: MixNode) => {
    const o: Partial<SessionTrack> = {};
    if (n.gainDb !== undefined) o.gainDb = n.gainDb;
    if (n.pan !== undefined) o.pan = n.pan;
    if (n.mute) o.mute = true;
    if (n.sends.length > 0) o.sends = n.sends.map((s) => ({ ...s }));
    if (n.output !== undefined) o.output = n.output;
    if (Object.keys(n.automation).length > 0) {
      o.automation = {};
      for (const [k, lane] of Object.entries(n.automation)) o.automation[k] = lane.curve === 'linear' ? lane.points.map((p) => [p[0], p[1]] as [number, number]) : { curve: lane.curve, points: lane.points.map((p) => [p[0], p[1]] as [number, number]) };
    }
    return o;
  };
  const clipFields = (c: AudioClip) => {
    const t: Omit<SessionTrack, 'name'> = { file: c.media.file, startSeconds: c.startSeconds };
    if (c.trimInSeconds > 0) t.trimInSeconds = c.trimInSeconds;
    if (c.trimOutSeconds !== undefined) t.trimOutSeconds = c.trimOutSeconds;
    if (c.fadeInSeconds !== undefined) t.fadeInSeconds = c.fadeInSeconds;
    if (c.fadeOutSeconds !== undefined) t.fadeOutSeconds = c.fadeOutSeconds;
    return t;
  };
  const tracks: SessionTrack[] = [];
  const buses: SessionBus[] = [];
  for (const n of nodes) {
    if (n.kind === 'bus') {
      buses.push({ name: n.name, ...common(n) });
      // A group/return channel with audio of its own (e.g. a folder track with items): clip tracks at unity
      // routed into the bus, which applies the channel's fader, pan, sends and automation.
      n.clips.sort((a, b) => a.startSeconds - b.startSeconds);
      n.clips.forEach((c) => tracks.push({ name: uniqueName(`${n.name} audio`), ...clipFields(c), output: n.name }));
    }
    if (n.kind !== 'track') {
      if (n.noteClips > 0) warn(`"${n.label}": MIDI/note clips not supported: skipped`);
      continue;
    }
    if (n.noteClips > 0) warn(`"${n.label}": ${n.noteClips} MIDI/note clip${n.noteClips > 1 ? 's' : ''} not supported: skipped`);
    if (n.clips.length === 0) {
      if (n.noteClips === 0) warn(`"${n.label}": no audio clips: skipped`);
      continue;
    }
    n.clips.sort((a, b) => a.startSeconds - b.startSeconds);
    n.clips.forEach((c, i) => {
      const t: SessionTrack = { name: i === 0 ? n.name : uniqueName(`${n.name} clip ${i + 1}`), ...clipFields(c) };
      Object.assign(t, common(n));
      if (n.solo) t.solo = true;
      tracks.push(t);
    });
  }
  if (tracks.length === 0) throw new DawProjectError('no audio clips to import (only MIDI/note, empty or unsupported tracks)');
  if (usedBeats && tempoEl === undefined) warn(`no tempo in the project: beats converted at ${DEFAULT_TEMPO_BPM} bpm`);

  const data: Session = { tracks };
  if (buses.length > 0) data.buses = buses;
  const m = masterNode as MixNode | null;
  if (m) {
    const master: NonNullable<Session['master']> = {};
    if (m.gainDb !== undefined && m.gainDb !== 0) master.gainDb = m.gainDb;
    if (m.automation.gainDb) {
      const lane = m.automation.gainDb;
      master.automation = { gainDb: lane.curve === 'linear' ? lane.points : { curve: lane.curve, points: lane.points } };
    }
    if (Object.keys(master).length > 0) data.master = master;
  }
  // Only used media (clips that were skipped do not pull their files in).
  const used = new Set(tracks.map((t) => t.file));
  const mediaList = [...media.values()].filter((x) => used.has(x.file));
  let session: Session;
  try {
    session = parseSession(data, 'session');
  } catch (e) {
    // A mapping this importer should not produce; say where.
    if (e instanceof SessionError) throw new DawProjectError(`cannot build a valid session: ${e.message}`);
    throw e;
  }
  return { session, media: mediaList, warnings, tempoBpm };
}
