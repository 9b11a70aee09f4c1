import { describe, expect, it } from 'vitest';
import { planAlbum } from '../../../src/core/master/album.js';

describe('planAlbum', () => {
  it('puts the loudest song on the target and keeps every level difference', () => {
    const p = planAlbum([-20, -26.5, null, -18], -14);
    expect(p?.loudestIndex).toBe(3);
    expect(p?.offsetDb).toBeCloseTo(4, 12);
    expect(p?.targetsLufs).toEqual([-16, -22.5, null, -14]);
  });
  it('gives null when every song is silent', () => {
    expect(planAlbum([null, null], -14)).toBeNull();
  });
});
