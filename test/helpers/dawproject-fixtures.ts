/** Small .dawproject fixtures for the import tests: project.xml text, float WAV stems, zipped with fflate. */
import { strToU8, zipSync, type Zippable } from 'fflate';
import { buildWav } from '../io/wav-fixtures.js';

/** A project.xml: `structure` goes in <Structure>, `lanes` in the arrangement's top <Lanes>. */
export function projectXml(opts: { structure: string; lanes?: string; version?: string; tempoBpm?: number | null; timeUnit?: 'beats' | 'seconds' }): string {
  const tempo = opts.tempoBpm === null ? '' : `<Transport><Tempo id="tempo" name="Tempo" unit="bpm" value="${opts.tempoBpm ?? 120}" min="20" max="666"/></Transport>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Project version="${opts.version ?? '1.0'}">
  <Application name="test" version="1"/>
  ${tempo}
  <Structure>${opts.structure}</Structure>
  <Arrangement id="arr"><Lanes timeUnit="${opts.timeUnit ?? 'beats'}" id="lanes0">${opts.lanes ?? ''}</Lanes></Arrangement>
</Project>`;
}

/** The master channel (id "mch") as a Track. */
export const MASTER_TRACK = `<Track contentType="audio notes" id="mtr" name="Master"><Channel role="master" audioChannels="2" id="mch" name="Master">
  <Volume id="mvol" name="Volume" unit="linear" value="1" min="0" max="2"/><Pan id="mpan" name="Pan" unit="normalized" value="0.5" min="0" max="1"/></Channel></Track>`;

/** An audio track "id" with its channel "<id>ch": volume (linear), pan (normalized), extra channel XML. */
export function audioTrack(id: string, name: string, o: { volume?: number; volumeUnit?: string; pan?: number; mute?: boolean; solo?: boolean; destination?: string; inner?: string; role?: string } = {}): string {
  return `<Track contentType="audio" id="${id}" name="${name}"><Channel role="${o.role ?? 'regular'}" audioChannels="2" id="${id}ch" destination="${o.destination ?? 'mch'}"${o.solo ? ' solo="true"' : ''}>
    ${o.inner ?? ''}
    <Mute id="${id}mute" value="${o.mute ? 'true' : 'false'}"/>
    <Pan id="${id}pan" unit="normalized" value="${o.pan ?? 0.5}" min="0" max="1"/>
    <Volume id="${id}vol" unit="${o.volumeUnit ?? 'linear'}" value="${o.volume ?? 1}" min="0" max="2"/>
  </Channel></Track>`;
}

/** An audio clip (Audio directly inside the clip). Times in the lane's unit unless the clip says otherwise. */
export function audioClip(path: string, o: { time?: number; duration?: number; playStart?: number; audioSeconds: number; attrs?: string; channels?: number }): string {
  return `<Clip time="${o.time ?? 0}"${o.duration !== undefined ? ` duration="${o.duration}"` : ''}${o.playStart !== undefined ? ` playStart="${o.playStart}"` : ''} ${o.attrs ?? ''}>
    <Audio timeUnit="seconds" duration="${o.audioSeconds}" sampleRate="48000" channels="${o.channels ?? 2}"><File path="${path}"/></Audio></Clip>`;
}

/** A track lane with clips and extra lanes (automation). */
export function trackLanes(trackId: string, clips: string, extra = ''): string {
  return `<Lanes track="${trackId}"><Clips>${clips}</Clips>${extra}</Lanes>`;
}

/** Float32 WAV bytes of planar channels. */
export function wavBytes(channels: Float32Array[], sampleRate = 48000): Uint8Array {
  const n = channels[0].length;
  const inter = new Float32Array(n * channels.length);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels.length; c++) inter[i * channels.length + c] = channels[c][i];
  return buildWav({ encoding: 'f32', channels: channels.length, sampleRate, samples: inter });
}

/** Zips project.xml (+ metadata.xml) and the given files. `level` 0 stores, else deflates. */
export function buildDawProject(xml: string, files: Record<string, Uint8Array> = {}, level: 0 | 6 = 6): Uint8Array {
  const z: Zippable = { 'project.xml': strToU8(xml), 'metadata.xml': strToU8('<?xml version="1.0"?><MetaData><Title>t</Title></MetaData>') };
  for (const [k, v] of Object.entries(files)) z[k] = v;
  return zipSync(z, { level });
}

/** Deterministic noise in [-amp, amp). */
export function noiseChannel(frames: number, amp: number, seed: number): Float32Array {
  const out = new Float32Array(frames);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < frames; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = amp * (s / 2 ** 31 - 1);
  }
  return out;
}
