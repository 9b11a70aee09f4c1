/**
 * Automix defaults the CLI prints in its help. A module of its own (balance.ts imports nothing) so that
 * `mixmaster --help` does not load the vocabulary's DSP modules at start-up.
 */
export { CREST_WEIGHT } from '../core/mix/automix/balance.js';
