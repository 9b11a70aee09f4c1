/**
 * The Node flags worker threads start with: this thread's (--cpu-prof, --expose-gc and the like), less
 * those that only make sense for its own entry: `node --input-type=module -e ...` (the benchmarks and
 * scripts drive the api that way) would make every worker fail with "--input-type can only be used with
 * string input".
 */
export function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => !a.startsWith('--input-type'));
}
