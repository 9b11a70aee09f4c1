import { describe, expect, it } from 'vitest';
import { dawProjectToSession, DawProjectError } from '../../../src/core/mix/dawproject-import.js';
import { parseProjectXml } from '../../../src/io/dawproject-archive.js';
import { audioClip, audioTrack, MASTER_TRACK, projectXml, trackLanes } from '../../helpers/dawproject-fixtures.js';

const convert = (xml: string) => dawProjectToSession(parseProjectXml(xml, 'p.dawproject'));
const db = (lin: number) => 20 * Math.log10(lin);

describe('dawProjectToSession: levels and pans', () => {
  it('maps linear volume to dB, normalized pan to -1..1, mute and solo; master volume to the master fader', () => {
    const xml = projectXml({
      structure: MASTER_TRACK.replace('value="1" min="0" max="2"', 'value="0.25" min="0" max="2"')
        + audioTrack('t1', 'Bass', { volume: 0.5, pan: 0.25, mute: true })
        + audioTrack('t2', 'Keys', { volume: -4.5, volumeUnit: 'decibel', pan: 1, solo: true }),
      lanes: trackLanes('t1', audioClip('audio/bass.wav', { duration: 8, audioSeconds: 10 })) + trackLanes('t2', audioClip('audio/keys.wav', { duration: 8, audioSeconds: 10 })),
    });
    const { session, warnings, media } = convert(xml);
    const [bass, keys] = session.tracks;
    expect(bass.name).toBe('Bass');
    expect(bass.gainDb).toBe(db(0.5));
    expect(bass.gainDb).toBeCloseTo(-6.0206, 4);
    expect(bass.pan).toBe(-0.5);
    expect(bass.mute).toBe(true);
    expect(bass.solo).toBeUndefined();
    expect(keys.gainDb).toBe(-4.5);
    expect(keys.pan).toBe(1);
    expect(keys.solo).toBe(true);
    expect(bass.output).toBeUndefined(); // destination = master channel
    expect(session.master?.gainDb).toBe(db(0.25));
    expect(media.map((m) => [m.source, m.file])).toEqual([['audio/bass.wav', 'audio/bass.wav'], ['audio/keys.wav', 'audio/keys.wav']]);
    expect(warnings).toEqual([]);
  });

  it('volume 0 (silence) becomes -120 dB, the bottom of the session range', () => {
    const xml = projectXml({ structure: MASTER_TRACK + audioTrack('t1', 'A', { volume: 0 }), lanes: trackLanes('t1', audioClip('a.wav', { duration: 4, audioSeconds: 4 })) });
    expect(convert(xml).session.tracks[0].gainDb).toBe(-120);
  });
});

