import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Analyzer } from '../../../../src/core/analysis/analyzer.js';
import type { AnalysisResult } from '../../../../src/core/analysis/analysis-result.js';
import { CREST_WEIGHT, decideBalance } from '../../../../src/core/mix/automix/balance.js';
import { detectRole, gmProgramFromName, nameTokens, roleFromName } from '../../../../src/core/mix/automix/detect-role.js';
import { GM_PROGRAMS } from '../../../../src/core/mix/automix/gm-programs.js';
import { DEFAULT_HIGHPASS_GUARD_DB, ROLE_NAMES } from '../../../../src/core/mix/automix/role-table.js';
import { planAutomix, type AutomixStemInput } from '../../../../src/core/mix/automix/plan-automix.js';
import { decideEq } from '../../../../src/core/mix/automix/masking-eq.js';
import { decidePanning } from '../../../../src/core/mix/automix/panning.js';
import { roleSpec } from '../../../../src/core/mix/automix/role-table.js';
import { automixSessionYaml } from '../../../../src/core/mix/automix/session-yaml.js';
import { stemFeatures } from '../../../../src/core/mix/automix/stem-features.js';
import { parseSession } from '../../../../src/core/mix/session-schema.js';

const FS = 48000;
const N = FS * 3;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2147483648 - 1; };
}

/** Synthetic stems: a bass (low saw-ish), a kick (decaying low sweep), hats (bright noise bursts), two mid "keys" tones, a lead. */
function makeStems(): { name: string; x: Float32Array }[] {
  const r = rng(7);
  const bass = new Float32Array(N), kick = new Float32Array(N), hats = new Float32Array(N), a = new Float32Array(N), b = new Float32Array(N), lead = new Float32Array(N);
  let lp = 0;
  for (let i = 0; i < N; i++) {
    const t = i / FS;
    bass[i] = 0.3 * (Math.sin(2 * Math.PI * 55 * t) + 0.5 * Math.sin(2 * Math.PI * 110 * t));
    const tb = (i % (FS / 2)) / FS;
    kick[i] = 0.8 * Math.exp(-tb * 12) * Math.sin(2 * Math.PI * (50 + 80 * Math.exp(-tb * 30)) * tb);
    const n = r();
    lp += 0.5 * (n - lp);
    hats[i] = 0.2 * Math.exp(-((i % (FS / 4)) / FS) * 40) * (n - lp);
    a[i] = 0.1 * (Math.sin(2 * Math.PI * 330 * t) + 0.3 * Math.sin(2 * Math.PI * 990 * t));
    b[i] = 0.1 * (Math.sin(2 * Math.PI * 523 * t) + 0.3 * Math.sin(2 * Math.PI * 1569 * t));
    lead[i] = 0.15 * (Math.sin(2 * Math.PI * 880 * t) + 0.5 * Math.sin(2 * Math.PI * 1760 * t) + 0.3 * Math.sin(2 * Math.PI * 2640 * t)) * (t % 1 < 0.7 ? 1 : 0);
  }
  return [{ name: 'Bass DI', x: bass }, { name: 'kick_in', x: kick }, { name: 'HiHat', x: hats }, { name: 'piano left', x: a }, { name: 'organ', x: b }, { name: 'synth lead', x: lead }];
}

function analyse(x: Float32Array, gain: number): AnalysisResult {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * gain;
  const an = new Analyzer({ sampleRate: FS, channels: 1 });
  an.push([y], y.length);
  return an.result();
}

const stems = makeStems();
const inputs = (gains: number[]): AutomixStemInput[] => stems.map((s, i) => ({ name: s.name, file: `stems/${s.name}.wav`, analysis: analyse(s.x, gains[i]) }));

