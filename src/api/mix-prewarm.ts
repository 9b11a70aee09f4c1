/**
 * Mix workers started before the session is read: `mixmaster mix` of many tracks starts them first thing
 * (bin/mixmaster), so that a worker's start-up (a Node isolate and our modules: ≈ 0.15 s on the 2-core dev
 * machine) overlaps this thread's loading of the CLI, the session and the stems' headers instead of
 * following them.
 * spawnMixWorkers() (mix-workers.ts) takes them and terminates the ones a small session does not use.
 * This module imports little, so that starting the workers waits for almost nothing.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker, workerBootstrap } from './module-worker.js';

/** Started, not yet taken (unreferenced: they never keep the process alive). */
const spares: Worker[] = [];

/**
 * Starts the workers a large session would use (MIXMASTER_MIX_THREADS, else one per CPU; see
 * mixSession's threads), beside any started before. Returns the ones it started (none where workers
 * cannot start).
 */
export function prewarmMixWorkers(): Worker[] {
  const env = process.env.MIXMASTER_MIX_THREADS;
  const count = env !== undefined && env !== '' ? Number(env) : availableParallelism();
  const started: Worker[] = [];
  if (!Number.isInteger(count)) return started;
  for (let i = spares.length; i < count; i++) {
    const w = startMixWorker();
    if (w === null) break;
    started.push(w);
    w.unref();
    // A spare that fails before it is taken has nobody to tell: it is dropped (a new one starts instead).
    w.on('error', () => {
      const k = spares.indexOf(w);
      if (k >= 0) spares.splice(k, 1);
    });
    spares.push(w);
  }
  return started;
}

/**
 * Sessions with at least this many tracks get their workers started ahead. Smaller ones may render on
 * this thread (mixSession's MIN_THREADED_TRACK_SECONDS), and there workers starting beside the CLI's
 * loading only compete with it for the cores (measured: a 4-track session 0.58 → 0.71 s on 2 cores).
 */
export const PREWARM_MIN_TRACKS = 16;

/** Options of `mixmaster mix` that take a value (the session is the first other argument). */
const VALUE_OPTIONS = new Set(['-o', '--output', '--bit-depth', '--sample-rate', '--report']);

/**
 * prewarmMixWorkers() for `mixmaster mix <args>` when the session has PREWARM_MIN_TRACKS tracks or more,
 * counted as `file:` keys in its text (JSON or YAML, not parsed: this runs before the CLI loads). A
 * session it cannot find or read gets none (the CLI reports it).
 */
export function prewarmForMixArgs(args: readonly string[]): Worker[] {
  let session: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (VALUE_OPTIONS.has(args[i])) i++;
    else if (!args[i].startsWith('-')) { session = args[i]; break; }
  }
  if (session === undefined) return [];
  let text: string;
  try {
    text = readFileSync(session, 'utf8');
  } catch {
    return [];
  }
  const tracks = text.match(/["']?\bfile["']?\s*:/g)?.length ?? 0;
  return tracks >= PREWARM_MIN_TRACKS ? prewarmMixWorkers() : [];
}

/** `count` mix workers: the started ones first, then new ones; spares beyond `count` are terminated. */
export function takeMixWorkers(count: number): Worker[] {
  const taken = spares.splice(0, count);
  for (const w of spares.splice(0)) void w.terminate();
  for (const w of taken) w.ref();
  while (taken.length < count) {
    const w = startMixWorker();
    if (w === null) throw new Error('the mix worker entry module is missing');
    taken.push(w);
  }
  return taken;
}

/** A worker on the mix worker entry (module-worker.ts), or null when the entry is missing. */
function startMixWorker(): Worker | null {
  const entry = workerBootstrap(import.meta.url, 'mix-worker-entry');
  return entry === null ? null : startWorker(entry);
}