describe('dawProjectToSession: timeline', () => {
  it('converts beats to seconds with the tempo (time, duration, fades); playStart in seconds is the trim-in', () => {
    const bpm = 90;
    const spb = 60 / bpm;
    const xml = projectXml({
      tempoBpm: bpm, structure: MASTER_TRACK + audioTrack('t1', 'Vox'),
      lanes: trackLanes('t1', audioClip('v.wav', { time: 4, duration: 8, playStart: 0.5, audioSeconds: 30, attrs: 'contentTimeUnit="seconds" fadeTimeUnit="beats" fadeInTime="1" fadeOutTime="0.5"' })),
    });
    const { session, tempoBpm } = convert(xml);
    expect(tempoBpm).toBe(90);
    const t = session.tracks[0];
    expect(t.startSeconds).toBeCloseTo(4 * spb, 12);
    expect(t.trimInSeconds).toBeCloseTo(0.5, 12);
    expect(t.trimOutSeconds).toBeCloseTo(0.5 + 8 * spb, 12);
    expect(t.fadeInSeconds).toBeCloseTo(spb, 12);
    expect(t.fadeOutSeconds).toBeCloseTo(0.5 * spb, 12);
  });

  it('a clip playing to the end of its file has no trimOut; seconds lanes are not converted', () => {
    const xml = projectXml({ timeUnit: 'seconds', tempoBpm: 77, structure: MASTER_TRACK + audioTrack('t1', 'A'), lanes: trackLanes('t1', audioClip('a.wav', { time: 1.5, duration: 3, playStart: 1, audioSeconds: 4 })) });
    const t = convert(xml).session.tracks[0];
    expect(t.startSeconds).toBe(1.5);
    expect(t.trimInSeconds).toBe(1);
    expect(t.trimOutSeconds).toBeUndefined();
  });

  it('Warps that are 1:1 at the tempo are plain audio; stretched warps warn and play unstretched', () => {
    const warped = (end: number) => `<Clip time="2" duration="8" playStart="2"><Warps timeUnit="beats" contentTimeUnit="seconds">
      <Audio timeUnit="seconds" duration="10" sampleRate="48000" channels="2"><File path="w.wav"/></Audio>
      <Warp time="0" contentTime="0"/><Warp time="8" contentTime="${end}"/></Warps></Clip>`;
    const one = convert(projectXml({ tempoBpm: 120, structure: MASTER_TRACK + audioTrack('t1', 'A'), lanes: trackLanes('t1', warped(4)) }));
    expect(one.warnings).toEqual([]);
    expect(one.session.tracks[0].startSeconds).toBe(1);
    expect(one.session.tracks[0].trimInSeconds).toBe(1); // playStart 2 beats = 1 s into the file
    expect(one.session.tracks[0].trimOutSeconds).toBe(5);
    const stretched = convert(projectXml({ tempoBpm: 120, structure: MASTER_TRACK + audioTrack('t1', 'A'), lanes: trackLanes('t1', warped(6)) }));
    expect(stretched.warnings.some((w) => /time-stretch/.test(w))).toBe(true);
  });

  it('several clips on one track become several session tracks with the same mixer settings', () => {
    const xml = projectXml({
      tempoBpm: 120, structure: MASTER_TRACK + audioTrack('t1', 'Gtr', { volume: 0.5 }),
      lanes: trackLanes('t1', audioClip('g.wav', { time: 8, duration: 4, audioSeconds: 10 }) + audioClip('g.wav', { time: 0, duration: 4, audioSeconds: 10 })),
    });
    const { session, media } = convert(xml);
    expect(session.tracks.map((t) => [t.name, t.startSeconds, t.gainDb])).toEqual([['Gtr', 0, db(0.5)], ['Gtr clip 2', 4, db(0.5)]]);
    expect(media).toHaveLength(1);
  });
});

describe('dawProjectToSession: routing', () => {
  it('a send to an effect track becomes a send to a return bus (pre/post, level in dB); its devices are reported', () => {
    const fx = `<Track contentType="audio" id="fx" name="Reverb"><Channel role="effect" id="fxch" destination="mch">
      <Devices><Vst3Plugin deviceName="BigVerb" deviceRole="audioFX" id="dev1"/></Devices>
      <Volume id="fxvol" unit="linear" value="1"/></Channel></Track>`;
    const sends = `<Sends><Send destination="fxch" type="pre" id="s1"><Volume id="s1vol" unit="linear" value="0.25"/></Send>
      <Send destination="fxch" type="post" id="s2"><Volume id="s2vol" unit="decibel" value="-20"/></Send></Sends>`;
    const xml = projectXml({ structure: MASTER_TRACK + audioTrack('t1', 'Snare', { inner: sends }) + fx, lanes: trackLanes('t1', audioClip('s.wav', { duration: 4, audioSeconds: 4 })) });
    const { session, warnings } = convert(xml);
    expect(session.buses).toEqual([{ name: 'Reverb', gainDb: 0 }]);
    expect(session.tracks[0].sends).toEqual([{ bus: 'Reverb', levelDb: db(0.25), preFader: true }, { bus: 'Reverb', levelDb: -20 }]);
    expect(warnings.some((w) => w.includes('BigVerb') && w.includes('Reverb'))).toBe(true);
  });

  it('a group track becomes a bus its children are routed to (explicitly or by nesting)', () => {
    const group = `<Track contentType="tracks" id="g" name="Drums"><Channel role="submix" id="gch" destination="mch"><Volume id="gvol" unit="linear" value="0.5"/></Channel>
      ${audioTrack('k', 'Kick', { destination: 'gch' })}
      <Track contentType="audio" id="h" name="Hats"><Channel role="regular" id="hch"><Volume id="hvol" unit="linear" value="1"/></Channel></Track>
    </Track>`;
    const xml = projectXml({ structure: MASTER_TRACK + group, lanes: trackLanes('k', audioClip('k.wav', { duration: 4, audioSeconds: 4 })) + trackLanes('h', audioClip('h.wav', { duration: 4, audioSeconds: 4 })) });
    const { session } = convert(xml);
    expect(session.buses).toEqual([{ name: 'Drums', gainDb: db(0.5) }]);
    expect(session.tracks.map((t) => [t.name, t.output])).toEqual([['Kick', 'Drums'], ['Hats', 'Drums']]);
  });

  it('names stay unique and never "master"', () => {
    const xml = projectXml({
      structure: MASTER_TRACK + audioTrack('a', 'master') + audioTrack('b', 'Bass') + audioTrack('c', 'Bass'),
      lanes: ['a', 'b', 'c'].map((id) => trackLanes(id, audioClip(`${id}/x.wav`, { duration: 1, audioSeconds: 1 }))).join(''),
    });
    const { session, media } = convert(xml);
    expect(session.tracks.map((t) => t.name)).toEqual(['master 2', 'Bass', 'Bass 2']);
    expect(media.map((m) => m.file)).toEqual(['audio/x.wav', 'audio/x-2.wav', 'audio/x-3.wav']);
  });
});