describe('role detection', () => {
  it('tokenizes names and finds roles, compounds and table order first', () => {
    expect(nameTokens('ch01_lead_2_sawtooth.wav')).toEqual(['ch', '01', 'lead', '2', 'sawtooth']);
    expect(nameTokens('HiHatOpen')).toEqual(['hi', 'hat', 'open']);
    expect(roleFromName('ch03_electric_bass_finger')?.role).toBe('bass');
    expect(roleFromName('Lead Vocal')?.role).toBe('vocal');
    expect(roleFromName('bass drum')?.role).toBe('kick');
    expect(roleFromName('hi hat')?.role).toBe('hat');
    expect(roleFromName('ch12_flute')?.role).toBe('melody');
    expect(roleFromName('Lead Synth')?.role).toBe('lead');
    expect(roleFromName('string_ensemble_1')?.role).toBe('strings');
    expect(roleFromName('track 7')).toBeNull();
  });

  it('holds the 128 General MIDI programs in the standard order, each with a role of the table', () => {
    expect(GM_PROGRAMS.map((p) => p.program)).toEqual(Array.from({ length: 128 }, (_, i) => i + 1));
    expect(new Set(GM_PROGRAMS.map((p) => p.name)).size).toBe(128);
    // family leaders and a few others, by number, from the GM 1 sound set
    const named = (n: number) => GM_PROGRAMS[n - 1].name;
    expect([1, 9, 17, 25, 33, 41, 49, 57, 65, 73, 81, 89, 97, 105, 113, 121].map(named)).toEqual([
      'Acoustic Grand Piano', 'Celesta', 'Drawbar Organ', 'Acoustic Guitar (nylon)', 'Acoustic Bass', 'Violin',
      'String Ensemble 1', 'Trumpet', 'Soprano Sax', 'Piccolo', 'Lead 1 (square)', 'Pad 1 (new age)', 'FX 1 (rain)',
      'Sitar', 'Tinkle Bell', 'Guitar Fret Noise']);
    expect([54, 74, 88, 115, 128].map(named)).toEqual(['Voice Oohs', 'Flute', 'Lead 8 (bass + lead)', 'Steel Drums', 'Gunshot']);
    for (const p of GM_PROGRAMS) expect(ROLE_NAMES).toContain(p.role);
  });

  it('reads a General MIDI program name before role words: timbre names that mislead word matching', () => {
    const f = stemFeatures(analyse(stems[0].x, 1));
    const role = (n: string) => detectRole(n, f).role;
    // each of these gets a different role from the words alone (a vocal, backing vocals, drums, hat, guitar)
    expect(roleFromName('ch06_voice_oohs')?.role).toBe('vocal');
    expect(role('ch06_voice_oohs')).toBe('backing-vocal');
    expect(role('ch07_synth_voice')).toBe('pad');
    expect(role('ch06_lead_6_voice')).toBe('synth-lead');
    expect(role('ch12_pad_4_choir')).toBe('pad');
    expect(role('ch03_steel_drums')).toBe('plucked');
    expect(role('ch08_reverse_cymbal')).toBe('fx');
    expect(role('ch09_guitar_fret_noise')).toBe('fx');
    // names no role word matches
    expect(role('ch16_timpani')).toBe('percussion');
    expect(role('ch03_synthstrings_1')).toBe('strings');
    expect(role('SynthBrass2.wav')).toBe('brass');
    expect(role('ch11_seashore')).toBe('fx');
    // the longest GM name wins, and the evidence names the program
    expect(gmProgramFromName('ch08_lead_8_bass_lead')?.program).toBe(88);
    expect(detectRole('ch01_lead_2_sawtooth', f).evidence[0]).toBe('file name is General MIDI program 82 "Lead 2 (sawtooth)"');
    // names that are not GM programs keep the role words
    expect(gmProgramFromName('Lead Vocal')).toBeNull();
    expect(gmProgramFromName('Synth Bass')).toBeNull();
    expect(role('Lead Vocal')).toBe('vocal');
    expect(role('bass drum')).toBe('kick');
  });

  it('recognises a drum kit from its full-band spectrum, and no pitched stem as one', () => {
    // kick + snare (noise burst with a 180 Hz body) + hats, as one kit stem
    const kit = new Float32Array(N);
    const r = rng(11);
    for (let i = 0; i < N; i++) {
      const ts = ((i + FS / 4) % (FS / 2)) / FS;
      const snare = Math.exp(-ts * 25) * (0.6 * r() + 0.3 * Math.sin(2 * Math.PI * 180 * ts));
      kit[i] = stems[1].x[i] + snare + 2 * stems[2].x[i];
    }
    const f = stemFeatures(analyse(kit, 1));
    expect(f.bandwidthShare).toBeGreaterThanOrEqual(0.8);
    const d = detectRole('track 9', f);
    expect(d.role).toBe('drums');
    expect(d.evidence.join(' ')).toMatch(/full-band spectrum/);
    for (const s of stems) expect(detectRole('track', stemFeatures(analyse(s.x, 1))).role, s.name).not.toBe('drums');
  });

  it('tells a percussive pitched part from drums by its spectral flatness, and sustained noise is an effect', () => {
    // Piano-like: struck notes (fast decay, crest well over 16 dB) over four octaves, harmonics to 10 kHz;
    // crest, low share and spectral span alone call it drums.
    const piano = new Float32Array(N);
    const notes = [55, 82.4, 110, 164.8, 220, 329.6, 440, 659.3];
    for (let i = 0; i < N; i++) {
      const k = Math.floor(i / (FS / 4));
      const tb = (i % (FS / 4)) / FS;
      let v = 0;
      for (const hz of [notes[k % notes.length], notes[(k * 3 + 1) % notes.length]]) {
        for (let h = 1; h * hz < 10000; h++) v += Math.sin(2 * Math.PI * hz * h * tb) / h;
      }
      piano[i] = 0.1 * Math.exp(-tb * 14) * v;
    }
    const fp = stemFeatures(analyse(piano, 1));
    expect(fp.crestDb!).toBeGreaterThanOrEqual(16);
    expect(fp.flatnessDb!).toBeLessThan(-10);
    const dp = detectRole('track 2', fp);
    expect(['keys', 'lead', 'bass']).toContain(dp.role);
    expect(dp.evidence.join(' ')).toMatch(/flatness -\d+\.\d dB \(pitched\)/);
    // Steady filtered noise (rain, a riser's bed): noise-like, but no transients.
    const bed = new Float32Array(N);
    const r = rng(5);
    let lp = 0;
    for (let i = 0; i < N; i++) { lp += 0.3 * (r() - lp); bed[i] = 0.2 * lp; }
    const fb = stemFeatures(analyse(bed, 1));
    expect(fb.flatnessDb!).toBeGreaterThan(-7);
    expect(detectRole('track 5', fb).role).toBe('fx');
  });

  it('falls back on audio features when the name says nothing, with evidence', () => {
    const f = stemFeatures(analyse(stems[0].x, 1));
    const d = detectRole('track 1', f);
    expect(d.source).toBe('features');
    expect(d.role).toBe('bass');
    expect(d.evidence.join(' ')).toMatch(/low share/);
    const h = detectRole('track 3', stemFeatures(analyse(stems[2].x, 1)));
    expect(['hat', 'percussion']).toContain(h.role);
  });
});

