/** The insert catalog: every parameter's name carries its unit, and every insert is usable from a chain. */
import { describe, expect, it } from 'vitest';
import { createInsert, INSERTS, validateChain } from '../../../src/core/dsp/insert-catalog.js';

/** Unit suffixes a parameter name must end with (shared/STYLE.md #1). */
const SUFFIX: Record<string, RegExp> = {
  dB: /Db$/, dBTP: /Dbtp$/, dBFS: /Dbfs$/, Hz: /Hz$/, ms: /Ms$/, s: /Seconds$/, percent: /Percent$/, 'dB/oct': /DbPerOct$/, frames: /Frames$/, beats: /^beats$/, bpm: /^bpm$/,
};

describe('insert catalog', () => {
  it('every numeric parameter name ends with its unit', () => {
    for (const def of INSERTS) {
      for (const [name, spec] of Object.entries(def.params)) {
        if (spec.kind !== 'number') continue;
        const re = SUFFIX[spec.unit];
        if (re) expect(name, `${def.type}.${name} (${spec.unit})`).toMatch(re);
        expect(spec.min <= spec.default && spec.default <= spec.max, `${def.type}.${name} default in range`).toBe(true);
      }
    }
  });

  it('every insert validates with defaults and runs from a chain', () => {
    for (const def of INSERTS) {
      const spec = def.type === 'eq' ? { type: 'eq', bands: [{ type: 'bell', freqHz: 1000, gainDb: 3 }] } : { type: def.type };
      const v = validateChain([spec]);
      expect(v.ok, def.type).toBe(true);
      const p = createInsert(spec, { sampleRate: 48000, channels: 2, maxBlockFrames: 256 });
      const x = [new Float32Array(256).fill(0.1), new Float32Array(256).fill(-0.1)];
      const y = [new Float32Array(256), new Float32Array(256)];
      p.process(x, y, 256, x);
      for (const ch of y) for (const s of ch) expect(Number.isFinite(s)).toBe(true);
    }
  });

  it('names the path and the rule of a bad value', () => {
    const r = validateChain([{ type: 'gain' }, { type: 'multiband', crossoversHz: [2000, 200] }, { type: 'limiter', ceilingDbtp: 3 }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([
      { path: 'chain[1].crossoversHz', message: 'must be ascending' },
      { path: 'chain[2].ceilingDbtp', message: 'must be <= 0' },
    ]);
  });
});
