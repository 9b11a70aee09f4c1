/**
 * A short, deterministic built-in song (drums, bass, chords, lead) synthesized from scratch, so
 * `mixmaster demo` runs the main job without any input file. Pure maths: same output on every machine.
 */
import type { AudioData } from '../audio/audio-data.js';

export interface DemoStem {
  name: string;
  audio: AudioData;
}

export interface DemoSongOptions {
  sampleRate?: number;
  /** Length in seconds (default 12). */
  seconds?: number;
  /** Tempo in beats per minute (default 112). */
  bpm?: number;
}

/** xorshift32: a tiny deterministic noise source. */
function makeNoise(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2147483648 - 1;
  };
}

const midiHz = (note: number) => 440 * Math.pow(2, (note - 69) / 12);

/** Adds a one-shot kick (pitch-swept sine with exponential decay) at frame `at`. */
function addKick(out: Float32Array, at: number, fs: number, gain: number): void {
  const len = Math.min(out.length - at, Math.round(0.35 * fs));
  let phase = 0;
  for (let i = 0; i < len; i++) {
    const t = i / fs;
    const f = 45 + 110 * Math.exp(-t * 30);
    phase += (2 * Math.PI * f) / fs;
    out[at + i] += gain * Math.exp(-t * 9) * Math.sin(phase);
  }
}

/** Adds a noise burst with a band-ish colour (snare: body + noise, hat: bright short noise). */
function addNoiseHit(out: Float32Array, at: number, fs: number, gain: number, decayPerS: number, bright: number, noise: () => number, bodyHz = 0): void {
  const len = Math.min(out.length - at, Math.round((6 / decayPerS) * fs));
  let lp = 0;
  for (let i = 0; i < len; i++) {
    const t = i / fs;
    const n = noise();
    lp += (1 - bright) * (n - lp);
    const hp = n - lp; // brighter as `bright` -> 1
    const body = bodyHz > 0 ? 0.6 * Math.sin(2 * Math.PI * bodyHz * t) * Math.exp(-t * 25) : 0;
    out[at + i] += gain * (Math.exp(-t * decayPerS) * (bright * hp + (1 - bright) * n) + body);
  }
}

/** A note's loudness shape: linear attack and release; `sustain` < 1 adds a decay from the attack peak. */
interface NoteShape {
  attackS: number;
  releaseS: number;
  /** Level the note decays to after the attack (1 = an organ-like flat note). */
  sustain?: number;
  /** Time constant of that decay, s. */
  decayS?: number;
}

/** Band-limited-ish saw by summing harmonics below Nyquist (keeps the demo alias-free). */
function addSawNote(out: Float32Array, at: number, len: number, fs: number, hz: number, gain: number, shape: NoteShape, maxHarmonics: number): void {
  const n = Math.min(out.length - at, len);
  const harmonics = Math.max(1, Math.min(maxHarmonics, Math.floor(fs / 2 / hz) - 1));
  const { attackS, releaseS, sustain = 1, decayS = 1 } = shape;
  const decayPerFrame = Math.exp(-1 / (decayS * fs));
  let decay = 1;
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    if (t > attackS) decay *= decayPerFrame;
    const env = Math.min(1, t / attackS) * Math.min(1, (n - i) / (releaseS * fs)) * (sustain + (1 - sustain) * decay);
    let s = 0;
    for (let h = 1; h <= harmonics; h++) s += Math.sin(2 * Math.PI * h * hz * t) / h;
    out[at + i] += gain * env * s;
  }
}

const BASS_NOTE: NoteShape = { attackS: 0.005, releaseS: 0.03 };
/** A plucky lead: a quick attack that settles to half its level, like a played or sung note. */
const LEAD_NOTE: NoteShape = { attackS: 0.01, releaseS: 0.05, sustain: 0.5, decayS: 0.2 };
const PAD_NOTE: NoteShape = { attackS: 0.2, releaseS: 0.3 };

/**
 * Synthesizes the demo song's stems (mono kick, snare, hats, bass, lead; stereo chords).
 * @returns stems in a fixed order; levels are deliberately unbalanced so a mixer has work to do.
 */
