/**
 * planAutomix(): from per-stem analyses to a mix session, every decision kept with its reason.
 *
 * Signal flow per track (all in the session, all editable):
 *   trim (gain insert: the stem to STAGE_LUFS, gain staging) → eq (role high-pass, masking cuts)
 *   → compressor (from the crest factor) → fader (the role balance) → pan → post-fader reverb send.
 * Master: gentle glue compressor, optional reference match EQ, master fader.
 *
 * Balance: each stem's target loudness in the mix is `anchor + levelLu(role) − 10·log10(n) + crest
 * correction`, n the number of active stems that are takes of one part (balance.ts, same-part.ts), the crest
 * correction moving transient stems down and sustained ones up, the anchor set so the stems' powers sum to
 * MIX_TARGET_LUFS. The fader also gives back the level the EQ, the compressor and an off-centre balance take,
 * so the stem arrives at its target. Every input to these decisions is either a
 * within-stem ratio or the stem's loudness, which the trim cancels: scaling a stem by a constant changes the
 * trim by the same dB and nothing else, so the rendered mix does not change.
 */
import { gainToDb } from '../../audio/db.js';
import type { AnalysisResult } from '../../analysis/analysis-result.js';
import { kWeightingPowers } from '../../analysis/k-weighting.js';
import { eqMagnitudeDb, type EqBand } from '../../dsp/eq.js';
import type { InsertSpec } from '../../dsp/insert-catalog.js';
import type { Session, SessionTrack } from '../session-schema.js';
import { detectRole, type RoleDecision } from './detect-role.js';
import { decideBalance, type BalanceDecision } from './balance.js';
import { groupSameParts } from './same-part.js';
import { decideCompression, glueCompressor, MIX_TARGET_LUFS, REVERB_BUS, reverbBusInserts, STAGE_LUFS, type CompressionDecision } from './dynamics.js';
import { DC_OFFSET_REL_DB, decideEq, type EqDecision } from './masking-eq.js';
import { decidePanning, type MonoCheck } from './panning.js';
import { matchTone, type ToneMatch } from './reference-tone.js';
import { DEFAULT_HIGHPASS_GUARD_DB, roleSpec } from './role-table.js';
import { stemFeatures, type StemFeatures } from './stem-features.js';

/** One stem as the planner sees it. */
export interface AutomixStemInput {
  /** Display name (usually the file name without extension); made unique for the session. */
  name: string;
  /** File path as it should be written in the session (relative to the session file). */
  file: string;
  /** The stem's analysis (Analyzer result; the loudness series gives the activity). */
  analysis: AnalysisResult;
  /** Role chosen by the user (skips detection). */
  role?: string;
}

export interface AutomixPlanOptions {
  /** Session sample rate (default: the first stem's). */
  sampleRate?: number;
  /** Role level overrides, LU, by role name (tuning without editing the table). */
  levelLu?: Record<string, number>;
  /** Crest correction of the balance, LU per dB of crest above the stems' mean (default CREST_WEIGHT; 0 = role levels only). */
  crestWeight?: number;
  /** Shared reverb (default true). */
  reverb?: boolean;
  /** Bus glue compressor (default true). */
  glue?: boolean;
  /** Reference mix: its 1/3-octave spectrum, for the tonal match. */
  reference?: { bandsHz: number[]; levelsDb: (number | null)[] };
}

/** Every decision about one stem. */
export interface StemDecision {
  name: string;
  file: string;
  role: RoleDecision;
  features: Pick<StemFeatures, 'loudnessLufs' | 'peakDbfs' | 'crestDb' | 'isStereo' | 'correlation' | 'activity' | 'centroidHz' | 'lowFraction' | 'highFraction'>;
  /** Gain staging: trim to STAGE_LUFS, dB. */
  trimDb: number;
  /** Balance: the role's level, how many stems share it, the stem's own level and why. */
  balance: BalanceDecision;
  /** Target loudness of the stem in the mix, LUFS. */
  targetLufs: number | null;
  /** Fader, dB: the role balance plus the level the processing takes. */
  faderDb: number;
  /** Total gain from the input file to the mix bus (trim + fader), dB: the "output gain" of the stem. */
  outputGainDb: number;
  pan: number;
  panReason: string;
  monoFoldDb: number;
  eq: EqDecision;
  compression: CompressionDecision;
  reverbSendDb: number | null;
  muted: boolean;
}

