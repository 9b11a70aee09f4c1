/**
 * Worker-thread entry of ChainPipeline (chain-pipeline.ts): one station of the line. Runs its inserts on
 * the blocks of its input ring and publishes each result into the next ring, in order, until the input
 * ends; then marks its output ring ended.
 */
import { workerData } from 'node:worker_threads';
import { createInsert } from '../core/dsp/insert-catalog.js';
import { ProcessorChain } from '../core/dsp/processor-chain.js';
import { COUNT_MASK, END_FLAG, RING_CONS, RING_FRAMES, RING_PUB, ringViews, ringWord, type ChainWorkerData } from './chain-pipeline.js';
import { applyWasmEnv } from './wasm-env.js';

applyWasmEnv();

const data = workerData as ChainWorkerData;
const { spec, slots, ring } = data;
const { channels, maxBlockFrames: block } = spec;
const chain = new ProcessorChain(data.inserts.map((s) => createInsert(s, spec)));
const ctrl = new Int32Array(data.control);
const input = ringViews(data.ringIn, slots, channels, block);
const output = ringViews(data.ringOut, slots, channels, block);
const inPub = ringWord(ring, slots, RING_PUB);
const inCons = ringWord(ring, slots, RING_CONS);
const outPub = ringWord(ring + 1, slots, RING_PUB);
const outCons = ringWord(ring + 1, slots, RING_CONS);

let consumed = 0;
for (;;) {
  const pub = Atomics.load(ctrl, inPub);
  if ((pub & COUNT_MASK) > consumed) {
    // Room in the output ring: wait for the next station to take its blocks.
    for (;;) {
      const taken = Atomics.load(ctrl, outCons);
      if (consumed - taken < slots) break;
      Atomics.wait(ctrl, outCons, taken);
    }
    const s = consumed % slots;
    const n = ctrl[ringWord(ring, slots, RING_FRAMES + s)];
    chain.process(input[s], output[s], n);
    ctrl[ringWord(ring + 1, slots, RING_FRAMES + s)] = n;
    consumed++;
    // Publish the result before releasing the input slot (the previous station may wait on either).
    Atomics.store(ctrl, outPub, consumed);
    Atomics.notify(ctrl, outPub);
    Atomics.store(ctrl, inCons, consumed);
    Atomics.notify(ctrl, inCons);
  } else if ((pub & END_FLAG) !== 0) {
    break;
  } else {
    Atomics.wait(ctrl, inPub, pub);
  }
}
Atomics.store(ctrl, outPub, consumed | END_FLAG);
Atomics.notify(ctrl, outPub);
