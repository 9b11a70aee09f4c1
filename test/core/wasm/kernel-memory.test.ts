import { expect, it } from 'vitest';
import { LoudnessMeter } from '../../../src/core/analysis/loudness-meter.js';
import { TruePeakMeter } from '../../../src/core/analysis/true-peak-meter.js';
import type { Session } from '../../../src/core/mix/session-schema.js';
import { wasmKernels } from '../../../src/core/wasm/kernels.js';
import { mixInMemory, noise } from '../mix/mix-harness.js';

/*
 * Growing the kernels' memory detaches its old ArrayBuffer, and once any ArrayBuffer of a thread has been
 * detached V8 checks for detachment in every optimized typed-array access of that thread from then on
 * (its "array buffer detaching" protector is gone): JavaScript DSP loops ran 1.2 → 2.0 ns per element in a
 * micro-benchmark, and `master` took 11 % longer. So the memory starts at 16 MB (assembly/build.mjs,
 * untouched pages cost nothing), and a large mix and the meters must fit in it. This file runs in its
 * own worker (vitest isolates files): the kernels start fresh here.
 */
it('the kernels\' memory starts large enough that a 64-track mix in it and the meters never grow it', async () => {
  const k = wasmKernels()!;
  const start = k.exports.memory.buffer;
  const TRACKS = 64;
  const stems: Record<string, Float32Array[]> = {};
  for (let i = 0; i < TRACKS; i++) stems[`s${i}.wav`] = [noise(24000, 0.3, 2 * i + 1), noise(24000, 0.3, 2 * i + 2)];
  const session: Session = {
    tracks: Array.from({ length: TRACKS }, (_, i) => ({
      name: `t${i}`, file: `s${i}.wav`, output: `g${i % 4}`,
      inserts: [
        { type: 'eq', bands: [{ type: 'highpass', freqHz: 40, slopeDbPerOct: 24 }, { type: 'bell', freqHz: 300, gainDb: -2, q: 1 }, { type: 'highshelf', freqHz: 8000, gainDb: 2 }] },
        { type: 'compressor', thresholdDb: -24, ratio: 3 },
      ],
      sends: [{ bus: 'verbA', levelDb: -20 }, { bus: 'verbB', levelDb: -24 }],
    })),
    buses: [...[0, 1, 2, 3].map((g) => ({ name: `g${g}` })), { name: 'verbA', inserts: [{ type: 'reverb' }] }, { name: 'verbB', inserts: [{ type: 'reverb', decaySeconds: 3 }] }],
    master: { inserts: [{ type: 'compressor', thresholdDb: -12, ratio: 2 }, { type: 'limiter', ceilingDbtp: -1 }] },
  } as Session;
  // kernelMemory: the clips' and tracks' buffers in the kernels' memory, as in a mix worker.
  const { out } = await mixInMemory(session, stems, 48000, 2048, { renderer: { kernelMemory: true } });
  const loud = new LoudnessMeter({ sampleRate: 48000, channels: 2 });
  loud.push(out, out[0].length);
  const tp = new TruePeakMeter({ sampleRate: 48000, channels: 2 });
  tp.push(out, out[0].length);
  expect(out[0].some((v) => v !== 0)).toBe(true);
  // A grow would have detached `start` (its length 0) and put a new buffer in its place.
  expect(start.byteLength).toBeGreaterThan(0);
  expect(k.exports.memory.buffer).toBe(start);
});
