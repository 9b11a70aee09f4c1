/**
 * A mix worker thread (see mix-workers.ts): rebuilds the plan from the session, opens the clips of the
 * track groups it owns, and renders those groups block by block into the shared group memory.
 */
import { parentPort } from 'node:worker_threads';
import { addEqDesigns } from '../core/dsp/biquad-design.js';
import { MixRenderer, renderBlocks } from '../core/mix/mix-renderer.js';
import type { RenderPlan } from '../core/mix/render-plan.js';
import { compileSession } from '../core/mix/render-plan.js';
import type { AudioReader } from '../io/audio-reader.js';
import { closeReaders, CTRL_ABORT, CTRL_CONSUMED, CTRL_PRODUCED, finiteSources, openClipReaders, pullFrom, readerWarnings, type MixWorkerInit } from './mix-workers.js';
import { applyWasmEnv } from './wasm-env.js';

applyWasmEnv();

const port = parentPort!;
let renderer: MixRenderer | null = null;
let readers: (AudioReader | null)[] = [];
let groups: number[] = [];
let setup: MixWorkerInit | null = null;
let plan: RenderPlan | null = null;
let running: Promise<void> | null = null;
/** Reads this worker's clips; set once the readers are open (the renderer pulls only after that). */
let pull: ReturnType<typeof pullFrom> = () => 0;
/** Per source: whether its reader gives integer PCM (the renderer then skips the NaN/Inf check); set with the readers. */
let finite: (source: number) => boolean = () => false;

/** Renders every block ahead of the main thread, as far as the slot ring allows. */
async function run(init: MixWorkerInit): Promise<void> {
  const ctrl = new Int32Array(init.control);
  let b = 0;
  for (const [r, n] of renderBlocks(plan!)) {
    for (;;) {
      if (Atomics.load(ctrl, CTRL_ABORT)) return;
      const consumed = Atomics.load(ctrl, CTRL_CONSUMED);
      if (b - consumed < init.slots) break;
      Atomics.wait(ctrl, CTRL_CONSUMED, consumed, 1000);
    }
    await renderer!.renderTrackGroups(r, n, groups, b % init.slots);
    b++;
    Atomics.store(ctrl, CTRL_PRODUCED + init.worker, b);
    Atomics.notify(ctrl, CTRL_PRODUCED + init.worker);
  }
}

async function handle(m: { type: string; init?: MixWorkerInit }): Promise<unknown> {
  switch (m.type) {
    case 'init': {
      const init = m.init!;
      setup = init;
      addEqDesigns(init.eqDesigns);
      // Processors only for this worker's tracks (the groups are a function of the plan's structure, which
      // placeholders keep, so the main thread's group indices hold here): a full compile per worker would
      // cost every worker every track's prepare().
      const mine = new Set(init.tracks);
      plan = compileSession(init.session, init.infos, { sampleRate: init.sampleRate, maxBlockFrames: init.blockFrames, file: init.file, only: { nodes: (id) => mine.has(id), latencies: init.latencies } });
      groups = init.groups;
      renderer = new MixRenderer(plan, (s, out, offset, frames) => pull(s, out, offset, frames), { groupMemory: init.memory, slots: init.slots, isFiniteSource: (s) => finite(s), kernelMemory: true });
      const wanted = new Uint8Array(plan.sources.length);
      const byId = new Map(plan.nodes.map((n) => [n.id, n]));
      for (const g of groups) {
        for (const id of renderer.trackGroups[g].tracks) {
          if (!mine.has(id)) throw new Error(`mix worker ${init.worker}: group ${g} differs from the main thread's`);
          wanted[byId.get(id)!.source] = 1;
        }
      }
      const p = plan;
      readers = await openClipReaders(p, (s) => wanted[s] === 1, init.sampleRate, init.strict, true);
      pull = pullFrom(readers);
      finite = finiteSources(readers);
      return { type: 'ready' };
    }
    case 'start':
      running = run(setup!);
      await running;
      return { type: 'finished' };
    case 'close': {
      await running;
      await closeReaders(readers);
      const res = { type: 'closed', nonFiniteSamples: renderer?.nonFiniteSamples ?? 0, warnings: readerWarnings(readers) };
      readers = [];
      return res;
    }
    default:
      throw new Error(`unknown message ${m.type}`);
  }
}

// 'close' comes only after the main thread has taken every block; it waits for the render loop regardless.
port.on('message', (m: { type: string }) => {
  handle(m).then(
    (reply) => port.postMessage(reply),
    (e: unknown) => {
      const x = e as { name?: string; message?: string; file?: string; code?: string };
      port.postMessage({ type: 'error', name: x?.name, message: e instanceof Error ? e.message : String(e), file: x?.file, code: typeof x?.code === 'string' ? x.code : undefined });
    },
  );
});