describe('dawProjectToSession: automation', () => {
  it('volume points become gain breakpoints in dB at timeline seconds (linear in amplitude); hold is a step', () => {
    const pts = `<Points id="p1" unit="linear"><Target parameter="t1vol"/>
      <RealPoint time="0" value="0" interpolation="linear"/><RealPoint time="4" value="1" interpolation="hold"/><RealPoint time="8" value="0.5" interpolation="linear"/></Points>`;
    const pan = `<Points id="p2"><Target parameter="t1pan"/><RealPoint time="0" value="0"/><RealPoint time="2" value="1"/></Points>`;
    const xml = projectXml({ tempoBpm: 120, structure: MASTER_TRACK + audioTrack('t1', 'Pad'), lanes: trackLanes('t1', audioClip('p.wav', { duration: 16, audioSeconds: 8 }), pts + pan) });
    const { session, warnings } = convert(xml);
    expect(warnings).toEqual([]);
    expect(session.tracks[0].automation).toEqual({
      gainDb: [[0, -120], [2, 0], [4, 0], [4, db(0.5)]],
      pan: [[0, -1], [1, 1]],
    });
  });

  it('decibel volume points interpolate in dB (exponential curve); send levels are automated by index', () => {
    const fx = `<Channel role="effect" id="fxch" name="Delay"><Volume id="fxvol" unit="linear" value="1"/></Channel>`;
    const sends = `<Sends><Send destination="nowhere" id="s0"><Volume id="s0vol" unit="linear" value="1"/></Send><Send destination="fxch" id="s1"><Volume id="s1vol" unit="linear" value="1"/></Send></Sends>`;
    const pts = `<Points unit="decibel"><Target parameter="t1vol"/><RealPoint time="0" value="-30"/><RealPoint time="2" value="-6"/></Points>
      <Points><Target parameter="s1vol"/><RealPoint time="0" value="1"/><RealPoint time="2" value="0.1"/></Points>`;
    const xml = projectXml({ tempoBpm: 60, structure: MASTER_TRACK + audioTrack('t1', 'Lead', { inner: sends }) + fx, lanes: trackLanes('t1', audioClip('l.wav', { duration: 4, audioSeconds: 4 }), pts) });
    const { session, warnings } = convert(xml);
    expect(session.tracks[0].sends).toEqual([{ bus: 'Delay', levelDb: 0 }]);
    expect(session.tracks[0].automation).toEqual({
      gainDb: { curve: 'exponential', points: [[0, -30], [2, -6]] },
      'sends[0].levelDb': [[0, 0], [2, db(0.1)]],
    });
    expect(warnings.some((w) => w.includes('"nowhere" not found'))).toBe(true);
  });
});

describe('dawProjectToSession: what is not mapped', () => {
  it('warns about plug-ins, note tracks, mute automation, looping and clip automation (never silently)', () => {
    const inst = `<Track contentType="notes" id="n" name="Synth"><Channel role="regular" id="nch" destination="mch"><Devices><ClapPlugin deviceName="Synth1" deviceRole="instrument" id="d"/></Devices><Volume id="nvol" unit="linear" value="1"/></Channel></Track>`;
    const notes = `<Lanes track="n"><Clips><Clip time="0" duration="4"><Notes><Note time="0" duration="1" key="60" channel="0" vel="0.8"/></Notes></Clip></Clips></Lanes>`;
    const muteAuto = `<Points><Target parameter="t1mute"/><BoolPoint time="0" value="true"/></Points>`;
    const looped = audioClip('a.wav', { duration: 16, audioSeconds: 2, attrs: 'loopStart="0" loopEnd="4"' });
    const clipAuto = `<Clip time="16" duration="4"><Lanes><Points><Target parameter="t1vol"/><RealPoint time="0" value="1"/></Points>
      <Audio timeUnit="seconds" duration="2" sampleRate="48000" channels="2"><File path="a.wav"/></Audio></Lanes></Clip>`;
    const xml = projectXml({ structure: MASTER_TRACK + audioTrack('t1', 'Loop') + inst, lanes: trackLanes('t1', looped + clipAuto, muteAuto) + notes });
    const { session, warnings } = convert(xml);
    expect(session.tracks.map((t) => t.name)).toEqual(['Loop', 'Loop clip 2']);
    const has = (re: RegExp) => warnings.some((w) => re.test(w));
    expect(has(/Synth1/)).toBe(true);
    expect(has(/"Synth".*MIDI\/note/)).toBe(true);
    expect(has(/mute automation/)).toBe(true);
    expect(has(/looping/)).toBe(true);
    expect(has(/clip automation/)).toBe(true);
  });

  it('refuses an unsupported version, a wrong root and a project without audio', () => {
    expect(() => convert(projectXml({ version: '2.0', structure: MASTER_TRACK }))).toThrow(/unsupported DAWproject version 2\.0/);
    expect(() => convert('<Song/>')).toThrow(/expected <Project>/);
    expect(() => convert(projectXml({ structure: MASTER_TRACK + audioTrack('t1', 'Empty') }))).toThrow(DawProjectError);
  });
});

