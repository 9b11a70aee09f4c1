import { describe, expect, it } from 'vitest';
import { Reverb } from '../../../src/core/dsp/reverb.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

describeProcessorContract({ name: 'reverb', create: () => new Reverb(), params: { decaySeconds: 0.5, mix: 0.3 }, latencyProbe: { mix: 0.2 }, paramJump: { to: { mix: 0.6 } } });

const FS = 48000;

function impulseResponse(params: Record<string, number>, seconds: number): Float32Array[] {
  const r = new Reverb();
  r.prepare({ sampleRate: FS, channels: 2, maxBlockFrames: 4096 });
  r.setParams({ mix: 1, preDelayMs: 0, ...params });
  r.reset();
  const n = Math.round(seconds * FS);
  const x = [new Float32Array(n), new Float32Array(n)];
  x[0][0] = 1;
  x[1][0] = 1;
  const y = [new Float32Array(n), new Float32Array(n)];
  for (let off = 0; off < n; off += 4096) {
    const m = Math.min(4096, n - off);
    r.process(x.map((c) => c.subarray(off, off + m)), y.map((c) => c.subarray(off, off + m)), m);
  }
  return y;
}

/** RBJ band-pass (constant 0 dB peak), one octave around f0. */
function bandpass(x: Float32Array, f0: number): Float64Array {
  const w0 = (2 * Math.PI * f0) / FS;
  const alpha = Math.sin(w0) * Math.sinh((Math.LN2 / 2) * 1 * (w0 / Math.sin(w0)));
  const a0 = 1 + alpha;
  const b0 = alpha / a0, b2 = -alpha / a0, a1 = (-2 * Math.cos(w0)) / a0, a2 = (1 - alpha) / a0;
  const y = new Float64Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = b0 * x[i] + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1; x1 = x[i]; y2 = y1; y1 = v; y[i] = v;
  }
  return y;
}

/** T30 (ISO 3382-1): Schroeder backward integral, line fit from −5 to −35 dB, extrapolated to 60 dB. */
function t30(h: Float64Array): number {
  const e = new Float64Array(h.length);
  let acc = 0;
  for (let i = h.length - 1; i >= 0; i--) { acc += h[i] * h[i]; e[i] = acc; }
  const db = (i: number) => 10 * Math.log10(e[i] / e[0]);
  let sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
  for (let i = 0; i < h.length; i++) {
    const d = db(i);
    if (d > -5) continue;
    if (d < -35) break;
    const t = i / FS;
    sx += t; sy += d; sxx += t * t; sxy += t * d; n++;
  }
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return -60 / slope;
}

describe('Reverb', () => {
  for (const rt of [0.5, 1.8, 4]) {
    it(`measured T30 at 500 Hz and 1 kHz is within 10 % of decaySeconds = ${rt} s`, () => {
      const ir = impulseResponse({ decaySeconds: rt }, rt * 1.4);
      for (const f of [500, 1000]) {
        const m = t30(bandpass(ir[0], f));
        console.log(`reverb RT60 ${rt} s: T30 at ${f} Hz = ${m.toFixed(3)} s`);
        expect(Math.abs(m / rt - 1)).toBeLessThan(0.1);
      }
    });
  }

  it('decorrelates the wet channels (|correlation| < 0.2 for a mono impulse)', () => {
    const [l, r] = impulseResponse({ decaySeconds: 1.8 }, 1.5);
    let lr = 0, ll = 0, rr = 0;
    for (let i = 0; i < l.length; i++) { lr += l[i] * r[i]; ll += l[i] * l[i]; rr += r[i] * r[i]; }
    expect(Math.abs(lr / Math.sqrt(ll * rr))).toBeLessThan(0.2);
  });

  it('builds no DC: a DC step gives a wet output that returns to ~0', () => {
    const rv = new Reverb();
    rv.prepare({ sampleRate: FS, channels: 2, maxBlockFrames: 4800 });
    rv.setParams({ mix: 1, decaySeconds: 4 });
    rv.reset();
    const x = [new Float32Array(4800).fill(0.5), new Float32Array(4800).fill(0.5)];
    const y = [new Float32Array(4800), new Float32Array(4800)];
    let mean = 0;
    for (let b = 0; b < 60; b++) {
      rv.process(x, y, 4800);
      if (b === 59) mean = y[0].reduce((s, v) => s + v, 0) / 4800;
    }
    expect(Math.abs(mean)).toBeLessThan(0.01);
  });

  it('stays finite and bounded at the parameter extremes', () => {
    for (const p of <Record<string, number>[]>[
      { decaySeconds: 20, sizePercent: 25, dampingHz: 20000 },
      { decaySeconds: 20, sizePercent: 200, dampingHz: 500 },
      { decaySeconds: 0.1, sizePercent: 25, dampingHz: 500, preDelayMs: 250 },
    ]) {
      const [l] = impulseResponse(p, 2);
      let peak = 0;
      for (const v of l) { expect(Number.isFinite(v)).toBe(true); peak = Math.max(peak, Math.abs(v)); }
      expect(peak).toBeLessThan(2);
    }
  });
});
