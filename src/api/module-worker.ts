/**
 * Starts worker threads on our entry modules. Every worker boots from a one-line evaluated bootstrap
 * that imports the entry, and inherits this thread's Node flags instead of being handed a copy:
 *  - a copy must be re-validated, and Node refuses V8 and process options in a worker's execArgv
 *    (`node --expose-gc`, `--trace-gc`, `--max-old-space-size` ... would make every worker fail), which
 *    apply to the whole process anyway;
 *  - an evaluated entry is indifferent to `--input-type` (the benchmarks drive the api through
 *    `node --input-type=module -e`), which a file entry refuses ("can only be used with string input");
 *  - profiling flags (--cpu-prof) reach the workers, as before.
 * From the .ts sources (vitest), the bootstrap first registers tsx's loader: `--import tsx` in a worker is
 * not honoured by Node 20.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The bootstrap source for the entry module `name` (without extension) next to `base` (an
 * import.meta.url): its compiled .js, or its .ts source through tsx. null when neither can run here.
 */
export function workerBootstrap(base: string, name: string): string | null {
  const fromSource = base.endsWith('.ts');
  const url = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, base);
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return null;
  const load = `import(${JSON.stringify(url.href)})`;
  if (!fromSource) return `${load};`;
  const tsx = tsxApiUrl(base);
  return tsx === null ? null : `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return ${load}; });`;
}

let concurrentCompileOff = false;

/**
 * Worker isolates compile their optimized code on their own thread. Node 20 can deadlock when a worker
 * ends: its thread waits in NodePlatform::DrainTasks for a background TurboFan job, and that job waits
 * for a garbage collection only the worker's thread can run. The worker then never exits and neither
 * does the process, not even on process.exit() (seen as a hang after `automix` of 120 stems, whose
 * analysis starts a worker per stem: 3 runs in 6; 0 in 8 with this flag, at the same speed). The flag
 * applies to isolates created after it, i.e. to the workers; this thread keeps its own setting.
 */
function workersCompileOnTheirThread(): void {
  if (concurrentCompileOff) return;
  concurrentCompileOff = true;
  setFlagsFromString('--no-concurrent-recompilation');
}

/** Starts a worker on a bootstrap from workerBootstrap(). */
export function startWorker(bootstrap: string, options: Omit<WorkerOptions, 'eval' | 'execArgv'> = {}): Worker {
  workersCompileOnTheirThread();
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * tsx's ESM API (register()), located through its package.json: this thread's resolver may be vitest's,
 * and an evaluated bootstrap has no module URL to resolve a bare name from.
 */
function tsxApiUrl(base: string): string | null {
  try {
    const require = createRequire(base);
    const pkgPath = require.resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
    return pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api'].import.default)).href;
  } catch {
    return null;
  }
}