describe('dawProjectToSession: mono audio', () => {
  it('says that mono clips follow the session pan law', () => {
    const xml = projectXml({ structure: MASTER_TRACK + audioTrack('t1', 'Mono'), lanes: trackLanes('t1', audioClip('m.wav', { duration: 1, audioSeconds: 1, channels: 1 })) });
    expect(convert(xml).warnings).toEqual([expect.stringMatching(/pan law/)]);
  });
});

describe('dawProjectToSession: a group with audio of its own', () => {
  it('the group clip becomes a unity track routed into the group bus (which keeps the fader)', () => {
    const group = `<Track contentType="tracks audio" id="g" name="Folder"><Channel role="regular" id="gch" destination="mch"><Volume id="gvol" unit="linear" value="0.5"/></Channel>
      ${audioTrack('k', 'Kid', { destination: 'gch' })}</Track>`;
    const xml = projectXml({ structure: MASTER_TRACK + group, lanes: trackLanes('g', audioClip('f.wav', { duration: 2, audioSeconds: 4 })) + trackLanes('k', audioClip('k.wav', { duration: 2, audioSeconds: 4 })) });
    const { session } = convert(xml);
    expect(session.buses).toEqual([{ name: 'Folder', gainDb: db(0.5) }]);
    expect(session.tracks.map((t) => [t.name, t.output, t.gainDb])).toEqual([['Folder audio', 'Folder', undefined], ['Kid', 'Folder', 0]]);
  });
});

describe('dawProjectToSession: nested clips (Bitwig wraps every audio clip in an outer clip)', () => {
  it('the outer clip windows the inner one: position, trim and the fades at the audible edges', () => {
    // 120 bpm (0.5 s per beat). Outer: at beat 4 (2 s), 8 beats long (4 s), playStart 2 beats (1 s), fade-in 0.5 beat.
    // Inner: at content beat 0 (arrangement 1 s), 16 beats long, 1:1 warps, fade-in 1 beat at its own start (cut away).
    const clip = `<Clip time="4" duration="8" playStart="2" fadeTimeUnit="beats" fadeInTime="0.5" fadeOutTime="0" loopStart="0" loopEnd="8" name="outer">
      <Clips><Clip time="0" duration="16" contentTimeUnit="beats" playStart="0" fadeTimeUnit="beats" fadeInTime="1" fadeOutTime="0.25">
        <Warps contentTimeUnit="seconds" timeUnit="beats"><Audio algorithm="stretch" channels="2" duration="8" sampleRate="48000"><File path="audio/loop.wav"/></Audio>
          <Warp time="0" contentTime="0"/><Warp time="16" contentTime="8"/></Warps></Clip></Clips></Clip>`;
    const { session, warnings } = convert(projectXml({ tempoBpm: 120, structure: MASTER_TRACK + audioTrack('t1', 'Loop'), lanes: trackLanes('t1', clip) }));
    expect(warnings).toEqual([]);
    expect(session.tracks).toHaveLength(1);
    const t = session.tracks[0];
    expect(t.startSeconds).toBe(2);
    expect(t.trimInSeconds).toBe(1);
    expect(t.trimOutSeconds).toBe(5);
    expect(t.fadeInSeconds).toBe(0.25);
    expect(t.fadeOutSeconds).toBeUndefined(); // the inner clip's fade-out lies beyond the outer clip's end
  });
});
