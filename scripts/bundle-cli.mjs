// Bundles the compiled CLI (dist/) into dist/cli-bundle/ with esbuild: the command-line entry, the
// worker entries and the true-peak prewarm share chunks (one module instance each), and every command
// module stays a lazily loaded chunk. Why: Node's loader resolves, reads and links the ~35 files (and
// commander's CommonJS files) that `mixmaster analyze` loads one by one (measured, medians of 11: a
// 1-second file analysed in 363 ms from dist/, 344 ms bundled with every package external, 328 ms as
// below). The library keeps the plain dist/ modules (package.json "main"); bin/mixmaster runs the
// bundle, falling back to dist/.
// Run by `npm run build` after tsc.
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Packages that src/ imports with import() or createRequire(): kept out of the bundle (see below). */
const LAZY_PACKAGES = [
  '@wasm-audio-decoders/*', 'mpg123-decoder', 'ogg-opus-decoder', 'wasm-media-encoders', 'libflacjs', 'yaml',
  '@alexanderolsen/libsamplerate-js', 'cli-progress',
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'cli-bundle');
await rm(out, { recursive: true, force: true });
try {
  await build({
    // Flat names: module-worker.ts finds a worker entry next to the module that starts it.
    entryPoints: {
      main: join(dist, 'cli/main.js'),
      'parallel-analyzer': join(dist, 'api/parallel-analyzer.js'),
      'analysis-worker': join(dist, 'api/analysis-worker.js'),
      'mix-worker-entry': join(dist, 'api/mix-worker-entry.js'),
      'mix-prewarm': join(dist, 'api/mix-prewarm.js'),
      'chain-worker-entry': join(dist, 'api/chain-worker-entry.js'),
    },
    outdir: out,
    bundle: true,
    // Statically imported dependencies are merged too (commander, fft.js ...): about half the saving,
    // commander's CommonJS files no longer go through Node's CommonJS loader one by one. The ones
    // loaded on demand stay external and load from node_modules as they do from dist/: a dynamic
    // import() of a CommonJS module merged into a chunk would only have a default export, and the
    // decoders and encoders find their WebAssembly next to their own files.
    external: LAZY_PACKAGES,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Merged CommonJS dependencies call require() for Node's built-ins.
    banner: { js: "import { createRequire as __mmCreateRequire } from 'node:module'; const require = __mmCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
} catch (err) {
  console.error(`scripts/bundle-cli.mjs: esbuild failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
