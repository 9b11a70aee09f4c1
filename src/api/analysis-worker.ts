/**
 * Worker-thread entry of the parallel analysis (see parallel-analyzer.ts): meters the true peak of a
 * range of channels on the blocks the reading thread publishes in a SharedArrayBuffer ring, then posts
 * the per-channel peaks of the blocks it metered (TruePeakMeter.peaks(false): the reading thread adds the
 * stream's tail) and exits; worker 0 also analyses the spectrum windows queued for it and posts their
 * power sum. Its stream description comes as workerData, or as the first message for a worker started
 * ahead of time.
 *
 * The meter is the same TruePeakMeter the Analyzer runs, fed the same samples, so its peaks are bit for
 * bit those of the single-threaded path (its result does not depend on block sizes either).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SpectrumAccumulator } from '../core/analysis/spectrum.js';
import { TruePeakMeter } from '../core/analysis/true-peak-meter.js';
import { TruePeakWarmup } from '../core/analysis/true-peak-warmup.js';
import { consumedIndex, RING, seqIndex, type TruePeakWorkerData, type WorkerResult } from './parallel-analyzer.js';
import { applyWasmEnv } from './wasm-env.js';

applyWasmEnv();

/** Warm-up slices at most (≈ 100k frames): enough for V8 to compile every tier of the meter. */
const MAX_WARMUP_SLICES = 48;

/**
 * Waits for the stream description, warming the meter's code up meanwhile, one slice per event-loop
 * turn so the message is taken as soon as it arrives.
 */
function warmUntilMessage(): Promise<TruePeakWorkerData> {
  return new Promise((resolve) => {
    let arrived = false;
    parentPort!.once('message', (d: TruePeakWorkerData) => {
      arrived = true;
      resolve(d);
    });
    const warmup = new TruePeakWarmup();
    const next = (): void => {
      if (arrived || warmup.slices >= MAX_WARMUP_SLICES) return;
      warmup.step();
      setImmediate(next);
    };
    setImmediate(next);
  });
}

// A worker started ahead of time (prewarmTruePeakWorker) has no workerData: its stream arrives as the
// first message, so its start-up (and the meter's warm-up) overlaps the reading thread's own.
const data: TruePeakWorkerData = workerData ? (workerData as TruePeakWorkerData) : await warmUntilMessage();
const { slots, channels, blockFrames, historyFrames, firstChannel, channelCount, workerIndex } = data;
const ctrl = new Int32Array(data.control);
const myConsumed = consumedIndex(slots, workerIndex);
const meter = new TruePeakMeter({ sampleRate: data.sampleRate, channels: channelCount });
if (meter.historyFrames !== historyFrames) throw new Error('true-peak worker: ring history does not match the meter');
// Views of this worker's channels in every slot, made once (no allocation per block): the history
// before the block, and the block.
const stride = historyFrames + blockFrames;
const histories: Float32Array[][] = [];
const blocks: Float32Array[][] = [];
for (let s = 0; s < slots; s++) {
  const h: Float32Array[] = [];
  const b: Float32Array[] = [];
  for (let c = 0; c < channelCount; c++) {
    const at = (s * channels + firstChannel + c) * stride * 4;
    h.push(new Float32Array(data.samples, at, historyFrames));
    b.push(new Float32Array(data.samples, at + historyFrames * 4, blockFrames));
  }
  histories.push(h);
  blocks.push(b);
}

// The spectrum's windows (worker 0): analysed in queue order, between blocks, so the power sums are
// those of the reading thread's own LongTermSpectrum bit for bit.
const spec = data.spectrum;
const spectrum = spec ? new SpectrumAccumulator(data.sampleRate, channels) : null;
const windows: Float32Array[][] = [];
if (spec) {
  for (let w = 0; w < spec.slots; w++) windows.push(Array.from({ length: channels }, (_, c) => new Float32Array(spec.samples, (w * channels + c) * spec.size * 4, spec.size)));
}
let windowsDone = 0;

let consumed = 0;
// Index of the last block metered here: the reading thread meters some blocks itself (see
// parallel-analyzer.ts), so a block that does not follow it restarts from the history in its slot.
let last = -1;
for (;;) {
  // Read before looking for work: a wake-up after this is seen as a changed word, never lost.
  const wake = Atomics.load(ctrl, RING.wake);
  const published = Atomics.load(ctrl, RING.published);
  const available = published & RING.countMask;
  if (available > consumed) {
    // Blocks first: they free the ring the reading thread is waiting to fill.
    const s = consumed % slots;
    const seq = ctrl[seqIndex(slots, s)];
    if (seq !== last + 1) meter.restart(histories[s], historyFrames);
    meter.push(blocks[s], ctrl[RING.framesBase + s]);
    last = seq;
    consumed++;
    Atomics.store(ctrl, myConsumed, consumed);
    Atomics.notify(ctrl, myConsumed);
  } else if (spectrum && Atomics.load(ctrl, RING.spectrumQueued) > windowsDone) {
    spectrum.add(windows[windowsDone % spec!.slots]);
    windowsDone++;
    Atomics.store(ctrl, RING.spectrumDone, windowsDone);
    Atomics.notify(ctrl, RING.spectrumDone);
  } else if ((published & RING.endFlag) !== 0) {
    break;
  } else {
    Atomics.wait(ctrl, RING.wake, wake);
  }
}
// No tail here: the reading thread adds the tail of the stream's end (its last block may be elsewhere).
const result: WorkerResult = { peaks: meter.peaks(false), spectrum: spectrum ? spectrum.sums() : null };
parentPort!.postMessage(result);
