/**
 * The renderer's accumulation path: track edges added into group partials in sub-blocks, automation filled
 * per sub-block (AutomationLane.fill with an offset), clips read in place, integer sources unchecked.
 */
import { describe, expect, it } from 'vitest';
import { MixRenderer } from '../../../src/core/mix/mix-renderer.js';
import { AutomationLane } from '../../../src/core/mix/automation.js';
import { compileSession } from '../../../src/core/mix/render-plan.js';
import type { Session } from '../../../src/core/mix/session-schema.js';
import { maxAbsDiff, mixInMemory, noise, testInsert } from './mix-harness.js';

const SR = 48000;
const S = (s: unknown) => s as Session;
const amp = (db: number) => Math.pow(10, db / 20);

describe('AutomationLane.fill with an offset', () => {
  for (const curve of ['linear', 'exponential', 'step'] as const) {
    it(`${curve}: out[offset + i] is the lane at frame start + i, wherever the fill starts`, () => {
      const pts: [number, number][] = [[0.001, -30], [0.004, -6], [0.004, -12], [0.009, 0]];
      const lane = new AutomationLane(pts, curve, SR, true);
      const probe = new AutomationLane(pts, curve, SR, true);
      const out = new Float64Array(600).fill(-1);
      for (const [start, off, n] of [[0, 0, 100], [37, 250, 333], [400, 3, 190], [100, 500, 100]]) {
        lane.fill(out, start, n, off);
        for (let i = 0; i < n; i++) expect(out[off + i]).toBe(probe.physicalAt(start + i));
      }
      // Nothing outside [offset, offset + n) is written.
      const guard = new Float64Array(50).fill(7);
      lane.fill(guard, 10, 20, 15);
      for (let i = 0; i < 50; i++) if (i < 15 || i >= 35) expect(guard[i]).toBe(7);
    });
  }
});

describe('edges added in sub-blocks', () => {
  const N = 6000;
  const a = [noise(N, 0.5, 11), noise(N, 0.5, 12)];
  const b = [noise(N, 0.5, 13), noise(N, 0.5, 14)];
  const c = [noise(N, 0.5, 15), noise(N, 0.5, 16)];
  // Automated fader on a, automated pan on b, automated send level on a; c sends pre-fader.
  const session = S({
    tracks: [
      { name: 'a', file: 'a', automation: { gainDb: [[0, -20], [0.05, 0]], 'sends[0].levelDb': [[0, -6], [0.1, -30]] }, sends: [{ bus: 'v', levelDb: -6 }] },
      { name: 'b', file: 'b', automation: { pan: [[0, -1], [0.1, 1]] } },
      { name: 'c', file: 'c', gainDb: -3, sends: [{ bus: 'v', levelDb: -6, preFader: true }] },
    ],
    buses: [{ name: 'v' }],
  });

  it('automated fader, pan and send level match a per-sample oracle', async () => {
    const { out, plan } = await mixInMemory(session, { a, b, c }, SR, 1024);
    expect(plan.nodes.some((n) => n.kind === 'track')).toBe(true);
    // Oracle, straight from the definitions: dB lanes interpolate amplitude linearly in time; a stereo
    // source's pan is a balance, gains min(1, 2(1−x)), min(1, 2x) with x = (pan+1)/2.
    const lin = (i: number, t1: number, y0: number, y1: number) => (i >= t1 ? y1 : y0 + (y1 - y0) * (i / t1));
    const expected = [new Float64Array(N), new Float64Array(N)];
    for (let i = 0; i < N; i++) {
      const ga = lin(i, 0.05 * SR, amp(-20), 1);
      const la = lin(i, 0.1 * SR, amp(-6), amp(-30));
      const x = (lin(i, 0.1 * SR, -1, 1) + 1) / 2;
      const pb = [Math.min(1, 2 * (1 - x)), Math.min(1, 2 * x)];
      for (let ch = 0; ch < 2; ch++) {
        const aPost = a[ch][i] * ga;
        const cPost = c[ch][i] * amp(-3);
        expected[ch][i] = aPost + b[ch][i] * pb[ch] + cPost + aPost * la + c[ch][i] * amp(-6);
      }
    }
    // Float64 rounding differences only (an offset or ordering slip would be orders of magnitude larger).
    expect(maxAbsDiff(out, expected)).toBeLessThan(1e-6);
  });

  it('block size (and so where sub-blocks fall) does not change a bit', async () => {
    const ref = await mixInMemory(session, { a, b, c }, SR, 1024);
    for (const B of [61, 256, 700, 2048]) {
      const r = await mixInMemory(session, { a, b, c }, SR, B);
      expect(maxAbsDiff(r.out, ref.out)).toBe(0);
    }
  });
});

