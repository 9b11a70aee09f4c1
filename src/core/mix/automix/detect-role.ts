/**
 * Role detection: from the file name first (tokens matched against the role table), from audio features
 * when the name says nothing. The evidence is kept as sentences so the session can say why.
 */
import { GM_PROGRAMS, type GmProgram } from './gm-programs.js';
import { ROLE_TABLE } from './role-table.js';
import type { StemFeatures } from './stem-features.js';

/** A detected role and why. */
export interface RoleDecision {
  role: string;
  source: 'name' | 'features' | 'user';
  evidence: string[];
}

/**
 * Splits a stem name into lower-case word tokens: separators, camelCase and letter/digit boundaries
 * (`ch01_lead_2_sawtooth` → ch, 01, lead, 2, sawtooth; `HiHatOpen` → hi, hat, open).
 */
export function nameTokens(name: string): string[] {
  const base = name.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  return base
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
}

// Each GM name as words both with and without its camelCase split: `SynthStrings_1.wav` gives synth,
// strings, 1, a slug `synthstrings_1` gives synthstrings, 1.
const GM_TOKENS = GM_PROGRAMS.map((p) => [nameTokens(p.name), nameTokens(p.name.toLowerCase())]);

/** Where `part` occurs as a contiguous run in `words`, or -1. */
function indexOfRun(words: readonly string[], part: readonly string[]): number {
  outer: for (let i = 0; i + part.length <= words.length; i++) {
    for (let k = 0; k < part.length; k++) if (words[i + k] !== part[k]) continue outer;
    return i;
  }
  return -1;
}

/**
 * The General MIDI program whose whole name a file name contains, word for word (`ch06_voice_oohs` →
 * 54 "Voice Oohs"), or null. The longest matching name wins ("Lead 6 (voice)" over a bare word), then
 * program order.
 */
export function gmProgramFromName(name: string): GmProgram | null {
  const words = nameTokens(name);
  let best: GmProgram | null = null;
  let bestLength = 0;
  GM_TOKENS.forEach((spellings, i) => {
    for (const part of spellings) {
      if (part.length > bestLength && indexOfRun(words, part) >= 0) {
        best = GM_PROGRAMS[i];
        bestLength = part.length;
      }
    }
  });
  return best;
}

/**
 * The role named by a file name, or null. Adjacent tokens are also tried joined (`hi hat` → hihat,
 * `bass drum` → bass-drum / bassdrum); compounds win over single words, then the table order decides
 * (vocal before lead before bass before guitar...), so "lead vocal" is a vocal and "bass guitar" a bass.
 */
export function roleFromName(name: string): { role: string; token: string } | null {
  const words = nameTokens(name);
  const compounds: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) compounds.push(`${words[i]}-${words[i + 1]}`, `${words[i]}${words[i + 1]}`);
  for (const set of [compounds, words]) {
    for (const spec of ROLE_TABLE) {
      const hit = set.find((t) => spec.names.includes(t));
      if (hit) return { role: spec.role, token: hit };
    }
  }
  return null;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/** A kit reaches within this of its loudest band both under 100 Hz and over 6.3 kHz, dB. */
const KIT_EDGE_DB = 20;
/** ...and this share of its bands from 50 Hz to 12.5 kHz are within 24 dB of the loudest. */
const KIT_SHARE = 0.8;
/**
 * Spectral flatness at or above this is noise-like (drums, cymbals, effects), dB. Noise reads −2.5 and a
 * kit, whose kick and toms add some pitch, −3 to −6; pitched parts read −10 and below (harmonics leave
 * most bins of a band empty), even piano and guitar, whose attacks are percussive.
 */
const NOISE_FLATNESS_DB = -7;
/** Noise without transients (crest under this, dB) is a texture or effect, not a drum: kits stay above ~13. */
const SUSTAINED_NOISE_CREST_DB = 12;
/** A pitched stem this percussive, mostly under 150 Hz, is a (synthesized) kick rather than a bass, dB. */
const PERCUSSIVE_CREST_DB = 16;

/**
 * The role of a stem from its audio when its name says nothing. Rules on gain-invariant features: first
 * noise or pitch (spectral flatness), then among noise-like stems the spectrum's span and crest factor
 * (kit, kick, hat, percussion, effect), among pitched ones the low-frequency share, stereo width and
 * centroid (bass, pad, lead, keys).
 */
export function roleFromFeatures(f: StemFeatures): RoleDecision {
  const ev = [`low share ${pct(f.lowFraction)}`, `high share ${pct(f.highFraction)}`, `centroid ${Math.round(f.centroidHz)} Hz`,
    `crest ${f.crestDb === null ? 'n/a' : f.crestDb.toFixed(1) + ' dB'}`, `correlation ${f.correlation.toFixed(2)}`];
  const crest = f.crestDb ?? 0;
  const noisy = f.flatnessDb !== null && f.flatnessDb >= NOISE_FLATNESS_DB;
  if (f.flatnessDb !== null) ev.push(`flatness ${f.flatnessDb.toFixed(1)} dB (${noisy ? 'noise-like' : 'pitched'})`);
  // A drum kit covers the whole audio band at once: kick fundamentals under 100 Hz, cymbals above 6 kHz.
  const isKit = f.lowEdgeDb >= -KIT_EDGE_DB && f.highEdgeDb >= -KIT_EDGE_DB && f.bandwidthShare >= KIT_SHARE;
  let role: string;
  if (noisy) {
    if (crest < SUSTAINED_NOISE_CREST_DB) role = 'fx';
    else if (isKit) role = 'drums';
    else if (f.lowFraction > 0.55) role = 'kick';
    else if (f.highFraction > 0.5) role = 'hat';
    else if (f.lowFraction > 0.2) role = 'drums';
    else role = 'percussion';
    if (isKit && role === 'drums') ev.push(`full-band spectrum (${Math.round(f.lowEdgeDb)} dB under 100 Hz, ${Math.round(f.highEdgeDb)} dB over 6.3 kHz, ${pct(f.bandwidthShare)} of bands within 24 dB)`);
  } else if (f.lowFraction > 0.55 && crest >= PERCUSSIVE_CREST_DB) role = 'kick';
  else if (f.lowFraction > 0.5) role = 'bass';
  else if (f.isStereo && f.correlation < 0.5 && crest < 14) role = 'pad';
  else if (f.centroidHz > 700 && !f.isStereo) role = 'lead';
  else role = 'keys';
  return { role, source: 'features', evidence: ev };
}

/**
 * The role of a stem: the user's choice, else a General MIDI program name in the file name, else role
 * words in the name, else the features.
 * @param name file name (with or without extension)
 * @param override a role name given by the user, if any
 */
export function detectRole(name: string, f: StemFeatures, override?: string): RoleDecision {
  if (override) return { role: override, source: 'user', evidence: ['set by the user'] };
  const gm = gmProgramFromName(name);
  if (gm) return { role: gm.role, source: 'name', evidence: [`file name is General MIDI program ${gm.program} "${gm.name}"`] };
  const byName = roleFromName(name);
  if (byName) return { role: byName.role, source: 'name', evidence: [`file name has "${byName.token}"`] };
  const byFeatures = roleFromFeatures(f);
  byFeatures.evidence.unshift('no role word in the file name');
  return byFeatures;
}