export function synthesizeDemoStems(opts: DemoSongOptions = {}): DemoStem[] {
  const fs = opts.sampleRate ?? 48000;
  const seconds = opts.seconds ?? 12;
  const bpm = opts.bpm ?? 112;
  const frames = Math.round(seconds * fs);
  const beat = Math.round((60 / bpm) * fs);
  const noise = makeNoise(0x6d69786d);
  const kick = new Float32Array(frames);
  const snare = new Float32Array(frames);
  const hats = new Float32Array(frames);
  const bass = new Float32Array(frames);
  const chordsL = new Float32Array(frames);
  const chordsR = new Float32Array(frames);
  const lead = new Float32Array(frames);
  // A i–VI–III–VII progression in A minor, one chord per bar (4 beats).
  const roots = [45, 41, 48, 43];
  const chordShapes = [[57, 60, 64], [53, 57, 60], [55, 60, 64], [55, 59, 62]];
  // One note per beat; 0 is a rest (a sung or played line breathes, and its loudness varies with it).
  const melody = [69, 72, 71, 69, 67, 69, 72, 0, 74, 72, 71, 67, 69, 71, 72, 0];
  // Accents by beat in the bar: the downbeat strongest.
  const accents = [1, 0.6, 0.8, 0.6];
  const beats = Math.floor(frames / beat);
  for (let b = 0; b < beats; b++) {
    const at = b * beat;
    const bar = Math.floor(b / 4) % 4;
    if (b % 2 === 0) addKick(kick, at, fs, 0.9);
    if (b % 4 === 3) addKick(kick, at + (beat >> 1), fs, 0.6);
    if (b % 2 === 1) addNoiseHit(snare, at, fs, 0.35, 18, 0.5, noise, 190);
    addNoiseHit(hats, at, fs, 0.12, 60, 0.95, noise);
    addNoiseHit(hats, at + (beat >> 1), fs, 0.07, 70, 0.95, noise);
    addSawNote(bass, at, beat - (beat >> 3), fs, midiHz(roots[bar] - 12 + (b % 4 === 2 ? 12 : 0)), 0.25, BASS_NOTE, 12);
    const note = melody[b % melody.length];
    if (note > 0) addSawNote(lead, at, (beat * 7) >> 3, fs, midiHz(note), 0.1 * accents[b % 4], LEAD_NOTE, 24);
    if (b % 4 === 0) {
      const shape = chordShapes[bar];
      for (let k = 0; k < shape.length; k++) {
        // Detuned voices spread across the stereo field.
        addSawNote(chordsL, at, beat * 4, fs, midiHz(shape[k]) * 0.998, 0.03, PAD_NOTE, 16);
        addSawNote(chordsR, at, beat * 4, fs, midiHz(shape[k]) * 1.002, 0.03, PAD_NOTE, 16);
      }
    }
  }
  const mono = (name: string, ch: Float32Array): DemoStem => ({ name, audio: { sampleRate: fs, channels: [ch] } });
  return [
    mono('kick', kick), mono('snare', snare), mono('hats', hats), mono('bass', bass),
    { name: 'chords', audio: { sampleRate: fs, channels: [chordsL, chordsR] } },
    mono('lead', lead),
  ];
}

/** A plain stereo sum of the demo stems (mono stems centred at -3 dB), for the analysis-only demo. */
export function mixDemoStems(stems: DemoStem[]): AudioData {
  const fs = stems[0].audio.sampleRate;
  const frames = stems[0].audio.channels[0].length;
  const l = new Float32Array(frames);
  const r = new Float32Array(frames);
  const centre = Math.SQRT1_2;
  for (const s of stems) {
    const chs = s.audio.channels;
    const a = chs[0];
    const b = chs.length > 1 ? chs[1] : chs[0];
    const g = chs.length > 1 ? 1 : centre;
    for (let i = 0; i < frames; i++) { l[i] += g * a[i]; r[i] += g * b[i]; }
  }
  return { sampleRate: fs, channels: [l, r] };
}
