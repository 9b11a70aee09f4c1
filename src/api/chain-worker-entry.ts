/**
 * Worker-thread entry of ChainPipeline (chain-pipeline.ts): runs the first stage of a processor chain on
 * the blocks of ring A and publishes each result into ring B, in order, until the input ends.
 */
import { workerData } from 'node:worker_threads';
import { createInsert } from '../core/dsp/insert-catalog.js';
import { ProcessorChain } from '../core/dsp/processor-chain.js';
import { COUNT_MASK, CTRL, END_FLAG, type ChainWorkerData } from './chain-pipeline.js';

const data = workerData as ChainWorkerData;
const { spec, slots } = data;
const { channels, maxBlockFrames: block } = spec;
const chain = new ProcessorChain(data.inserts.map((s) => createInsert(s, spec)));
const ctrl = new Int32Array(data.control);
const views = (ring: SharedArrayBuffer): Float32Array[][] => Array.from({ length: slots }, (_, s) =>
  Array.from({ length: channels }, (_, c) => new Float32Array(ring, (s * channels + c) * block * 4, block)));
const a = views(data.ringA);
const b = views(data.ringB);

let consumed = 0;
for (;;) {
  const pub = Atomics.load(ctrl, CTRL.pubA);
  if ((pub & COUNT_MASK) > consumed) {
    // Room in ring B: this thread waits for the reading thread to take its blocks.
    for (;;) {
      const taken = Atomics.load(ctrl, CTRL.consB);
      if (consumed - taken < slots) break;
      Atomics.wait(ctrl, CTRL.consB, taken);
    }
    const s = consumed % slots;
    const n = ctrl[CTRL.framesA + s];
    chain.process(a[s], b[s], n);
    ctrl[CTRL.framesA + slots + s] = n;
    consumed++;
    // Publish the result before releasing the input slot (the reader waits on consA, then drains B).
    Atomics.store(ctrl, CTRL.pubB, consumed);
    Atomics.notify(ctrl, CTRL.pubB);
    Atomics.store(ctrl, CTRL.consA, consumed);
    Atomics.notify(ctrl, CTRL.consA);
  } else if ((pub & END_FLAG) !== 0) {
    break;
  } else {
    Atomics.wait(ctrl, CTRL.pubA, pub);
  }
}
Atomics.store(ctrl, CTRL.pubB, consumed | END_FLAG);
Atomics.notify(ctrl, CTRL.pubB);
