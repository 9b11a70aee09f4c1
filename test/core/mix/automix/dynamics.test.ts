import { describe, expect, it } from 'vitest';
import { CREST_COMPRESS_FROM_DB, decideCompression, STAGE_LUFS } from '../../../../src/core/mix/automix/dynamics.js';

describe('decideCompression', () => {
  it('keeps the threshold within the compressor\'s range for any crest: above the body, at most 0 dBFS', () => {
    for (const ratio of [1.5, 2, 3, 4, 8]) {
      for (let crest = CREST_COMPRESS_FROM_DB + 0.5; crest <= 60; crest += 0.5) {
        const d = decideCompression(crest, ratio, 10, 100);
        const t = d.insert!.thresholdDb as number;
        expect(t, `crest ${crest}, ratio ${ratio}`).toBeLessThanOrEqual(0);
        expect(t).toBeGreaterThanOrEqual(STAGE_LUFS + 3 - 0.05);
        expect(d.loudnessChangeDb).toBeLessThan(0);
      }
    }
  });

  it('takes more off the peaks as the crest grows, and says when the threshold sits at its limit', () => {
    const reduction = (crest: number) => Number(/about ([\d.]+) dB/.exec(decideCompression(crest, 4, 10, 100).reason)![1]);
    expect(reduction(14)).toBeLessThan(reduction(20));
    expect(reduction(20)).toBeLessThanOrEqual(reduction(40));
    expect(decideCompression(20, 4, 10, 100).reason).not.toMatch(/limit/);
    // Staged at -23 LUFS, a 40 dB crest peaks at +17 dBFS: with the threshold at 0 the 4:1 takes 12.75 dB.
    expect(decideCompression(40, 4, 10, 100).reason).toMatch(/about 12\.8 dB off the peaks \(threshold at its 0 dBFS limit\)/);
  });
});
