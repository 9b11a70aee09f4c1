/**
 * Names and tables the CLI needs for validating flags (presets, match aspects, automix roles) and the
 * session error type, re-exported so the CLI imports the API only (shared/DESIGN.md layer rule).
 */
export { findPreset, LOUDNESS_PRESETS, MIN_TARGET_LUFS } from '../core/master/presets.js';
export { MATCH_ASPECTS, type MatchAspect } from '../core/master/reference-match.js';
export { ROLE_NAMES } from '../core/mix/automix/role-table.js';
export { SessionError } from '../core/mix/session-schema.js';
