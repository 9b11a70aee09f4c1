import { describe, expect, it } from 'vitest';
import { runCascade, runCascadeStereo } from '../../../src/core/dsp/biquad-kernels.js';
import { lcg } from '../../helpers/bit-exact.js';

/**
 * Independent one-section-at-a-time direct form I (the definition the fused kernels must reproduce bit
 * for bit): y = b0·x + b1·x1 + b2·x2 − a2·y2 − a1·y1, |y| < 1e-30 → 0; identity sections pass the signal
 * and keep x = y = their input; a section ending non-finite clears its state and output.
 */
function reference(c: Float64Array, ns: number, st: Float64Array, base: number, buf: Float64Array, n: number): void {
  for (let s = 0; s < ns; s++) {
    const [b0, b1, b2, a1, a2] = c.subarray(s * 5, s * 5 + 5);
    const so = base + s * 4;
    if (b0 === 1 && b1 === 0 && b2 === 0 && a1 === 0 && a2 === 0) {
      const l2 = n >= 2 ? buf[n - 2] : st[so];
      st.set([buf[n - 1], l2, buf[n - 1], l2], so);
      continue;
    }
    let [x1, x2, y1, y2] = st.subarray(so, so + 4);
    for (let i = 0; i < n; i++) {
      const x = buf[i];
      let y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
      if (Math.abs(y) < 1e-30) y = 0;
      [x2, x1, y2, y1] = [x1, x, y1, y];
      buf[i] = y;
    }
    if (!Number.isFinite(y1 + y2 + x1 + x2)) {
      x1 = x2 = y1 = y2 = 0;
      buf.fill(0, 0, n);
    }
    st.set([x1, x2, y1, y2], so);
  }
}

const IDENTITY = [1, 0, 0, 0, 0];
/** A stable resonant section: zeros at radius rz, poles at radius rp, angle w. */
const section = (w: number, rz: number, rp: number, g = 1) => [g, -2 * g * rz * Math.cos(w), g * rz * rz, -2 * rp * Math.cos(w), rp * rp];

function check(sections: number[][], blocks: number[], signal: (i: number) => number): void {
  const ns = sections.length;
  const c = Float64Array.from(sections.flat());
  const total = blocks.reduce((a, b) => a + b, 0);
  const ref = [new Float64Array(ns * 4), new Float64Array(ns * 4)];
  const mono = new Float64Array(ns * 4 * 2);
  const stereo = new Float64Array(ns * 4 * 2);
  const outRef = [new Float64Array(total), new Float64Array(total)];
  const outMono = [new Float64Array(total), new Float64Array(total)];
  const outStereo = [new Float64Array(total), new Float64Array(total)];
  let off = 0;
  for (const n of blocks) {
    const bufs = [0, 1].map((ch) => Float64Array.from({ length: n }, (_, i) => signal((off + i) * 2 + ch)));
    for (let ch = 0; ch < 2; ch++) {
      const r = bufs[ch].slice();
      reference(c, ns, ref[ch], 0, r, n);
      outRef[ch].set(r, off);
      const m = bufs[ch].slice();
      runCascade(c, ns, mono, ch * ns * 4, m, n);
      outMono[ch].set(m, off);
    }
    const a = bufs[0].slice();
    const b = bufs[1].slice();
    runCascadeStereo(c, ns, stereo, 0, ns * 4, a, b, n);
    outStereo[0].set(a, off);
    outStereo[1].set(b, off);
    off += n;
  }
  for (let ch = 0; ch < 2; ch++) {
    expect(Array.from(outMono[ch])).toEqual(Array.from(outRef[ch]));
    expect(Array.from(outStereo[ch])).toEqual(Array.from(outRef[ch]));
    expect(Array.from(mono.subarray(ch * ns * 4, (ch + 1) * ns * 4))).toEqual(Array.from(ref[ch]));
    expect(Array.from(stereo.subarray(ch * ns * 4, (ch + 1) * ns * 4))).toEqual(Array.from(ref[ch]));
  }
}

describe('biquad kernels (fused sections and channels)', () => {
  const rnd = lcg(7);
  const noise = Array.from({ length: 20000 }, () => rnd() * 2 - 1);
  const sig = (i: number) => noise[i % noise.length];
  const blocks = [256, 1, 2, 3, 255, 17, 256, 1, 100];

  it('equal the one-by-one cascade bit for bit, with identity sections between and around pairs', () => {
    check([section(0.1, 0.9, 0.95), IDENTITY, section(0.5, 0.7, 0.9, 1.2), IDENTITY, IDENTITY, section(2, 0.5, 0.6)], blocks, sig);
    check([IDENTITY, section(0.3, 0.99, 0.97), section(1.1, 0.8, 0.85), section(2.5, 0.9, 0.5), IDENTITY], blocks, sig);
    check([section(0.7, 0.9, 0.8)], blocks, sig);
    check([IDENTITY, IDENTITY], blocks, sig);
  });

  it('flush decaying tails to zero exactly like the one-by-one cascade', () => {
    // A burst then digital silence: the states decay through the 1e-30 flush threshold.
    check([section(0.2, 0.5, 0.999), IDENTITY, section(0.05, 0.9, 0.998)], [256, 256, 256, 256, 256, 256, 256, 256], (i) => (i < 400 ? sig(i) : 0));
  });

  it('clear an overflowing section and run the next one on zeros, as the one-by-one cascade does', () => {
    // An unstable first section overflows to non-finite within a few blocks; the second must restart
    // from its own state on zeros (and the pair before overflow must still match).
    const unstable = [1, 0, 0, -2.5, 1.5];
    check([unstable, IDENTITY, section(0.4, 0.9, 0.9)], Array.from({ length: 12 }, () => 256), (i) => sig(i) * 1e30);
    check([section(0.4, 0.9, 0.9), unstable], Array.from({ length: 12 }, () => 256), (i) => sig(i) * 1e30);
  });
});
