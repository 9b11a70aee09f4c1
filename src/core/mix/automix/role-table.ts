/**
 * The automix role table: what each instrument role gets by default. One row per role; every number the
 * automix decides from a role lives here, so tuning a house sound means editing this table only.
 *
 * Columns (units in the names):
 * - `levelLu`        loudness of the stem in the mix relative to the other roles, LU (the balance; only the
 *                    differences matter, the mix level is set separately). Lead and vocals on top, kick and
 *                    bass as the foundation just below, drums and rhythm instruments next, pads and effects
 *                    below. Calibrated on the dev corpus (General MIDI songs rendered at equal synth gain,
 *                    shared/corpus-dev) and common mixing practice (Izhaki, "Mixing Audio", ch. 6: the
 *                    "foundation first" build; De Man & Reiss 2013, "A knowledge-engineered autonomous
 *                    mixing system", AES 135: lead/vocal loudest, bass and kick next).
 *                    Synth leads (`lead`) sit 3 LU under a sung or acoustic melody (`vocal`, `melody`): a dense,
 *                    bright, centred synth line stays on top perceptually with less measured loudness (and it
 *                    gets masking priority, so others are carved around it); the corpus mixes put it there.
 * - `importance`     priority when two stems mask each other (higher wins; the lower one is carved).
 * - `highpassHz`     high-pass corner for roles without useful low end (null = none); the automix lowers it
 *                    when the stem really has energy below (never cuts what a stem lives on).
 * - `pan`            `centre`: low end and leads stay in the middle; `spread`: mono stems placed left/right
 *                    in symmetric pairs by spectral content; stereo stems keep their own image either way.
 * - `compRatio`      compressor ratio when the crest factor asks for compression (1 = never compress).
 * - `compAttackMs`, `compReleaseMs`: compressor time constants (slow attack keeps transients on drums).
 * - `reverbSendDb`   post-fader send to the shared reverb, dB (null = dry: kick, bass, sub stay out of the
 *                    reverb so the low end stays tight).
 * - `names`          file-name tokens that identify the role (lower case, matched on word parts of the name).
 */
export interface RoleSpec {
  role: string;
  description: string;
  levelLu: number;
  importance: number;
  highpassHz: number | null;
  pan: 'centre' | 'spread';
  compRatio: number;
  compAttackMs: number;
  compReleaseMs: number;
  reverbSendDb: number | null;
  names: string[];
}

