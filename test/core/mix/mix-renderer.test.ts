import { describe, expect, it } from 'vitest';
import { GROUP_TRACKS, groupMemoryBytes, MixRenderer, renderBlocks, trackGroups } from '../../../src/core/mix/mix-renderer.js';
import { compileSession } from '../../../src/core/mix/render-plan.js';
import type { Session } from '../../../src/core/mix/session-schema.js';
import { maxAbsDiff, mixInMemory, noise } from './mix-harness.js';

const SR = 48000;
const S = (s: unknown) => s as Session;

describe('unity mix', () => {
  it('is the exact sum of its stems (float32 rounding of the exact sum)', async () => {
    const a = [noise(5000, 0.5, 1), noise(5000, 0.5, 2)];
    const b = [noise(3000, 0.9, 3), noise(3000, 0.9, 4)];
    const c = [noise(7000, 0.3, 5), noise(7000, 0.3, 6)];
    const session = S({ tracks: [{ name: 'a', file: 'a' }, { name: 'b', file: 'b' }, { name: 'c', file: 'c' }] });
    const { out } = await mixInMemory(session, { a, b, c }, SR, 1024);
    expect(out[0].length).toBe(7000);
    // Oracle: the sum in double (exact for three float32 values of these magnitudes), rounded to float32 once.
    const expected = [0, 1].map((ch) => Float32Array.from({ length: 7000 }, (_, i) => (a[ch][i] ?? 0) + (b[ch][i] ?? 0) + (c[ch][i] ?? 0)));
    expect(maxAbsDiff(out, expected)).toBe(0);
  });

  it('places clips on the timeline with trim-in, and block size does not change the result', async () => {
    const a = [noise(4000, 0.5, 7), noise(4000, 0.5, 8)];
    const session = S({ tracks: [{ name: 'a', file: 'a', startSeconds: 100 / SR, trimInSeconds: 30 / SR, trimOutSeconds: 2030 / SR }] });
    const r1 = await mixInMemory(session, { a }, SR, 1024);
    const r2 = await mixInMemory(session, { a }, SR, 61);
    expect(r1.out[0].length).toBe(2100);
    expect(maxAbsDiff(r1.out, r2.out)).toBe(0);
    for (let i = 0; i < 100; i++) expect(r1.out[0][i]).toBe(0);
    for (let i = 100; i < 2100; i++) expect(r1.out[1][i]).toBe(a[1][i - 100 + 30]);
  });

  it('applies linear fades in clip time', async () => {
    const one = [new Float32Array(1000).fill(1), new Float32Array(1000).fill(1)];
    const session = S({ tracks: [{ name: 'a', file: 'a', fadeInSeconds: 100 / SR, fadeOutSeconds: 200 / SR }] });
    const { out } = await mixInMemory(session, { a: one }, SR, 64);
    expect(out[0][0]).toBe(0);
    expect(out[0][50]).toBe(0.5);
    expect(out[0][100]).toBe(1);
    expect(out[0][800]).toBe(1);
    expect(out[0][900]).toBe(Math.fround(100 / 200));
    expect(out[0][999]).toBe(Math.fround(1 / 200));
  });
});

describe('pan law', () => {
  const mono = [new Float32Array(256).fill(0.5)];
  // Oracles: the pan-law definitions (x = (pan+1)/2): −3 dB cos/sin, −6 dB linear, 0 dB min(1, 2·…), −4.5 dB geometric mean.
  const laws: [number, (x: number) => [number, number]][] = [
    [-3, (x) => [Math.cos((Math.PI / 2) * x), Math.sin((Math.PI / 2) * x)]],
    [-6, (x) => [1 - x, x]],
    [0, (x) => [Math.min(1, 2 * (1 - x)), Math.min(1, 2 * x)]],
    [-4.5, (x) => [Math.sqrt((1 - x) * Math.cos((Math.PI / 2) * x)), Math.sqrt(x * Math.sin((Math.PI / 2) * x))]],
  ];
  for (const [law, gains] of laws) {
    it(`mono source, law ${law} dB: exact levels at pan -1, -0.5, 0, 0.3, 1`, async () => {
      for (const pan of [-1, -0.5, 0, 0.3, 1]) {
        const { out } = await mixInMemory(S({ panLawDb: law, tracks: [{ name: 'm', file: 'm', pan }] }), { m: mono }, SR);
        const [gl, gr] = gains((pan + 1) / 2);
        // Exact float32 equality (12 decimals only absorbs cos(π/2) = 6e-17 of the oracle at hard pan).
        expect(out[0][10]).toBeCloseTo(Math.fround(0.5 * gl), 12);
        expect(out[1][10]).toBeCloseTo(Math.fround(0.5 * gr), 12);
      }
    });
  }
  it('default law is -3 dB at centre (1/sqrt 2)', async () => {
    const { out } = await mixInMemory(S({ tracks: [{ name: 'm', file: 'm' }] }), { m: mono }, SR);
    expect(out[0][0]).toBe(Math.fround(0.5 * Math.SQRT1_2));
    expect(20 * Math.log10(out[0][0] / 0.5)).toBeCloseTo(-3.0103, 4);
  });
  it('stereo source: pan is balance (0 dB law), unity at centre', async () => {
    const st = [new Float32Array(64).fill(0.5), new Float32Array(64).fill(0.25)];
    const { out } = await mixInMemory(S({ tracks: [{ name: 's', file: 's', pan: 0.5 }] }), { s: st }, SR);
    expect(out[0][0]).toBe(0.25); // left at 2(1−x) = 0.5
    expect(out[1][0]).toBe(0.25); // right at 1
  });
});

