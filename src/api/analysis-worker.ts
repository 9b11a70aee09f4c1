/**
 * Worker-thread entry of the parallel analysis (see parallel-analyzer.ts): meters the true peak of a
 * range of channels on the blocks the reading thread publishes in a SharedArrayBuffer ring, then posts
 * the per-channel peaks (TruePeakMeter.peaks(), tail included) and exits. Its stream description comes as
 * workerData, or as the first message for a worker started ahead of time.
 *
 * The meter is the same TruePeakMeter the Analyzer runs, fed the same samples, so its peaks are bit for
 * bit those of the single-threaded path (its result does not depend on block sizes either).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TruePeakMeter } from '../core/analysis/true-peak-meter.js';
import { RING, type TruePeakWorkerData } from './parallel-analyzer.js';

// A worker started ahead of time (prewarmTruePeakWorker) has no workerData: its stream arrives as the
// first message, so its start-up overlaps the reading thread's own.
const data: TruePeakWorkerData = workerData
  ? (workerData as TruePeakWorkerData)
  : await new Promise<TruePeakWorkerData>((resolve) => parentPort!.once('message', resolve));
const { slots, channels, blockFrames, firstChannel, channelCount, workerIndex } = data;
const ctrl = new Int32Array(data.control);
const consumedIndex = RING.framesBase + slots + workerIndex;
const meter = new TruePeakMeter({ sampleRate: data.sampleRate, channels: channelCount });
// Views of this worker's channels in every slot, made once (no allocation per block).
const views: Float32Array[][] = [];
for (let s = 0; s < slots; s++) {
  const slot: Float32Array[] = [];
  for (let c = 0; c < channelCount; c++) {
    slot.push(new Float32Array(data.samples, ((s * channels + firstChannel + c) * blockFrames) * 4, blockFrames));
  }
  views.push(slot);
}

let consumed = 0;
for (;;) {
  const published = Atomics.load(ctrl, RING.published);
  const available = published & RING.countMask;
  if (available > consumed) {
    const s = consumed % slots;
    meter.push(views[s], ctrl[RING.framesBase + s]);
    consumed++;
    Atomics.store(ctrl, consumedIndex, consumed);
    Atomics.notify(ctrl, consumedIndex);
  } else if ((published & RING.endFlag) !== 0) {
    break;
  } else {
    // Sleeps until the reading thread changes the published word (a new block or the end flag).
    Atomics.wait(ctrl, RING.published, published);
  }
}
parentPort!.postMessage(meter.peaks());