export interface AutomixPlan {
  session: Session;
  stems: StemDecision[];
  mix: {
    targetLufs: number;
    anchorLufs: number;
    mono: MonoCheck;
    glue: boolean;
    reverb: boolean;
    /** The mix's predicted 1/3-octave spectrum (dB), from the stems. */
    predictedSpectrum: { bandsHz: number[]; levelsDb: (number | null)[] };
    reference: ToneMatch | null;
  };
  warnings: string[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Loudness change of a spectrum through an EQ, dB (K-weighted band powers). */
function eqLoudnessChangeDb(f: StemFeatures, bands: EqBand[], sampleRate: number): number {
  if (bands.length === 0) return 0;
  const h = eqMagnitudeDb(bands, f.bandsHz, sampleRate);
  const kw = kWeightingPowers(f.bandsHz, sampleRate);
  let before = 0, after = 0;
  for (let b = 0; b < f.bandsHz.length; b++) {
    const p = Math.pow(10, f.bandLevelsDb[b] / 10) * kw[b];
    before += p;
    after += p * Math.pow(10, h[b] / 10);
  }
  return before > 0 && after > 0 ? 10 * Math.log10(after / before) : 0;
}

/** Whether a stem's DC offset (largest channel mean) is within DC_OFFSET_REL_DB of its loudness. */
function hasDcOffset(dcOffset: readonly number[], loudnessLufs: number | null): boolean {
  const dc = Math.max(0, ...dcOffset.map(Math.abs));
  return loudnessLufs !== null && dc > 0 && gainToDb(dc) - loudnessLufs > DC_OFFSET_REL_DB;
}

/** Session-safe unique track names from stem names. */
function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    let base = n.trim() || 'track';
    if (base === 'master' || base === REVERB_BUS) base = `${base}-track`;
    const k = seen.get(base) ?? 0;
    seen.set(base, k + 1);
    return k === 0 ? base : `${base}-${k + 1}`;
  });
}

/**
 * Plans the automix of a set of stems.
 * @returns the session (plain data, valid against the session schema) and every decision with its reason
 */