describe('multichannel sources', () => {
  it('downmix 5.1 to stereo with the BS.775 coefficients (C, Ls, Rs at 1/sqrt 2; LFE dropped)', async () => {
    const ch = [0.1, 0.2, 0.3, 0.9, 0.05, 0.07].map((v) => new Float32Array(32).fill(v));
    const { out } = await mixInMemory(S({ tracks: [{ name: 's', file: 's' }] }), { s: ch }, SR);
    const k = Math.SQRT1_2;
    expect(out[0][0]).toBeCloseTo(Math.fround(0.1) + k * Math.fround(0.3) + k * Math.fround(0.05), 6);
    expect(out[1][0]).toBeCloseTo(Math.fround(0.2) + k * Math.fround(0.3) + k * Math.fround(0.07), 6);
  });
  it('rejects an unknown layout before rendering', async () => {
    const ch = Array.from({ length: 7 }, () => new Float32Array(8));
    await expect(mixInMemory(S({ tracks: [{ name: 's', file: 's' }] }), { s: ch }, SR)).rejects.toThrow(/tracks\[0\]\.file: .*7 channels without a known layout/);
  });
});

describe('sends', () => {
  const x = [noise(2000, 0.5, 11), noise(2000, 0.5, 12)];
  const run = (gainDb: number, preFader: boolean) => mixInMemory(S({
    tracks: [{ name: 't', file: 't', gainDb, output: 'dry', sends: [{ bus: 'fx', levelDb: -6, preFader }] }],
    buses: [{ name: 'dry' }, { name: 'fx' }],
  }), { t: x }, SR);
  // Isolate the send: mute the dry path via a separate render with the main output going to a muted bus.
  const sendOnly = (gainDb: number, preFader: boolean) => mixInMemory(S({
    tracks: [{ name: 't', file: 't', gainDb, output: 'dry', sends: [{ bus: 'fx', levelDb: -6, preFader }] }],
    buses: [{ name: 'dry', mute: true }, { name: 'fx' }],
  }), { t: x }, SR);
  const s = Math.pow(10, -6 / 20);

  it('post-fader send follows the fader', async () => {
    for (const g of [0, -10]) {
      const { out } = await sendOnly(g, false);
      const f = Math.pow(10, g / 20);
      expect(maxAbsDiff(out, x.map((ch) => ch.map((v) => v * f * s)))).toBeLessThan(1e-7);
    }
  });
  it('pre-fader send does not follow the fader', async () => {
    for (const g of [0, -10, -120]) {
      const { out } = await sendOnly(g, true);
      expect(maxAbsDiff(out, x.map((ch) => ch.map((v) => v * s)))).toBeLessThan(1e-7);
    }
  });
  it('dry + post-fader send sum at the master', async () => {
    const { out } = await run(-10, false);
    const f = Math.pow(10, -10 / 20);
    expect(maxAbsDiff(out, x.map((ch) => ch.map((v) => v * f * (1 + s))))).toBeLessThan(1e-7);
  });
});

