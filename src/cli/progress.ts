/** A progress bar on stderr, only on a TTY and never with --quiet or --json piping concerns (stdout stays clean). */
import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';

/**
 * cli-progress, loaded only when a bar is really shown: scripts and pipes (no TTY, --quiet) then skip
 * ≈ 15 ms of module loading at start-up (measured; it matters for short commands such as analyze).
 */
function loadCliProgress(): typeof CliProgress {
  return createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
}

export interface Progress {
  /** Reports frames done of a total for the item `label` (total null: unknown length). */
  update(label: string, done: number, total: number | null): void;
  stop(): void;
}

const noProgress: Progress = { update() {}, stop() {} };

/** A bar for `items` files, or a no-op when stderr is not a TTY or quiet is set. */
export function createProgress(opts: { quiet?: boolean; items: number }): Progress {
  if (opts.quiet || !process.stderr.isTTY) return noProgress;
  const cliProgress = loadCliProgress();
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: ' {bar} {percentage}% | {item} {label}', hideCursor: true, clearOnComplete: true, fps: 10 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let index = 0;
  let lastLabel = '';
  return {
    update(label, done, total) {
      if (label !== lastLabel) { index++; lastLabel = label; }
      const fileFraction = total && total > 0 ? Math.min(1, done / total) : 0;
      const value = Math.round(((index - 1 + fileFraction) / opts.items) * 1000);
      const payload = { label: label.length > 40 ? '…' + label.slice(-39) : label, item: `${index}/${opts.items}` };
      if (!started) { bar.start(1000, value, payload); started = true; } else bar.update(value, payload);
    },
    stop() { if (started) bar.stop(); },
  };
}
