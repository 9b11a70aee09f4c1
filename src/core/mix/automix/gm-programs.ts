/**
 * The 128 General MIDI program names (GM 1 sound set, MIDI Manufacturers Association 1991), in program
 * order, grouped in the standard's 16 families of 8, each with the automix role it plays in an arrangement.
 *
 * Why: stems rendered from MIDI are usually named after their GM program (`ch06_voice_oohs`,
 * `ch03_lead_2_sawtooth`), and those names are timbres, not roles. Matched word by word against the role
 * table they mislead: "Voice Oohs" and "Synth Voice" are choir and pad patches, not a lead vocal; "Pad 4
 * (choir)" is a pad; "Steel Drums" are tuned; "Reverse Cymbal" and "Guitar Fret Noise" are effects; and
 * "Clavi", "Timpani", "Bassoon" or "Seashore" match no role word at all. A whole GM name, when a file
 * name contains one, is exact evidence, so it is looked up here first.
 *
 * Role per family (the GM family is the timbre class; the role is what such a part usually does):
 * piano and organ → keys; chromatic percussion (mallets, bells) → plucked; guitar → guitar; bass → bass;
 * strings → strings; ensemble → strings or choir; brass → brass; reed and pipe → melody; synth lead →
 * synth-lead (not lead: role-table.ts says why); synth pad → pad; synth effects and sound effects → fx;
 * ethnic → plucked or melody; percussive → percussion. Exceptions are spelled out per program below.
 */

/** One GM program: its 1-based number, its name as the standard spells it, and its role. */
export interface GmProgram {
  program: number;
  name: string;
  role: string;
}

// One string per family: the family's default role, then its eight names; `name=role` overrides the default.
const FAMILIES: readonly string[] = [
  'keys|Acoustic Grand Piano|Bright Acoustic Piano|Electric Grand Piano|Honky-tonk Piano|Electric Piano 1|Electric Piano 2|Harpsichord|Clavi',
  'plucked|Celesta|Glockenspiel|Music Box|Vibraphone|Marimba|Xylophone|Tubular Bells|Dulcimer',
  'keys|Drawbar Organ|Percussive Organ|Rock Organ|Church Organ|Reed Organ|Accordion|Harmonica=melody|Tango Accordion',
  'guitar|Acoustic Guitar (nylon)|Acoustic Guitar (steel)|Electric Guitar (jazz)|Electric Guitar (clean)|Electric Guitar (muted)|Overdriven Guitar|Distortion Guitar|Guitar harmonics',
  'bass|Acoustic Bass|Electric Bass (finger)|Electric Bass (pick)|Fretless Bass|Slap Bass 1|Slap Bass 2|Synth Bass 1|Synth Bass 2',
  'strings|Violin|Viola|Cello|Contrabass=bass|Tremolo Strings|Pizzicato Strings|Orchestral Harp=plucked|Timpani=percussion',
  // Choir Aahs and Voice Oohs are the arrangement's choir (backing vocals); Synth Voice is a vowel pad;
  // Orchestra Hit is a stab.
  'strings|String Ensemble 1|String Ensemble 2|SynthStrings 1|SynthStrings 2|Choir Aahs=backing-vocal|Voice Oohs=backing-vocal|Synth Voice=pad|Orchestra Hit=chords',
  'brass|Trumpet|Trombone|Tuba|Muted Trumpet|French Horn|Brass Section|SynthBrass 1|SynthBrass 2',
  // Bassoon plays bass lines as often as tunes: no fixed role.
  'melody|Soprano Sax|Alto Sax|Tenor Sax|Baritone Sax|Oboe|English Horn|Bassoon=other|Clarinet',
  'melody|Piccolo|Flute|Recorder|Pan Flute|Blown Bottle|Shakuhachi|Whistle|Ocarina',
  'synth-lead|Lead 1 (square)|Lead 2 (sawtooth)|Lead 3 (calliope)|Lead 4 (chiff)|Lead 5 (charang)|Lead 6 (voice)|Lead 7 (fifths)|Lead 8 (bass + lead)',
  'pad|Pad 1 (new age)|Pad 2 (warm)|Pad 3 (polysynth)|Pad 4 (choir)|Pad 5 (bowed)|Pad 6 (metallic)|Pad 7 (halo)|Pad 8 (sweep)',
  'fx|FX 1 (rain)|FX 2 (soundtrack)|FX 3 (crystal)|FX 4 (atmosphere)|FX 5 (brightness)|FX 6 (goblins)|FX 7 (echoes)|FX 8 (sci-fi)',
  'plucked|Sitar|Banjo=guitar|Shamisen|Koto|Kalimba|Bag pipe=melody|Fiddle=melody|Shanai=melody',
  // Steel Drums and Tinkle Bell are tuned (melodic) percussion; Melodic Tom is a tom.
  'percussion|Tinkle Bell=plucked|Agogo|Steel Drums=plucked|Woodblock|Taiko Drum|Melodic Tom=toms|Synth Drum|Reverse Cymbal=fx',
  'fx|Guitar Fret Noise|Breath Noise|Seashore|Bird Tweet|Telephone Ring|Helicopter|Applause|Gunshot',
];

/** The GM programs 1..128 in order. */
export const GM_PROGRAMS: readonly GmProgram[] = FAMILIES.flatMap((line, family) => {
  const [role, ...names] = line.split('|');
  return names.map((entry, k) => {
    const [name, own] = entry.split('=');
    return { program: family * 8 + k + 1, name, role: own ?? role };
  });
});
