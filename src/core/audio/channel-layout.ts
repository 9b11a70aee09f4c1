/**
 * Channel layouts and BS.1770-4 channel weights (Table 3): front channels 1.0, surrounds 1.41 (+1.5 dB),
 * LFE excluded. Layouts follow the WAVE/SMPTE channel order (L R C LFE Ls Rs [Lrs Rrs]).
 */
export type ChannelRole = 'L' | 'R' | 'C' | 'LFE' | 'Ls' | 'Rs' | 'Lrs' | 'Rrs' | 'M' | 'other';

/**
 * BS.1770-4 Table 3 surround weight G = 1.41 (≈ +1.5 dB). The table's value, not 10^(1.5/10) = 1.4125:
 * meters that follow the standard (libebur128 among them) use 1.41, and 5.1 readings then agree exactly.
 */
export const SURROUND_WEIGHT = 1.41;

/** Default roles by channel count, for files that carry no channel mask. */
export function defaultChannelRoles(channels: number): ChannelRole[] {
  switch (channels) {
    case 1: return ['M'];
    case 2: return ['L', 'R'];
    case 3: return ['L', 'R', 'C'];
    case 4: return ['L', 'R', 'Ls', 'Rs'];
    case 5: return ['L', 'R', 'C', 'Ls', 'Rs'];
    case 6: return ['L', 'R', 'C', 'LFE', 'Ls', 'Rs'];
    case 8: return ['L', 'R', 'C', 'LFE', 'Ls', 'Rs', 'Lrs', 'Rrs'];
    default: return Array.from({ length: channels }, () => 'other' as ChannelRole);
  }
}

/** WAVE_FORMAT_EXTENSIBLE dwChannelMask bits, in order, mapped to roles. */
const MASK_ROLES: ChannelRole[] = [
  'L', 'R', 'C', 'LFE', 'Lrs', 'Rrs', 'other', 'other', 'other', 'Ls', 'Rs',
];

/** Roles from a WAVE_FORMAT_EXTENSIBLE channel mask; falls back to defaults when the mask doesn't cover the channels. */
export function channelRolesFromMask(mask: number, channels: number): ChannelRole[] {
  const roles: ChannelRole[] = [];
  for (let bit = 0; bit < 32 && roles.length < channels; bit++) {
    if (mask & (1 << bit)) roles.push(bit < MASK_ROLES.length ? MASK_ROLES[bit] : 'other');
  }
  if (roles.length !== channels) return defaultChannelRoles(channels);
  // A 5.1 "side" layout and a 5.1 "back" layout are both surrounds for BS.1770.
  if (channels === 6) return roles.map((r) => (r === 'Lrs' ? 'Ls' : r === 'Rrs' ? 'Rs' : r));
  return roles;
}

/** BS.1770 weight G_i for a channel role. */
export function channelWeight(role: ChannelRole): number {
  switch (role) {
    case 'LFE': return 0;
    case 'Ls': case 'Rs': case 'Lrs': case 'Rrs': return SURROUND_WEIGHT;
    default: return 1;
  }
}

/** BS.1770 weights for a channel count (default layout). */
export function channelWeights(channels: number, roles?: ChannelRole[]): number[] {
  return (roles ?? defaultChannelRoles(channels)).map(channelWeight);
}