describe('clip reading in place and integer sources', () => {
  const N = 5000;
  const x = [noise(N, 0.6, 21), noise(N, 0.6, 22)];
  const y = [noise(N, 0.6, 23), noise(N, 0.6, 24)];
  // t0 reads x alone (its work buffers are the clip buffers), inverted, with fades, a gain insert and a clip
  // ending before the output does; t1 and t2 share y (copied); t1 has an echo whose tail runs past its clip.
  const session = S({
    tailSeconds: 0.02,
    tracks: [
      { name: 't0', file: 'x', startSeconds: 300 / SR, trimOutSeconds: 3000 / SR, invertPolarity: true, fadeInSeconds: 200 / SR, fadeOutSeconds: 500 / SR, inserts: [{ type: 'gain', gainDb: 6 }] },
      { name: 't1', file: 'y', inserts: [{ type: 'delay', timeMs: 3, feedback: 0.5, mix: 0.5 }], trimOutSeconds: 2500 / SR },
      { name: 't2', file: 'y', gainDb: -4, trimOutSeconds: 2500 / SR },
    ],
  });
  const stems: Record<string, Float32Array[]> = { x, y };

  async function render(sess: Session, finite: boolean, B: number): Promise<Float32Array[]> {
    const infos = sess.tracks.map((t) => ({ channels: 2, frames: stems[t.file][0].length }));
    const plan = compileSession(sess, infos, { sampleRate: SR, maxBlockFrames: B, createInsert: testInsert });
    const pos = plan.sources.map((s) => s.trimInFrame);
    const r = new MixRenderer(plan, (s, out, offset, frames) => {
      const src = stems[plan.sources[s].file];
      const n = Math.max(0, Math.min(frames, src[0].length - pos[s]));
      for (let ch = 0; ch < out.length; ch++) out[ch].set(src[ch].subarray(pos[s], pos[s] + n), offset);
      pos[s] += n;
      return n;
    }, finite ? { isFiniteSource: () => true } : {});
    const out = [new Float32Array(r.outputFrames), new Float32Array(r.outputFrames)];
    const blk = [new Float32Array(B), new Float32Array(B)];
    for (let done = 0, n; (n = await r.render(blk, B)) > 0; done += n) { out[0].set(blk[0].subarray(0, n), done); out[1].set(blk[1].subarray(0, n), done); }
    return out;
  }

  it('the unchecked path for integer sources gives the same bits as the checked one', async () => {
    for (const B of [64, 1000]) {
      const checked = await render(session, false, B);
      const unchecked = await render(session, true, B);
      expect(maxAbsDiff(unchecked, checked)).toBe(0);
    }
  });

  it('a track working in its clip buffers: inverted, faded, +6 dB, silent outside its clip', async () => {
    const only = await render(S({ ...session, tracks: [session.tracks[0]] }), true, 256);
    const start = 300;
    const clipEnd = start + 3000;
    for (let i = 0; i < only[0].length; i++) if (i < start || i >= clipEnd) expect(only[0][i]).toBe(0);
    // Oracle: −x · fade · 10^(6/20), fades linear in clip frames p (in over 200, out over the last 500).
    for (const i of [start + 50, start + 199, 400, 1000, 2000, 2900, 3000, clipEnd - 1]) {
      const p = i - start;
      const fade = (p < 200 ? p / 200 : 1) * (p >= 2500 ? (3000 - p) / 500 : 1);
      expect(only[0][i]).toBeCloseTo(-x[0][p] * fade * amp(6), 6);
    }
    // In the full mix, after every clip only t1's echo tail is left: the same bits as t1 alone.
    const out = await render(session, true, 256);
    const t1 = await render(S({ ...session, tailSeconds: 0.02 + 800 / SR, tracks: [session.tracks[1]] }), true, 256);
    expect(t1[0].length).toBe(out[0].length);
    let tail = 0;
    for (let i = clipEnd; i < out[0].length; i++) { expect(out[0][i]).toBe(t1[0][i]); tail = Math.max(tail, Math.abs(out[0][i])); }
    expect(tail).toBeGreaterThan(1e-3); // the echo really rings there
  });

  it('an echo on a track reading in place: the same bits as when the clip is copied (shared with a muted twin)', async () => {
    const echo = { name: 'e', file: 'x', startSeconds: 100 / SR, trimOutSeconds: 1500 / SR, inserts: [{ type: 'delay', timeMs: 2, feedback: 0.7, mix: 0.5 }] };
    for (const B of [128, 1024]) {
      const alone = await render(S({ tailSeconds: 0.05, tracks: [echo] }), true, B);
      const shared = await render(S({ tailSeconds: 0.05, tracks: [echo, { ...echo, name: 'twin', mute: true }] }), true, B);
      expect(maxAbsDiff(alone, shared)).toBe(0);
      let tail = 0;
      for (let i = 1600; i < alone[0].length; i++) tail = Math.max(tail, Math.abs(alone[0][i]));
      expect(tail).toBeGreaterThan(1e-3);
    }
  });

  it('non-finite samples are still replaced and counted when the source is not flagged integer', async () => {
    const bad = [Float32Array.from(x[0]), Float32Array.from(x[1])];
    bad[0][1000] = NaN;
    bad[1][1001] = Infinity;
    const s1 = S({ tracks: [{ name: 'n', file: 'n' }] });
    const plan = compileSession(s1, [{ channels: 2, frames: N }], { sampleRate: SR, maxBlockFrames: 512 });
    let pos = 0;
    const r = new MixRenderer(plan, (_s, out, offset, frames) => {
      const n = Math.max(0, Math.min(frames, N - pos));
      for (let ch = 0; ch < 2; ch++) out[ch].set(bad[ch].subarray(pos, pos + n), offset);
      pos += n;
      return n;
    });
    const out = [new Float32Array(N), new Float32Array(N)];
    const blk = [new Float32Array(512), new Float32Array(512)];
    for (let done = 0, n; (n = await r.render(blk, 512)) > 0; done += n) { out[0].set(blk[0].subarray(0, n), done); out[1].set(blk[1].subarray(0, n), done); }
    expect(r.nonFiniteSamples).toBe(2);
    expect(out[0][1000]).toBe(0);
    expect(out[1][1001]).toBe(0);
    expect(out[0][999]).toBe(x[0][999]);
  });
});
