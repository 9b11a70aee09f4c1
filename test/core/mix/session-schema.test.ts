import { describe, expect, it } from 'vitest';
import { compileSession } from '../../../src/core/mix/render-plan.js';
import { parseSession, SessionError } from '../../../src/core/mix/session-schema.js';

const problems = (data: unknown): string[] => {
  try { parseSession(data, 's.yaml'); return []; } catch (e) { if (e instanceof SessionError) return e.problems.map((p) => `${p.path}: ${p.message}`); throw e; }
};

describe('session validation', () => {
  it('accepts the DESIGN minimum with defaults', () => {
    const s = parseSession({ tracks: [{ name: 'a', file: 'a.wav', sends: [{ bus: 'rev', levelDb: -14 }], automation: { gainDb: [[0, -60], [2, -3]] } }], buses: [{ name: 'rev' }], master: { inserts: [] } }, 's.yaml');
    expect(s.tracks[0].name).toBe('a');
  });
  it('gives paths for bad parameters', () => {
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', pan: 2 }] })).toEqual(['tracks[0].pan: must be <= 1']);
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', inserts: [{ type: 'gain', gainDb: 100 }] }] })).toEqual(['tracks[0].inserts[0].gainDb: must be <= 48']);
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', volume: 1 }] })[0]).toBe('tracks[0].volume: unknown field');
    expect(problems({ tracks: [] })[0]).toMatch(/^tracks: needs at least one track/);
    // A missing required field says so (not "must be an object").
    expect(problems({ tracks: [{ name: 'a' }] })).toEqual(['tracks[0].file: required, missing']);
    expect(problems({})).toEqual(['tracks: required, missing']);
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', sends: [{ levelDb: -3 }] }] })).toEqual(['tracks[0].sends[0].bus: required, missing']);
    expect(problems({ tracks: 'a.wav' })[0]).toMatch(/^tracks: /);
    expect(problems(5)[0]).toMatch(/must be an object \(got 5\)/);
    // A list where an object belongs is named once, not as its missing and unknown fields.
    expect(problems([{ tracks: [] }])).toEqual(['(session): must be an object (got a list)']);
    expect(problems({ tracks: [['a', 'a.wav']] })).toEqual(['tracks[0]: must be an object (got a list)']);
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', sends: [['rev', -3]] }], buses: [{ name: 'rev' }] })).toEqual(['tracks[0].sends[0]: must be an object (got a list)']);
  });
  it('unknown bus, duplicate names, bad automation paths, unknown sidechain source', () => {
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', output: 'drums' }] })[0]).toMatch(/^tracks\[0\]\.output: unknown bus "drums"/);
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', sends: [{ bus: 'x' }] }] })[0]).toMatch(/^tracks\[0\]\.sends\[0\]\.bus: unknown bus "x"/);
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav' }, { name: 'a', file: 'b.wav' }] })[0]).toMatch(/^tracks\[1\]\.name: duplicate name "a"/);
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', automation: { volume: [[0, 1]] } }] })[0]).toMatch(/^tracks\[0\]\.automation\.volume: unknown automation target/);
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', inserts: [{ type: 'gain' }], automation: { 'inserts[0].gainDb': [[0, 1]], 'inserts[1].gainDb': [[0, 1]] } }] }))
      .toEqual(['tracks[0].automation.inserts[1].gainDb: there is no insert 1']);
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', automation: { pan: [[0, 3]] } }] })).toEqual(['tracks[0].automation.pan[0][1]: must be between -1 and 1']);
    expect(problems({ tracks: [{ name: 'a', file: 'a.wav', automation: { pan: [[1, 0], [0, 1]] } }] })[0]).toMatch(/^tracks\[0\]\.automation\.pan.*times must not decrease/);
  });
  it('names a routing cycle (found by the compiler, before anything renders)', () => {
    const s = parseSession({ tracks: [{ name: 't', file: 'a.wav', output: 'busA' }], buses: [{ name: 'busA', output: 'busB' }, { name: 'busB', output: 'busA' }] }, 's.yaml');
    expect(() => compileSession(s, [{ channels: 2, frames: 10 }], { sampleRate: 48000 })).toThrow(/^buses\[0\]\.output: routing cycle: busA -> busB -> busA$/);
    const s2 = parseSession({ tracks: [{ name: 't', file: 'a.wav', output: 'busA' }], buses: [{ name: 'busA', sends: [{ bus: 'busC' }] }, { name: 'busC', output: 'busA' }] }, 's.yaml');
    expect(() => compileSession(s2, [{ channels: 2, frames: 10 }], { sampleRate: 48000 })).toThrow(/^buses\[0\]\.sends\[0\]\.bus: routing cycle: busA -> busC -> busA$/);
  });
});
