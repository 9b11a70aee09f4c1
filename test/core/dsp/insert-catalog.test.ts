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

  it('checks a multiband insert across its fields, with the path: bands per crossover, at least one crossover', () => {
    const band = { thresholdDb: -20 };
    const problems = (spec: Record<string, unknown>) => { const r = validateChain([{ type: 'multiband', ...spec }]); return r.ok ? [] : r.problems; };
    expect(problems({ crossoversHz: [200], bands: [band] })).toEqual([{ path: 'chain[0].bands', message: 'must have 2 entries (one more than crossoversHz)' }]);
    // Without crossoversHz, the processor's defaults count (two crossovers: three bands).
    expect(problems({ bands: [band, band] })).toEqual([{ path: 'chain[0].bands', message: 'must have 3 entries (one more than crossoversHz)' }]);
    expect(problems({ bands: [band, band, band] })).toEqual([]);
    expect(problems({ crossoversHz: [300, 3000], bands: [band, band, band] })).toEqual([]);
    expect(problems({ crossoversHz: [] })).toEqual([{ path: 'chain[0].crossoversHz', message: 'at least 1 crossover' }]);
  });
});

describe('inserts created from a chain apply their parameters', () => {
  /** Gain of an insert at `hz`, from its steady-state response to a sine (dB). */
  function gainAt(spec: { type: string } & Record<string, unknown>, hz: number, amp = 0.1): number {
    const fs = 48000;
    const n = fs;
    const p = createInsert(spec, { sampleRate: fs, channels: 1, maxBlockFrames: 1024 });
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / fs);
    const y = new Float32Array(n);
    for (let off = 0; off < n; off += 1024) p.process([x.subarray(off, off + 1024)], [y.subarray(off, off + 1024)], Math.min(1024, n - off));
    let ex = 0;
    let ey = 0;
    for (let i = n / 2; i < n; i++) { ex += x[i] * x[i]; ey += y[i] * y[i]; }
    return 10 * Math.log10(ey / ex);
  }

  it('eq bands (minimum and linear phase) take effect: a +12 dB high shelf reads +12 dB at 12 kHz', () => {
    for (const phase of ['minimum', 'linear']) {
      const spec = { type: 'eq', phase, bands: [{ type: 'highshelf', freqHz: 2000, gainDb: 12 }] };
      expect(gainAt(spec, 12000), phase).toBeCloseTo(12, 0);
      expect(gainAt(spec, 100), phase).toBeCloseTo(0, 0);
    }
  });

  it('gain, compressor makeup and limiter input gain take effect', () => {
    expect(gainAt({ type: 'gain', gainDb: -6 }, 1000)).toBeCloseTo(-6, 1);
    expect(gainAt({ type: 'compressor', thresholdDb: 0, makeupDb: 6 }, 1000)).toBeCloseTo(6, 1);
    expect(gainAt({ type: 'limiter', inputGainDb: 6, ceilingDbtp: 0 }, 1000)).toBeCloseTo(6, 1);
  });
});
