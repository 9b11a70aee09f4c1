// `npm run bench`: runs every benchmark module side by side with its peer (ffmpeg/sox when installed)
// and prints × real time, peak memory and ratios. Select modules: node bench/run.mjs analyze dsp mix
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const modules = readdirSync(here).filter((f) => f.endsWith('-bench.mjs')).map((f) => f.replace('-bench.mjs', ''))
  .filter((m) => wanted.length === 0 || wanted.includes(m));

const report = (name, fields) => {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : v}`);
  console.log(`${name.padEnd(44)} ${parts.join('  ')}`);
};

for (const m of modules) {
  console.log(`\n## ${m}`);
  const mod = await import(join(here, `${m}-bench.mjs`));
  await mod.run(report);
}
