/**
 * Automix panning: low end and leads in the centre, two-channel stems keep their own placement, the other
 * (one-channel) stems spread left/right in symmetric pairs ordered by spectral content (darker stems nearer
 * the centre, brighter ones wider: low frequencies carry most of the energy and should stay balanced).
 * Then a mono-compatibility check of the result.
 *
 * Why a two-channel file is never re-panned, even when its channels are identical (dual mono) or differ only
 * in level (a panned mono source): a stereo stem is a printed track. A DAW's stem export prints the track's
 * pan into it, and a MIDI render prints each channel's pan; the placement in the file, centre included, is
 * the producer's. Re-panning it with the balance control would pan a panned source twice, and, measured on
 * the 31 corpus-dev and held-out songs (GM renders whose reference mixes are the stems summed), spreading
 * their dual-mono stems moved them away from the reference: mixscore's pan part 80.7 -> 93.9, width part 57.3
 * -> 63.1, the whole score 57.0 -> 59.3, with the level error unchanged (2.65 LU). Only a one-channel file
 * is a source still to be placed. (A user who wants a dual-mono stem spread sets its pan in the session.)
 */
import { panGains } from '../../dsp/pan.js';

export interface PanInput {
  name: string;
  /** Role policy from the role table. */
  policy: 'centre' | 'spread';
  isStereo: boolean;
  correlation: number;
  centroidHz: number;
  /** Channels of the file: two or more keep their own placement (see the module doc). */
  fileChannels: number;
  /** Loudness weight of the stem in the mix (linear power), for the mix-level mono check. */
  weight: number;
  /** A muted (silent) stem stays centred and out of the spread pairs, so no audible stem is paired with it. */
  isMuted?: boolean;
}

export interface PanDecision {
  pan: number;
  reason: string;
  /** Level change of the stem from the pan/balance gains, dB (the balance law loses level off-centre). */
  panLossDb: number;
  /** Level of the stem's mono fold-down (L+R)/2 relative to its stereo level, dB. */
  monoFoldDb: number;
}

export interface MonoCheck {
  /** Level of the whole mix's mono fold-down relative to stereo, dB (0 = fully compatible, −3 = uncorrelated). */
  mixMonoFoldDb: number;
  /** Stems that lose more than 6 dB in mono (out-of-phase stereo): candidates for narrowing. */
  problemStems: string[];
  ok: boolean;
}

/** Innermost and outermost pan position of spread pairs (−1..1 scale). */
export const SPREAD_MIN = 0.25;
export const SPREAD_MAX = 0.6;
/** Below this correlation a stereo stem folds badly to mono (more than ~6 dB lost). */
const BAD_CORRELATION = -0.5;

/**
 * Pans every stem.
 * @param stems stems in session order
 * @param panLawDb the session's pan law (mono sources)
 * @returns one decision per stem and the mono check of the result
 */
export function decidePanning(stems: readonly PanInput[], panLawDb: number): { pans: PanDecision[]; mono: MonoCheck } {
  const pans: (number | null)[] = stems.map(() => null);
  const reasons: string[] = stems.map(() => '');
  const spread: number[] = [];
  stems.forEach((s, i) => {
    if (s.isMuted) { pans[i] = 0; reasons[i] = 'muted: centred, left out of the spread pairs'; }
    else if (s.policy === 'centre') { pans[i] = 0; reasons[i] = 'low end / lead: centred'; }
    else if (s.isStereo) { pans[i] = 0; reasons[i] = `stereo stem (correlation ${s.correlation.toFixed(2)}): keeps its own image`; }
    else if (s.fileChannels >= 2) { pans[i] = 0; reasons[i] = 'two-channel file with one image (dual mono or panned mono): keeps its own placement'; }
    else spread.push(i);
  });
  // Darkest first: pairs of neighbours in spectral content go to opposite sides at the same distance.
  spread.sort((a, b) => stems[a].centroidHz - stems[b].centroidHz || a - b);
  const pairs = Math.floor(spread.length / 2);
  // An odd stem out (the darkest) stays centred; the pairs start from the next one.
  let k = 0;
  if (spread.length % 2 === 1) {
    const i = spread[0];
    pans[i] = 0;
    reasons[i] = 'spread role, odd one out (darkest): centred';
    k = 1;
  }
  for (let p = 0; p < pairs; p++) {
    const width = pairs === 1 ? (SPREAD_MIN + SPREAD_MAX) / 2 : SPREAD_MIN + ((SPREAD_MAX - SPREAD_MIN) * p) / (pairs - 1);
    const a = spread[k + 2 * p];
    const b = spread[k + 2 * p + 1];
    // Alternate which side gets the darker stem, so neither side collects all the low-mid energy.
    const sign = p % 2 === 0 ? -1 : 1;
    pans[a] = sign * width;
    pans[b] = -sign * width;
    const why = `spread pair ${p + 1} by spectral content (${Math.round(stems[a].centroidHz)} / ${Math.round(stems[b].centroidHz)} Hz centroids)`;
    reasons[a] = why;
    reasons[b] = why;
  }

  let mixPower = 0, monoPower = 0;
  const problemStems: string[] = [];
  const decisions = stems.map((s, i) => {
    const pan = Math.round((pans[i] ?? 0) * 1000) / 1000;
    const [gl, gr] = panGains(pan, panLawDb, s.fileChannels);
    let panLossDb: number, fold: number;
    if (s.fileChannels >= 2) {
      // Balance on a stereo file: each channel keeps its gain; level = mean of the channel powers.
      panLossDb = 10 * Math.log10((gl * gl + gr * gr) / 2);
      // (L+R)/2 of channels with correlation r and powers gl², gr²: (gl² + gr² + 2·r·gl·gr) / 4.
      fold = (gl * gl + gr * gr + 2 * s.correlation * gl * gr) / 4 / ((gl * gl + gr * gr) / 2);
    } else {
      // A mono source measured as one channel, rendered as two: the pan law keeps the power (−3 dB law).
      panLossDb = 10 * Math.log10(gl * gl + gr * gr);
      fold = ((gl + gr) * (gl + gr)) / 4 / ((gl * gl + gr * gr) / 2);
    }
    const monoFoldDb = 10 * Math.log10(Math.max(fold, 1e-12));
    if (s.correlation < BAD_CORRELATION) problemStems.push(s.name);
    mixPower += s.weight;
    monoPower += s.weight * fold;
    return { pan, reason: reasons[i], panLossDb, monoFoldDb };
  });
  const mixMonoFoldDb = mixPower > 0 ? 10 * Math.log10(Math.max(monoPower / mixPower, 1e-12)) : 0;
  return { pans: decisions, mono: { mixMonoFoldDb, problemStems, ok: problemStems.length === 0 && mixMonoFoldDb > -3 } };
}