/** The role table (see the module doc for the columns). Order = tie-break order of name matching. */
export const ROLE_TABLE: readonly RoleSpec[] = [
  { role: 'vocal', description: 'lead vocal', levelLu: 0, importance: 10, highpassHz: 90, pan: 'centre', compRatio: 3, compAttackMs: 5, compReleaseMs: 120, reverbSendDb: -16,
    names: ['vocal', 'vocals', 'vox', 'voice', 'lead-vocal', 'leadvox', 'singer', 'sing'] },
  { role: 'backing-vocal', description: 'backing vocals', levelLu: -5, importance: 6, highpassHz: 120, pan: 'spread', compRatio: 3, compAttackMs: 5, compReleaseMs: 120, reverbSendDb: -13,
    names: ['bv', 'bvs', 'backing', 'backvox', 'choir', 'harmony', 'harmonies', 'backs', 'bgv', 'bgvs', 'chorus-vox'] },
  { role: 'melody', description: 'acoustic melody instrument (flute, sax, violin solo...)', levelLu: 0, importance: 9, highpassHz: 120, pan: 'centre', compRatio: 2, compAttackMs: 10, compReleaseMs: 150, reverbSendDb: -17,
    names: ['flute', 'piccolo', 'sax', 'saxophone', 'clarinet', 'oboe', 'whistle', 'recorder', 'solo', 'melody', 'ocarina', 'harmonica'] },
  { role: 'lead', description: 'lead line (synth lead, lead guitar)', levelLu: -3, importance: 9, highpassHz: 120, pan: 'centre', compRatio: 2.5, compAttackMs: 10, compReleaseMs: 150, reverbSendDb: -18,
    names: ['lead', 'leads', 'topline', 'hook', 'arp', 'riff'] },
  { role: 'kick', description: 'kick drum', levelLu: -1.5, importance: 8, highpassHz: 30, pan: 'centre', compRatio: 4, compAttackMs: 15, compReleaseMs: 80, reverbSendDb: null,
    names: ['kick', 'kik', 'bd', 'bassdrum', 'bass-drum', 'kickdrum'] },
  { role: 'bass', description: 'bass (electric, synth, upright)', levelLu: -1, importance: 8, highpassHz: 30, pan: 'centre', compRatio: 4, compAttackMs: 10, compReleaseMs: 120, reverbSendDb: null,
    names: ['bass', 'sub', 'subbass', 'bassline', '808', 'contrabass', 'upright'] },
  { role: 'snare', description: 'snare drum, clap', levelLu: -3, importance: 7, highpassHz: 80, pan: 'centre', compRatio: 3, compAttackMs: 15, compReleaseMs: 100, reverbSendDb: -18,
    names: ['snare', 'snr', 'sd', 'clap', 'claps', 'rim', 'rimshot'] },
  { role: 'drums', description: 'full drum kit or drum bus', levelLu: -2.5, importance: 7, highpassHz: 30, pan: 'centre', compRatio: 2.5, compAttackMs: 20, compReleaseMs: 120, reverbSendDb: -24,
    names: ['drums', 'drum', 'kit', 'drumkit', 'beat', 'beats', 'loop', 'breakbeat', 'break'] },
  { role: 'toms', description: 'toms', levelLu: -6, importance: 5, highpassHz: 60, pan: 'spread', compRatio: 3, compAttackMs: 15, compReleaseMs: 100, reverbSendDb: -20,
    names: ['tom', 'toms', 'floortom', 'racktom'] },
  { role: 'hat', description: 'hi-hat, ride, cymbals', levelLu: -9, importance: 4, highpassHz: 300, pan: 'spread', compRatio: 1, compAttackMs: 10, compReleaseMs: 100, reverbSendDb: null,
    names: ['hat', 'hats', 'hihat', 'hh', 'hihats', 'ride', 'cymbal', 'cymbals', 'crash', 'shaker', 'tamb', 'tambourine'] },
  { role: 'overheads', description: 'drum overheads, room mics', levelLu: -8, importance: 4, highpassHz: 150, pan: 'spread', compRatio: 2, compAttackMs: 20, compReleaseMs: 150, reverbSendDb: null,
    names: ['overhead', 'overheads', 'oh', 'room', 'rooms', 'ambience', 'amb'] },
  { role: 'percussion', description: 'percussion (congas, bongos...)', levelLu: -7, importance: 4, highpassHz: 150, pan: 'spread', compRatio: 2, compAttackMs: 15, compReleaseMs: 100, reverbSendDb: -20,
    names: ['perc', 'percussion', 'conga', 'congas', 'bongo', 'bongos', 'cowbell', 'woodblock', 'timbale', 'timbales', 'djembe', 'clave', 'claves'] },
  { role: 'guitar', description: 'rhythm guitar', levelLu: 0, importance: 6, highpassHz: 90, pan: 'spread', compRatio: 2.5, compAttackMs: 10, compReleaseMs: 150, reverbSendDb: -18,
    names: ['guitar', 'guitars', 'gtr', 'gtrs', 'gt', 'strat', 'tele', 'ukulele', 'banjo', 'mandolin'] },
  { role: 'keys', description: 'piano, organ, electric piano', levelLu: -1, importance: 6, highpassHz: 60, pan: 'spread', compRatio: 2, compAttackMs: 10, compReleaseMs: 150, reverbSendDb: -17,
    names: ['keys', 'key', 'piano', 'pno', 'organ', 'rhodes', 'wurli', 'wurlitzer', 'epiano', 'ep', 'clav', 'clavinet', 'harpsichord'] },
  { role: 'plucked', description: 'harp, mallets, plucked and struck tuned instruments', levelLu: -0.5, importance: 5, highpassHz: 80, pan: 'spread', compRatio: 1.5, compAttackMs: 10, compReleaseMs: 150, reverbSendDb: -16,
    names: ['harp', 'marimba', 'vibraphone', 'vibes', 'xylophone', 'glockenspiel', 'glock', 'celesta', 'bells', 'kalimba', 'pluck', 'plucks', 'koto', 'sitar', 'music-box'] },
  { role: 'brass', description: 'brass (trumpet, trombone, horns)', levelLu: 0, importance: 7, highpassHz: 100, pan: 'spread', compRatio: 2, compAttackMs: 10, compReleaseMs: 150, reverbSendDb: -16,
    names: ['brass', 'trumpet', 'trumpets', 'trombone', 'horn', 'horns', 'tuba', 'cornet', 'flugelhorn'] },
  { role: 'strings', description: 'string section', levelLu: -7, importance: 4, highpassHz: 80, pan: 'spread', compRatio: 1.5, compAttackMs: 20, compReleaseMs: 200, reverbSendDb: -14,
    names: ['strings', 'string', 'violin', 'violins', 'viola', 'violas', 'cello', 'cellos', 'orchestra', 'ensemble', 'quartet'] },
  { role: 'pad', description: 'pads, sustained synths', levelLu: -6, importance: 3, highpassHz: 150, pan: 'spread', compRatio: 1, compAttackMs: 20, compReleaseMs: 200, reverbSendDb: -14,
    names: ['pad', 'pads', 'atmos', 'atmosphere', 'drone', 'texture', 'warm', 'sweep'] },
  { role: 'chords', description: 'chord stabs, comping', levelLu: -3, importance: 5, highpassHz: 120, pan: 'spread', compRatio: 2, compAttackMs: 10, compReleaseMs: 150, reverbSendDb: -16,
    names: ['chord', 'chords', 'stab', 'stabs', 'comping'] },
  { role: 'fx', description: 'effects, risers, noise, foley', levelLu: -9, importance: 2, highpassHz: 200, pan: 'spread', compRatio: 1, compAttackMs: 10, compReleaseMs: 150, reverbSendDb: -12,
    names: ['fx', 'sfx', 'effect', 'effects', 'riser', 'risers', 'impact', 'noise', 'foley', 'whoosh', 'uplifter', 'downlifter', 'vinyl'] },
  { role: 'other', description: 'unidentified instrument', levelLu: -3, importance: 5, highpassHz: 60, pan: 'spread', compRatio: 2, compAttackMs: 10, compReleaseMs: 150, reverbSendDb: -18,
    names: [] },
];

const byRole = new Map(ROLE_TABLE.map((r) => [r.role, r]));

/** The row of a role; unknown roles get the `other` row. */
export function roleSpec(role: string): RoleSpec {
  return byRole.get(role) ?? byRole.get('other')!;
}

/** All role names, in table order. */
export const ROLE_NAMES: readonly string[] = ROLE_TABLE.map((r) => r.role);