describe('latency compensation', () => {
  const a = [noise(3000, 0.5, 21), noise(3000, 0.5, 22)];
  const b = [noise(2500, 0.5, 23), noise(2500, 0.5, 24)];

  it('a latent track nulls against its dry twin with inverted polarity (exactly)', async () => {
    const { out, plan } = await mixInMemory(S({
      tracks: [
        { name: 'wet', file: 'a', inserts: [{ type: 'fakelatency', frames: 37 }] },
        { name: 'dry', file: 'a', invertPolarity: true },
      ],
    }), { a }, SR, 256);
    expect(plan.latencyFrames).toBe(37);
    expect(out[0].length).toBe(3000); // full length, starting at t = 0
    expect(maxAbsDiff(out, [new Float32Array(3000), new Float32Array(3000)])).toBe(0);
  });

  it('aligns paths at every merge point: sends, nested buses, master inserts', async () => {
    const session = S({
      tracks: [
        { name: 'a', file: 'a', inserts: [{ type: 'fakelatency', frames: 100 }], output: 'grp', sends: [{ bus: 'fx', levelDb: 0 }] },
        { name: 'b', file: 'b', output: 'grp' },
      ],
      buses: [
        { name: 'grp', inserts: [{ type: 'fakelatency', frames: 13 }] },
        { name: 'fx', inserts: [{ type: 'fakelatency', frames: 250 }] },
      ],
      master: { inserts: [{ type: 'fakelatency', frames: 7 }] },
    });
    const { out, plan } = await mixInMemory(session, { a, b }, SR, 128);
    // a (via grp) + b (via grp) + a (via fx): every path aligned, master latency removed.
    expect(plan.latencyFrames).toBe(100 + 250 + 7);
    const expected = [0, 1].map((c) => Float32Array.from({ length: 3000 }, (_, i) => 2 * a[c][i] + (b[c][i] ?? 0)));
    expect(maxAbsDiff(out, expected)).toBeLessThan(1e-6);
  });
});

describe('sidechain routing', () => {
  it('routes the source post-fader signal, aligned to the consumer insert', async () => {
    const a = [noise(2000, 0.5, 31), noise(2000, 0.5, 32)];
    const b = [noise(2000, 0.5, 33), noise(2000, 0.5, 34)];
    const { out } = await mixInMemory(S({
      tracks: [
        { name: 'kick', file: 'a', gainDb: -6, inserts: [{ type: 'fakelatency', frames: 40 }] },
        { name: 'bass', file: 'b', inserts: [{ type: 'scadd', gain: 1, sidechain: { source: 'kick' } }] },
      ],
    }), { a, b }, SR, 100);
    // bass output = bass + kick(post-fader), both aligned; master = kick + bass + kick.
    const g = Math.pow(10, -6 / 20);
    const expected = [0, 1].map((c) => Float32Array.from({ length: 2000 }, (_, i) => 2 * g * a[c][i] + b[c][i]));
    expect(maxAbsDiff(out, expected)).toBeLessThan(1e-6);
  });
});

describe('null tests through real look-ahead processors (catalog)', () => {
  const x = [noise(24000, 0.05, 41), noise(24000, 0.05, 42)]; // peaks -26 dBFS: nothing acts
  const cases: [string, Record<string, unknown>][] = [
    ['limiter', { type: 'limiter', ceilingDbtp: -1, lookaheadMs: 5 }],
    ['compressor', { type: 'compressor', thresholdDb: -6, ratio: 4, lookaheadMs: 3 }],
  ];
  for (const [name, ins] of cases) {
    it(`${name} that does not act nulls against its inverted dry twin (< -90 dB)`, async () => {
      const { out, plan } = await mixInMemory(S({
        tracks: [{ name: 'wet', file: 'x', inserts: [ins] }, { name: 'dry', file: 'x', invertPolarity: true }],
      }), { x }, SR, 512);
      expect(plan.latencyFrames).toBeGreaterThan(0);
      const residualDb = 20 * Math.log10(maxAbsDiff(out, [new Float32Array(24000), new Float32Array(24000)]) / 0.05);
      expect(residualDb).toBeLessThan(-90);
    });
  }
});

