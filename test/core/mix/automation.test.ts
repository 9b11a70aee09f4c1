import { describe, expect, it } from 'vitest';
import { AutomationLane } from '../../../src/core/mix/automation.js';
import type { Session } from '../../../src/core/mix/session-schema.js';
import { mixInMemory } from './mix-harness.js';

const SR = 1000; // 1 frame = 1 ms: breakpoints at whole frames
const db = (x: number) => Math.pow(10, x / 20);

describe('AutomationLane', () => {
  it('linear: breakpoint values and midpoints exactly (amplitude domain for dB)', () => {
    const lane = new AutomationLane([[0.1, -60], [0.3, -6], [0.5, -6]], 'linear', SR, true);
    const out = new Float64Array(600);
    lane.fill(out, 0, 600);
    expect(out[0]).toBe(db(-60));
    expect(out[100]).toBe(db(-60));
    expect(out[300]).toBe(db(-6));
    expect(out[200]).toBeCloseTo((db(-60) + db(-6)) / 2, 15);
    expect(out[150]).toBeCloseTo(db(-60) + 0.25 * (db(-6) - db(-60)), 15);
    expect(out[599]).toBe(db(-6));
  });
  it('exponential: straight line in dB', () => {
    const lane = new AutomationLane([[0, -60], [1, 0]], 'exponential', SR, true);
    for (const n of [0, 250, 500, 1000]) expect(20 * Math.log10(lane.physicalAt(n))).toBeCloseTo(-60 + 60 * (n / 1000), 10);
  });
  it('step: holds until the next breakpoint', () => {
    const lane = new AutomationLane([[0, 1], [0.01, 2]], 'step', SR, false);
    const out = new Float64Array(20);
    lane.fill(out, 0, 20);
    expect(out[9]).toBe(1);
    expect(out[10]).toBe(2);
  });
  it('fill() in any block split equals per-sample evaluation', () => {
    const pts: [number, number][] = [[0.0123, 0.2], [0.0567, -0.7], [0.0568, 0.9], [0.2, 0.1]];
    const lane = new AutomationLane(pts, 'linear', SR, false);
    const whole = new Float64Array(300);
    lane.fill(whole, 0, 300);
    const ref = new AutomationLane(pts, 'linear', SR, false);
    for (let n = 0; n < 300; n++) expect(whole[n]).toBeCloseTo(ref.physicalAt(n), 14);
    const parts = new Float64Array(300);
    for (let o = 0; o < 300; o += 7) { const tmp = new Float64Array(7); const k = Math.min(7, 300 - o); lane.fill(tmp, o, k); parts.set(tmp.subarray(0, k), o); }
    expect(Array.from(parts)).toEqual(Array.from(whole));
  });
});

describe('automation in the mix (sample-accurate)', () => {
  const dc = [new Float32Array(1200).fill(0.5), new Float32Array(1200).fill(0.5)];
  it('fader ramp: values at breakpoints and at the linear midpoint', async () => {
    const session = { tracks: [{ name: 't', file: 't', automation: { gainDb: [[0.2, -60], [0.6, -6]] } }] } as unknown as Session;
    for (const block of [1024, 37]) {
      const { out } = await mixInMemory(session, { t: dc }, SR, block);
      expect(out[0][0]).toBe(Math.fround(0.5 * db(-60)));
      expect(out[0][200]).toBe(Math.fround(0.5 * db(-60)));
      expect(out[0][400]).toBeCloseTo(Math.fround(0.5 * (db(-60) + db(-6)) / 2), 8);
      expect(out[1][600]).toBe(Math.fround(0.5 * db(-6)));
      expect(out[1][1199]).toBe(Math.fround(0.5 * db(-6)));
    }
  });
  it('pan and send-level automation', async () => {
    const mono = [new Float32Array(1000).fill(1)];
    const session = {
      panLawDb: -6,
      tracks: [{ name: 't', file: 't', output: 'off', sends: [{ bus: 'fx', levelDb: 0 }], automation: { pan: [[0, -1], [1, 1]], 'sends[0].levelDb': { curve: 'step', points: [[0, 0], [0.5, -6]] } } }],
      buses: [{ name: 'off', mute: true }, { name: 'fx' }],
    } as unknown as Session;
    const { out } = await mixInMemory(session, { t: mono }, SR, 128);
    // pan(n) = −1 + 2n/1000; −6 dB law: gL = 1 − x, x = (pan+1)/2 = n/1000.
    expect(out[0][250]).toBe(Math.fround(0.75));
    expect(out[1][250]).toBe(Math.fround(0.25));
    expect(out[0][750]).toBe(Math.fround(0.25 * db(-6)));
  });
});