describe('planAutomix', () => {
  const base = planAutomix(inputs([1, 1, 1, 1, 1, 1]));

  it('writes a valid session (through the YAML writer) with every stem', () => {
    const text = automixSessionYaml(base, ['test']);
    expect(text).toMatch(/# Bass DI: role bass/);
    const s = parseSession(parse(text), 'session.yaml');
    expect(s.tracks.map((t) => t.name)).toEqual(stems.map((x) => x.name));
    expect((s.tracks[0].inserts?.[0] as { type: string } | undefined)?.type).toBe('gain');
  });

  it('is invariant to input gains: only the trim moves, by exactly the scale', () => {
    const scales = [12, -9, 3.5, -12, 7, 0.5];
    const scaled = planAutomix(inputs(scales.map((db) => Math.pow(10, db / 20))));
    scaled.stems.forEach((d, i) => {
      expect(d.outputGainDb + scales[i] - base.stems[i].outputGainDb).toBeCloseTo(0, 1);
      expect(d.faderDb).toBeCloseTo(base.stems[i].faderDb, 1);
      expect(d.pan).toBe(base.stems[i].pan);
      expect(d.role.role).toBe(base.stems[i].role.role);
      expect(d.eq.bands).toEqual(base.stems[i].eq.bands);
      expect(d.compression.insert).toEqual(base.stems[i].compression.insert);
    });
  });

  it('balances by role and crest: targets follow the table plus the crest correction, summing to the mix target', () => {
    const lead = base.stems[5], bass = base.stems[0], hats = base.stems[2];
    expect([lead.role.role, bass.role.role, hats.role.role]).toEqual(['lead', 'bass', 'hat']);
    const crestTerm = -CREST_WEIGHT * (bass.features.crestDb! - hats.features.crestDb!);
    expect(Math.abs(crestTerm)).toBeGreaterThan(1); // a steady bass against hat bursts
    expect(bass.targetLufs! - hats.targetLufs!).toBeCloseTo(roleSpec('bass').levelLu - roleSpec('hat').levelLu + crestTerm, 5);
    expect(bass.balance.crestAdjustLu - hats.balance.crestAdjustLu).toBeCloseTo(crestTerm, 9);
    let p = 0;
    for (const s of base.stems) p += Math.pow(10, s.targetLufs! / 10);
    expect(10 * Math.log10(p)).toBeCloseTo(-20, 5);
  });

  it('centres low end and lead, high-passes roles without low end, never above the stem\'s own low end', () => {
    expect(base.stems[0].pan).toBe(0);
    expect(base.stems[1].pan).toBe(0);
    expect(base.stems[5].pan).toBe(0);
    expect(base.stems[2].eq.highpassHz).toBe(300);
    // The bass lives at 55 Hz: its 30 Hz role high-pass is lowered (or dropped).
    expect(base.stems[0].eq.highpassHz ?? 0).toBeLessThan(30);
  });

  it('keeps the high-pass an octave under the stem\'s lowest band within 24 dB of its loudest: body stays, rumble goes', () => {
    const bandsHz = [25, 50, 100, 200, 400, 1000];
    const guardOf = (role: string) => roleSpec(role).highpassGuardDb ?? DEFAULT_HIGHPASS_GUARD_DB;
    const hpWith = (at100: number) => decideEq([{ name: 'guitar', importance: 6, roleHighpassHz: 120, highpassGuardDb: guardOf('guitar'), bandsHz, bandLevelsDb: [-60, -60, at100, -8, -3, 0], mixLevelLu: -20 }])[0].highpassHz;
    expect(hpWith(-20)).toBe(50); // 20 dB down is the instrument's body: the corner goes an octave under it
    expect(hpWith(-30)).toBe(100); // 30 dB down is not: the 200 Hz band is the lowest that counts
    // A kit microphone's low end is mostly bleed: only bands within 12 dB hold the corner down.
    const hat = decideEq([{ name: 'hat', importance: 4, roleHighpassHz: 300, highpassGuardDb: guardOf('hat'), bandsHz, bandLevelsDb: [-60, -60, -20, -30, -10, 0], mixLevelLu: -20 }])[0];
    expect(hat.highpassHz).toBe(200);
  });

  it('removes a DC offset with a 10 Hz high-pass where no other high-pass would, judged relative to the stem (gain-invariant)', () => {
    // A sub bass at 25 Hz keeps no role high-pass (its own low end is there); a DC offset 20 dB under it gets one.
    const sub = (dc: number) => Float32Array.from({ length: N }, (_, i) => 0.3 * Math.sin(2 * Math.PI * 25 * i / FS) + dc);
    const eqFor = (dc: number, gain: number) => {
      const ins = inputs([1, 1, 1, 1, 1, 1]);
      ins[0] = { ...ins[0], name: 'sub bass', analysis: analyse(sub(dc), gain) };
      return planAutomix(ins).stems[0].eq;
    };
    expect(eqFor(0, 1).highpassHz).toBeNull();
    for (const gain of [1, 0.01]) {
      const eq = eqFor(0.03, gain);
      expect(eq.highpassHz).toBe(10);
      expect(eq.highpassReason).toMatch(/DC offset/);
    }
    // An offset more than 40 dB under the stem's loudness (-70 dBFS against about -24 LUFS) is left alone.
    expect(eqFor(0.0003, 1).highpassHz).toBeNull();
  });

  it('carves masking cuts only in the less important stem', () => {
    for (const s of base.stems) {
      for (const c of s.eq.cuts) {
        const other = base.stems.find((o) => o.name === c.against)!;
        expect(c.gainDb).toBeLessThan(0);
        expect(c.gainDb).toBeGreaterThanOrEqual(-3);
        expect(other.role.role).not.toBe(s.role.role);
      }
    }
  });
});

describe('role sharing and crest in the balance', () => {
  const db = (p: number) => 10 * Math.log10(p);
  const SHARE2 = db(2); // 3.0103 dB
  const stem = (role: string, part: number, crestDb: number | null = 12, active = true) => ({ role, roleLevelLu: roleSpec(role).levelLu, active, part, crestDb });

  it('splits a role among the takes of one part so their power sum is the role level; other parts and roles unchanged', () => {
    // Three guitar takes of one part (0), a second guitar part (3), two kick mics (5), snare, vocal.
    const input = [stem('guitar', 0), stem('guitar', 0), stem('guitar', 0), stem('guitar', 3), stem('bass', 4), stem('kick', 5), stem('kick', 5), stem('snare', 7), stem('vocal', 8)];
    const b = decideBalance(input);
    for (const i of [0, 1, 2]) { expect(b[i].levelLu).toBeCloseTo(roleSpec('guitar').levelLu - db(3), 9); expect(b[i].sharedBy).toBe(3); }
    expect(db(b.slice(0, 3).reduce((p, x) => p + Math.pow(10, x.levelLu / 10), 0))).toBeCloseTo(roleSpec('guitar').levelLu, 9);
    // Kit pieces are not pooled into one drum group: only the two kick mics split, the snare keeps its row.
    expect(b[5].levelLu - b[7].levelLu).toBeCloseTo(roleSpec('kick').levelLu - roleSpec('snare').levelLu - SHARE2, 9);
    for (const i of [3, 4, 7, 8]) { expect(b[i].levelLu).toBe(input[i].roleLevelLu); expect(b[i].sharedBy).toBe(1); }
    expect(b[0].reason).toMatch(/role guitar -1\.5 LU shared by 3 stems of one part \(-4\.8 dB each/);
  });

  it('does not count silent stems', () => {
    const b = decideBalance([stem('keys', 0), stem('keys', -1, null, false)]);
    expect(b[0].levelLu).toBe(roleSpec('keys').levelLu);
    expect(b[0].sharedBy).toBe(1);
    expect(b[1].sharedBy).toBe(0);
  });

  it('moves each stem by -CREST_WEIGHT per dB of crest against the mean of the active stems', () => {
    const crests = [8, 12, 19, 25];
    const input = [...crests.map((c, i) => stem('keys', i, c)), stem('keys', -1, null, false)];
    const b = decideBalance(input);
    const mean = (8 + 12 + 19 + 25) / 4;
    crests.forEach((c, i) => expect(b[i].crestAdjustLu).toBeCloseTo(-CREST_WEIGHT * (c - mean), 9));
    expect(b.slice(0, 4).reduce((s, x) => s + x.crestAdjustLu, 0)).toBeCloseTo(0, 9);
    expect(b[4].crestAdjustLu).toBe(0);
    expect(b[3].reason).toMatch(/crest 25\.0 dB against the mean 16\.0: -5\.9 LU/);
    // Weight 0: pure role levels.
    for (const x of decideBalance(input, 0)) expect(x.levelLu).toBe(roleSpec('keys').levelLu);
  });

  it('puts two files of one recording (an L/R pair) each 3.01 dB under a single stem of that role, in the plan and its YAML', () => {
    // Bass + one guitar, against bass + the same guitar recorded as two files (L / R, different gains).
    const g = stems[3].x;
    const one = planAutomix([
      { name: 'Bass DI', file: 'b.wav', analysis: analyse(stems[0].x, 1) },
      { name: 'guitar', file: 'g.wav', analysis: analyse(g, 1) },
    ], { crestWeight: 0 });
    const two = planAutomix([
      { name: 'Bass DI', file: 'b.wav', analysis: analyse(stems[0].x, 1) },
      { name: 'guitar L', file: 'gl.wav', analysis: analyse(g, 0.3) },
      { name: 'guitar R', file: 'gr.wav', analysis: analyse(g, 2) },
    ], { crestWeight: 0 });
    expect(two.stems.map((d) => d.role.role)).toEqual(['bass', 'guitar', 'guitar']);
    const rel1 = one.stems[1].targetLufs! - one.stems[0].targetLufs!;
    for (const k of [1, 2]) expect(two.stems[k].targetLufs! - two.stems[0].targetLufs!).toBeCloseTo(rel1 - SHARE2, 6);
    // Together the pair is as loud against the bass as the single guitar was.
    const pair = db(Math.pow(10, two.stems[1].targetLufs! / 10) + Math.pow(10, two.stems[2].targetLufs! / 10));
    expect(pair - two.stems[0].targetLufs!).toBeCloseTo(rel1, 6);
    expect(two.stems[0].balance.levelLu).toBe(roleSpec('bass').levelLu);
    const text = automixSessionYaml(two);
    expect(text).toMatch(/# balance: role guitar -1\.5 LU shared by 2 stems of one part \(-3\.0 dB each/);
    expect(text).toMatch(/# balance: role bass -2\.5 LU; -2\.5 LU/);
  });

  it('keeps two different parts of one role (piano and organ playing different rhythms) each at the role level', () => {
    const gated = (x: Float32Array, onS: number, periodS: number) => x.map((v, i) => ((i / FS) % periodS < onS ? v : 0));
    const p = planAutomix([
      { name: 'Bass DI', file: 'b.wav', analysis: analyse(stems[0].x, 1) },
      { name: 'piano', file: 'p.wav', analysis: analyse(gated(stems[3].x, 0.5, 1), 1) },
      { name: 'organ', file: 'o.wav', analysis: analyse(gated(stems[4].x, 0.7, 1.5), 0.2) },
    ], { crestWeight: 0 });
    expect(p.stems.map((d) => d.role.role)).toEqual(['bass', 'keys', 'keys']);
    for (const k of [1, 2]) {
      expect(p.stems[k].balance.sharedBy).toBe(1);
      expect(p.stems[k].targetLufs! - p.stems[0].targetLufs!).toBeCloseTo(roleSpec('keys').levelLu - roleSpec('bass').levelLu, 6);
    }
  });

  it('applies a user level override to the role', () => {
    const p = planAutomix(inputs([1, 1, 1, 1, 1, 1]), { levelLu: { keys: 2 }, crestWeight: 0 });
    expect(p.stems[3].balance.roleLevelLu).toBe(2);
    // piano and organ hold steady tones (flat envelopes): taken as one part, so the override is shared.
    expect(p.stems[3].balance.sharedBy).toBe(2);
    expect(p.stems[3].targetLufs! - p.stems[0].targetLufs!).toBeCloseTo(2 - SHARE2 - roleSpec('bass').levelLu, 6);
  });
});

describe('decidePanning', () => {
  it('spreads mono stems in symmetric pairs, darker nearer the centre; stereo stems keep their image', () => {
    const mk = (name: string, centroidHz: number, isStereo = false) => ({ name, policy: 'spread' as const, isStereo, correlation: isStereo ? 0.3 : 1, centroidHz, fileChannels: isStereo ? 2 : 1, weight: 1 });
    const { pans, mono } = decidePanning([mk('a', 300), mk('b', 2000), mk('c', 400), mk('d', 2500), mk('pad', 800, true)], -3);
    expect(pans[0].pan).toBeCloseTo(-pans[2].pan, 6);
    expect(pans[1].pan).toBeCloseTo(-pans[3].pan, 6);
    expect(Math.abs(pans[1].pan)).toBeGreaterThan(Math.abs(pans[0].pan));
    expect(pans[4].pan).toBe(0);
    expect(mono.ok).toBe(true);
    expect(pans[0].panLossDb).toBeCloseTo(0, 6); // −3 dB law keeps a mono source's power
  });

  it('keeps the placement of a two-channel file even when its channels are one image (dual or panned mono)', () => {
    const mk = (name: string, centroidHz: number, fileChannels: number) => ({ name, policy: 'spread' as const, isStereo: false, correlation: 1, centroidHz, fileChannels, weight: 1 });
    const { pans } = decidePanning([mk('a', 300, 1), mk('dual', 1000, 2), mk('b', 2000, 1), mk('c', 2500, 1)], -3);
    expect(pans[1].pan).toBe(0);
    expect(pans[1].panLossDb).toBe(0);
    expect(pans[1].reason).toMatch(/two-channel file/);
    // the one-channel stems still spread: three of them, the darkest centred, the other two paired
    expect(pans[0].pan).toBe(0);
    expect(pans[2].pan).not.toBe(0);
    expect(pans[2].pan).toBeCloseTo(-pans[3].pan, 6);
  });

  it('leaves a muted stem centred and out of the pairs: the two audible stems pair up', () => {
    const mk = (name: string, centroidHz: number, isMuted = false) => ({ name, policy: 'spread' as const, isStereo: false, correlation: 1, centroidHz, fileChannels: 1, weight: isMuted ? 0 : 1, isMuted });
    // Without the flag the darkest of three (a) would be centred and b paired with the silent one.
    const { pans } = decidePanning([mk('a', 300), mk('silent', 1000, true), mk('b', 2000)], -3);
    expect(pans[1].pan).toBe(0);
    expect(pans[1].reason).toMatch(/muted/);
    expect(pans[0].pan).not.toBe(0);
    expect(pans[0].pan).toBeCloseTo(-pans[2].pan, 6);
  });
});

describe('short stems', () => {
  const tone = (seconds: number, amp: number) => {
    const x = new Float32Array(Math.round(FS * seconds));
    for (let i = 0; i < x.length; i++) x[i] = amp * (Math.sin(2 * Math.PI * 440 * i / FS) + 0.3 * Math.sin(2 * Math.PI * 3000 * i / FS));
    return x;
  };

  it('measures a stem shorter than one 400 ms block over its whole length: the long tone\'s loudness, gain-invariant', () => {
    const long = stemFeatures(analyse(tone(3, 0.2), 1));
    const short = stemFeatures(analyse(tone(0.2, 0.2), 1));
    expect(long.isShort).toBe(false);
    expect(short.isShort).toBe(true);
    expect(Math.abs(short.loudnessLufs! - long.loudnessLufs!)).toBeLessThan(0.3);
    const quieter = stemFeatures(analyse(tone(0.2, 0.2), 0.5));
    expect(quieter.loudnessLufs! - short.loudnessLufs!).toBeCloseTo(-6.02, 1);
    expect(stemFeatures(analyse(new Float32Array(FS / 10), 1)).loudnessLufs).toBeNull();
  });

  it('mixes a short stem at its role level instead of muting it, and says so', () => {
    const plan = planAutomix([
      { name: 'bass', file: 'bass.wav', analysis: analyse(stems[0].x, 1) },
      { name: 'lead', file: 'lead.wav', analysis: analyse(tone(0.25, 0.2), 1) },
    ]);
    expect(plan.stems[1].muted).toBe(false);
    expect(plan.stems[1].targetLufs).not.toBeNull();
    expect(plan.warnings.join(' ')).toMatch(/lead: shorter than one 400 ms loudness block/);
  });
});