describe('track groups and split rendering', () => {
  const x = [noise(9000, 0.4, 51), noise(9000, 0.4, 52)];
  const dsp = [{ type: 'eq', bands: [{ type: 'bell', freqHz: 700, gainDb: 4, q: 1 }] }, { type: 'compressor', thresholdDb: -24, ratio: 4, attackMs: 2, releaseMs: 40 }];

  it('partitions tracks into fixed groups of GROUP_TRACKS; sidechain-linked tracks share one; a bus-fed sidechain disables grouping', () => {
    const tracks = Array.from({ length: 2 * GROUP_TRACKS + 1 }, (_, i) => ({ name: `t${i}`, file: 'x' }));
    const infos = tracks.map(() => ({ channels: 2, frames: 9000 }));
    const plain = compileSession(S({ tracks }), infos, { sampleRate: SR });
    expect(trackGroups(plain).map((g) => g.tracks.length)).toEqual([GROUP_TRACKS, GROUP_TRACKS, 1]);
    // The last track ducks from track 0: it joins track 0's group, whatever the distance.
    const linked = tracks.map((t, i) => (i === tracks.length - 1 ? { ...t, inserts: [{ type: 'compressor', sidechain: { source: 't0' } }] } : t));
    const g = trackGroups(compileSession(S({ tracks: linked }), infos, { sampleRate: SR }));
    expect(g[0].tracks).toContain(tracks.length - 1);
    const fromBus = compileSession(S({ tracks: [{ name: 'a', file: 'x', output: 'b' }, { name: 'c', file: 'x', inserts: [{ type: 'compressor', sidechain: { source: 'b' } }] }], buses: [{ name: 'b' }] }),
      infos.slice(0, 2), { sampleRate: SR });
    expect(trackGroups(fromBus)).toEqual([]);
  });

  it('groups rendered by a second renderer into shared slots give the same bits as one renderer', async () => {
    const session = S({
      tracks: Array.from({ length: GROUP_TRACKS + 3 }, (_, i) => ({
        name: `t${i}`, file: 'x', trimInSeconds: i / SR, pan: (i % 3) - 1, gainDb: -i, inserts: dsp, output: i % 2 ? 'g' : 'master',
        sends: [{ bus: 'v', levelDb: -12, preFader: i % 2 === 0 }], automation: i === 2 ? { pan: [[0, -1], [0.1, 1]], 'inserts[1].thresholdDb': [[0, -30], [0.15, -12]] } : undefined,
      })),
      buses: [{ name: 'g', inserts: [{ type: 'compressor', thresholdDb: -20, sidechain: { source: 't1' } }] }, { name: 'v', inserts: [{ type: 'reverb', decaySeconds: 0.5 }] }],
    });
    const B = 256;
    const ref = await mixInMemory(session, { x }, SR, B);
    // Split: `worker` renders the track groups ahead into a 3-slot ring; `main` runs the buses.
    const infos = session.tracks.map(() => ({ channels: 2, frames: 9000 }));
    const mk = () => compileSession(session, infos, { sampleRate: SR, maxBlockFrames: B });
    const workerPlan = mk();
    const groups = trackGroups(workerPlan);
    const slots = 3;
    const memory = groups.map((g) => new ArrayBuffer(slots * groupMemoryBytes(g, B)));
    const pos = workerPlan.sources.map((s) => s.trimInFrame);
    const worker = new MixRenderer(workerPlan, (s, out, offset, frames) => {
      const n = Math.max(0, Math.min(frames, 9000 - pos[s]));
      for (let c = 0; c < 2; c++) out[c].set(x[c].subarray(pos[s], pos[s] + n), offset);
      pos[s] += n;
      return n;
    }, { groupMemory: memory, slots });
    const blocks = renderBlocks(workerPlan);
    let produced = 0;
    let consumed = 0;
    const all = groups.map((_, i) => i);
    const main = new MixRenderer(mk(), () => 0, {
      groupMemory: memory, slots,
      renderGroups: async (_r, _n) => {
        // Fill the ring as far as it goes (the worker runs ahead), then hand out the oldest block.
        while (produced - consumed < slots) {
          const next = blocks.next();
          if (next.done) break;
          await worker.renderTrackGroups(next.value[0], next.value[1], all, produced % slots);
          produced++;
        }
        expect(produced).toBeGreaterThan(consumed);
        return consumed % slots;
      },
      releaseGroups: () => { consumed++; },
    });
    const out = [new Float32Array(main.outputFrames), new Float32Array(main.outputFrames)];
    const blk = [new Float32Array(B), new Float32Array(B)];
    for (let done = 0, n; (n = await main.render(blk, B)) > 0; done += n) { out[0].set(blk[0].subarray(0, n), done); out[1].set(blk[1].subarray(0, n), done); }
    expect(maxAbsDiff(out, ref.out)).toBe(0);
  });

  it('automated insert parameters: block size does not change the result', async () => {
    const session = S({ tracks: [{ name: 'a', file: 'x', inserts: dsp, automation: { 'inserts[1].thresholdDb': [[0, -40], [0.15, -10]] } }] });
    const r1 = await mixInMemory(session, { x }, SR, 1024);
    const r2 = await mixInMemory(session, { x }, SR, 333);
    expect(maxAbsDiff(r1.out, r2.out)).toBe(0);
  });

  it('leading silence: a clip moved later gives the same output moved later (skipped lead-in is exact); dither is never skipped', async () => {
    const k = 5000;
    const early = await mixInMemory(S({ tracks: [{ name: 'a', file: 'x', inserts: dsp }] }), { x }, SR, 512);
    const late = await mixInMemory(S({ tracks: [{ name: 'a', file: 'x', inserts: dsp, startSeconds: k / SR }] }), { x }, SR, 512);
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < k; i++) expect(late.out[c][i]).toBe(0);
      expect(maxAbsDiff([late.out[c].subarray(k)], [early.out[c]])).toBe(0);
    }
    const dithered = await mixInMemory(S({ tracks: [{ name: 'a', file: 'x', inserts: [{ type: 'dither', bitDepth: 8 }], startSeconds: k / SR }] }), { x }, SR, 512);
    expect(dithered.out[0].subarray(0, k).some((v) => v !== 0)).toBe(true);
  });
});