export function planAutomix(inputs: readonly AutomixStemInput[], opts: AutomixPlanOptions = {}): AutomixPlan {
  if (inputs.length === 0) throw new Error('automix needs at least one stem');
  const sampleRate = opts.sampleRate ?? inputs[0].analysis.sampleRate;
  const warnings: string[] = [];
  const names = uniqueNames(inputs.map((s) => s.name));
  const feats = inputs.map((s) => stemFeatures(s.analysis));
  const roles = inputs.map((s, i) => detectRole(s.name, feats[i], s.role));
  const specs = roles.map((r) => roleSpec(r.role));
  // Balance: the role's level (the user's override wins) split among the takes of one part, plus the crest
  // correction (balance.ts); then the anchor so the active stems' target powers sum to the mix target.
  const active = feats.map((f) => f.loudnessLufs !== null);
  const parts = groupSameParts(roles.map((r) => r.role), feats.map((f) => f.envelope), active);
  const balance = decideBalance(roles.map((r, i) => ({
    role: r.role, roleLevelLu: opts.levelLu?.[r.role] ?? specs[i].levelLu, active: active[i], part: parts[i], crestDb: feats[i].crestDb,
  })), opts.crestWeight);
  let sum = 0;
  feats.forEach((f, i) => { if (f.loudnessLufs !== null) sum += Math.pow(10, balance[i].levelLu / 10); });
  const anchor = sum > 0 ? MIX_TARGET_LUFS - 10 * Math.log10(sum) : MIX_TARGET_LUFS;
  const targets = feats.map((f, i) => (f.loudnessLufs === null ? null : anchor + balance[i].levelLu));
  feats.forEach((f, i) => {
    if (f.loudnessLufs === null) warnings.push(`${names[i]}: silent (no measurable loudness): muted`);
    else if (f.isShort) warnings.push(`${names[i]}: shorter than one 400 ms loudness block: its level is measured over its whole ${Math.round(f.durationSeconds * 1000)} ms`);
  });

  const eqs = decideEq(inputs.map((_, i) => ({
    name: names[i], importance: specs[i].importance, roleHighpassHz: specs[i].highpassHz, highpassGuardDb: specs[i].highpassGuardDb ?? DEFAULT_HIGHPASS_GUARD_DB,
    bandsHz: feats[i].bandsHz, bandLevelsDb: feats[i].bandLevelsDb, mixLevelLu: targets[i] ?? -120,
    dcOffset: hasDcOffset(inputs[i].analysis.dcOffset, feats[i].loudnessLufs),
  })).map((e, i) => (targets[i] === null ? { ...e, importance: -1, bandLevelsDb: e.bandLevelsDb.map(() => -120) } : e)));

  const pans = decidePanning(inputs.map((s, i) => ({
    name: names[i], policy: specs[i].pan, isStereo: feats[i].isStereo, correlation: feats[i].correlation, centroidHz: feats[i].centroidHz,
    fileChannels: s.analysis.channels, weight: targets[i] === null ? 0 : Math.pow(10, (targets[i] as number) / 10),
    isMuted: targets[i] === null,
  })), -3);
  if (pans.mono.problemStems.length > 0) warnings.push(`mono compatibility: ${pans.mono.problemStems.join(', ')} fold badly to mono (negative correlation); check their polarity`);
  if (pans.mono.mixMonoFoldDb < -3) warnings.push(`mono compatibility: the mix loses ${(-pans.mono.mixMonoFoldDb).toFixed(1)} dB in mono`);

  const reverb = opts.reverb ?? true;
  const glue = opts.glue ?? true;
  const tracks: SessionTrack[] = [];
  const stems: StemDecision[] = inputs.map((s, i) => {
    const f = feats[i];
    const spec = specs[i];
    const muted = f.loudnessLufs === null;
    const trimDb = muted ? 0 : round2(STAGE_LUFS - (f.loudnessLufs as number));
    const comp = decideCompression(f.crestDb, spec.compRatio, spec.compAttackMs, spec.compReleaseMs);
    const eqChange = eqLoudnessChangeDb(f, eqs[i].bands, sampleRate);
    let faderDb = muted ? 0 : (targets[i] as number) - STAGE_LUFS - eqChange - comp.loudnessChangeDb - pans.pans[i].panLossDb;
    if (faderDb > 24 || faderDb < -120) {
      warnings.push(`${names[i]}: fader ${faderDb.toFixed(1)} dB out of range, limited`);
      faderDb = Math.max(-120, Math.min(24, faderDb));
    }
    faderDb = round2(faderDb);
    const sendDb = reverb && !muted ? spec.reverbSendDb : null;
    const inserts: InsertSpec[] = [{ type: 'gain', gainDb: trimDb }];
    if (eqs[i].bands.length > 0) inserts.push({ type: 'eq', bands: eqs[i].bands.map((b) => ({ ...b })) });
    if (comp.insert) inserts.push(comp.insert);
    const track: SessionTrack = { name: names[i], file: s.file, gainDb: faderDb, pan: pans.pans[i].pan, inserts };
    if (muted) track.mute = true;
    if (sendDb !== null) track.sends = [{ bus: REVERB_BUS, levelDb: sendDb }];
    tracks.push(track);
    return {
      name: names[i], file: s.file, role: roles[i],
      features: { loudnessLufs: f.loudnessLufs, peakDbfs: f.peakDbfs, crestDb: f.crestDb, isStereo: f.isStereo, correlation: f.correlation, activity: f.activity, centroidHz: f.centroidHz, lowFraction: f.lowFraction, highFraction: f.highFraction },
      trimDb, balance: balance[i], targetLufs: targets[i], faderDb, outputGainDb: round2(trimDb + faderDb), pan: pans.pans[i].pan, panReason: pans.pans[i].reason,
      monoFoldDb: pans.pans[i].monoFoldDb, eq: eqs[i], compression: comp, reverbSendDb: sendDb, muted,
    };
  });

  // Predicted mix spectrum: each stem's absolute spectrum moved by its gains and EQ, summed as powers.
  const bandsHz = feats[0].bandsHz;
  const power = new Float64Array(bandsHz.length);
  stems.forEach((d, i) => {
    if (d.muted || feats[i].bandsHz.length !== bandsHz.length) return;
    const h = d.eq.bands.length > 0 ? eqMagnitudeDb(d.eq.bands, bandsHz, sampleRate) : bandsHz.map(() => 0);
    const offset = feats[i].spectrumPeakDb + d.outputGainDb + pans.pans[i].panLossDb;
    for (let b = 0; b < bandsHz.length; b++) power[b] += Math.pow(10, (feats[i].bandLevelsDb[b] + offset + h[b]) / 10);
  });
  const predicted = { bandsHz: bandsHz.slice(), levelsDb: Array.from(power, (p) => (p > 0 ? 10 * Math.log10(p) : null)) };

  let tone: ToneMatch | null = null;
  const masterInserts: InsertSpec[] = [];
  if (glue) masterInserts.push(glueCompressor());
  if (opts.reference) {
    const ref = opts.reference;
    // Same band layout expected (both from the analyzer at the same rate); otherwise match by frequency.
    const refLevels = bandsHz.map((hz) => { const k = ref.bandsHz.indexOf(hz); return k >= 0 ? ref.levelsDb[k] : null; });
    tone = matchTone(bandsHz, predicted.levelsDb, refLevels, sampleRate);
    if (tone.bands.length > 0) masterInserts.push({ type: 'eq', bands: tone.bands.map((b) => ({ ...b })) });
  }

  const session: Session = {
    sampleRate,
    panLawDb: -3,
    tailSeconds: reverb ? 2 : 0,
    tracks,
    buses: reverb ? [{ name: REVERB_BUS, inserts: reverbBusInserts() }] : [],
    master: { inserts: masterInserts, gainDb: 0 },
  };
  return {
    session, stems,
    mix: { targetLufs: MIX_TARGET_LUFS, anchorLufs: anchor, mono: pans.mono, glue, reverb, predictedSpectrum: predicted, reference: tone },
    warnings,
  };
}
