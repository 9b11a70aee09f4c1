import { describe, expect, it } from 'vitest';
import { LongTermSpectrum } from '../../../src/core/analysis/spectrum.js';

describe('LongTermSpectrum', () => {
  it('1 kHz sine at -6 dBFS lands at -6 ±0.5 dB in the 1 kHz band, other bands far below', () => {
    const fs = 48000;
    const n = fs * 4;
    const a = Math.pow(10, -6 / 20);
    const x = Float32Array.from({ length: n }, (_, i) => a * Math.sin((2 * Math.PI * 1000 * i) / fs));
    const sp = new LongTermSpectrum(fs, 2);
    for (let i = 0; i < n; i += 1000) sp.push([x.subarray(i), x.subarray(i)], Math.min(1000, n - i));
    const r = sp.result();
    const k = r.bandsHz.indexOf(1000);
    console.log(`1 kHz band: ${r.levelsDb[k]!.toFixed(3)} dB`);
    expect(r.levelsDb[k]!).toBeGreaterThan(-6.5);
    expect(r.levelsDb[k]!).toBeLessThan(-5.5);
    r.levelsDb.forEach((l, i) => {
      if (Math.abs(i - k) >= 2) expect(l === null || l < -60).toBe(true);
    });
    expect(r.bandsHz[0]).toBe(20);
    expect(r.bandsHz[r.bandsHz.length - 1]).toBe(20000);
  });
  it('pink noise is flat ±1 dB from 50 Hz to 16 kHz (44.1 kHz)', () => {
    const fs = 44100;
    const n = fs * 60;
    // Pink noise: Paul Kellet's refined filter of white noise (−3 dB/oct within ±0.05 dB, 9.2 Hz..fs/2).
    let seed = 1;
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      const w = seed / 2 ** 32 - 0.5;
      b0 = 0.99886 * b0 + w * 0.0555179; b1 = 0.99332 * b1 + w * 0.0750759; b2 = 0.969 * b2 + w * 0.153852;
      b3 = 0.8665 * b3 + w * 0.3104856; b4 = 0.55 * b4 + w * 0.5329522; b5 = -0.7616 * b5 - w * 0.016898;
      x[i] = 0.1 * (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362);
      b6 = w * 0.115926;
    }
    const sp = new LongTermSpectrum(fs, 1);
    sp.push([x], n);
    const r = sp.result();
    const sel = r.levelsDb.filter((_, i) => r.bandsHz[i] >= 50 && r.bandsHz[i] <= 16000) as number[];
    const mean = sel.reduce((s, v) => s + v, 0) / sel.length;
    const dev = Math.max(...sel.map((v) => Math.abs(v - mean)));
    console.log(`pink noise 50 Hz..16 kHz: max deviation from mean ${dev.toFixed(3)} dB`);
    expect(dev).toBeLessThan(1);
  });
  it('with the length known, windows spread evenly from the start: about as many, and the same long-term levels', () => {
    const fs = 48000;
    const n = fs * 120;
    let seed = 5;
    const x = new Float32Array(n);
    let lp = 0;
    for (let i = 0; i < n; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      lp = 0.9 * lp + 0.1 * (seed / 2 ** 32 - 0.5);
      x[i] = lp + 0.05 * Math.sin((2 * Math.PI * 1000 * i) / fs);
    }
    const dense = new LongTermSpectrum(fs, 1);
    const even = new LongTermSpectrum(fs, 1, n);
    // A hint of one window means "short": every window is analysed. The reference all estimates approximate.
    const all = new LongTermSpectrum(fs, 1, 8192);
    for (let s = 0; s < n; s += 65536) {
      for (const m of [dense, even, all]) m.push([x.subarray(s)], Math.min(65536, n - s));
    }
    const ref = all.result();
    const deviation = (r: ReturnType<LongTermSpectrum['result']>): number => {
      let d = 0;
      let k = 0;
      for (let i = 0; i < ref.bandsHz.length; i++) {
        if (ref.bandsHz[i] < 100) continue;
        d += Math.abs(r.levelsDb[i]! - ref.levelsDb[i]!);
        k++;
      }
      return d / k;
    };
    const a = dense.result();
    const b = even.result();
    expect(b.bandsHz).toEqual(a.bandsHz);
    console.log(`mean |deviation| from all windows, 100 Hz+: dense start ${deviation(a).toFixed(3)} dB, even ${deviation(b).toFixed(3)} dB`);
    // Both sample ~60 of 703 windows: the estimates scatter alike (a few bins per band at 100 Hz).
    expect(deviation(b)).toBeLessThan(0.3);
    expect(deviation(b)).toBeLessThan(1.5 * deviation(a) + 0.05);
    // A length hint shorter than the stream still analyses it all (evenly, just more windows than planned).
    const short = new LongTermSpectrum(fs, 1, 8192 * 4);
    short.push([x], n);
    expect(Math.abs(short.result().levelsDb[17]! - ref.levelsDb[17]!)).toBeLessThan(1e-9);
  });

  describe('flatness (200 Hz - 5 kHz, per window)', () => {
    const fs = 48000;
    const n = fs * 6;
    const flatness = (x: Float32Array) => {
      const sp = new LongTermSpectrum(fs, 1);
      sp.push([x], x.length);
      return sp.result().flatnessDb!;
    };
    const noise = (gain: number) => {
      let seed = 3;
      return Float32Array.from({ length: n }, () => {
        // Sum of 4 uniforms: close enough to Gaussian for the periodogram's exponential bin powers.
        let v = 0;
        for (let k = 0; k < 4; k++) { seed = (seed * 1664525 + 1013904223) >>> 0; v += seed / 2 ** 32 - 0.5; }
        return gain * v;
      });
    };
    it('white noise reads 10·log10(exp(−γ)) = −2.51 dB: exponential bin powers, geometric/arithmetic mean', () => {
      const f = flatness(noise(0.3));
      console.log(`white noise flatness ${f.toFixed(3)} dB`);
      expect(f).toBeGreaterThan(-2.51 - 0.3);
      expect(f).toBeLessThan(-2.51 + 0.3);
    });
    it('a 220 Hz harmonic tone (a pitched part) reads far below noise', () => {
      const x = Float32Array.from({ length: n }, (_, i) => {
        let v = 0;
        for (let h = 1; h <= 40; h++) v += Math.sin((2 * Math.PI * 220 * h * i) / fs) / h;
        return 0.2 * v;
      });
      const f = flatness(x);
      console.log(`220 Hz saw flatness ${f.toFixed(2)} dB`);
      expect(f).toBeLessThan(-15);
    });
    it('does not depend on the level', () => {
      expect(Math.abs(flatness(noise(0.3)) - flatness(noise(0.0003)))).toBeLessThan(1e-6);
    });
    it('is null for silence', () => {
      const sp = new LongTermSpectrum(fs, 1);
      sp.push([new Float32Array(n)], n);
      expect(sp.result().flatnessDb).toBeNull();
    });
  });
});
