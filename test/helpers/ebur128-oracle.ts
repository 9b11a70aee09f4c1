/**
 * Independent BS.1770 / R128 oracles for the loudness tests (test-only).
 *
 * 1. libebur128 (the reference C implementation, Debian's libebur128-dev) through a tiny C program compiled
 *    on first use with the system gcc. It gives integrated loudness, loudness range and the momentary and
 *    short-term loudness read every `hop` frames (we read every 10 ms, the same hop as our meter), for any
 *    channel count. `libebur128Oracle()` returns null (tests skip with that reason) when gcc or the library
 *    is missing.
 * 2. ebur128-wasm (npm; a Rust port of libebur128): integrated loudness of mono and stereo only. Its
 *    generated glue imports the .wasm as an ES module (Node needs --experimental-wasm-modules), so we read
 *    the bytes and instantiate them ourselves, calling the exported functions with the wasm-bindgen ABI
 *    (malloc + copy the Float32 samples into linear memory, pass pointer and length).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface OracleResult {
  integratedLufs: number | null;
  loudnessRangeLu: number | null;
  /** Max momentary loudness read every hop once 400 ms have passed, LUFS. */
  momentaryMaxLufs: number | null;
  /** Max short-term loudness read every hop once 3 s have passed, LUFS. */
  shortTermMaxLufs: number | null;
}

const C_SOURCE = String.raw`
#include <ebur128.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
/* usage: oracle <channels> <rate> <hop frames> <raw interleaved float32 file> */
static void pr(const char* k, double v, int last) {
  if (isfinite(v)) printf("\"%s\":%.10f%s", k, v, last ? "" : ","); else printf("\"%s\":null%s", k, last ? "" : ",");
}
int main(int argc, char** argv) {
  if (argc != 5) return 2;
  unsigned ch = (unsigned) atoi(argv[1]); unsigned long sr = strtoul(argv[2], 0, 10);
  size_t hop = (size_t) atol(argv[3]);
  FILE* f = fopen(argv[4], "rb"); if (!f) return 3;
  fseek(f, 0, SEEK_END); long bytes = ftell(f); fseek(f, 0, SEEK_SET);
  size_t frames = (size_t) bytes / 4 / ch;
  float* buf = malloc((size_t) bytes + 4); if (fread(buf, 4, frames * ch, f) != frames * ch) return 4; fclose(f);
  ebur128_state* st = ebur128_init(ch, sr, EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_LRA);
  if (!st) return 5;
  if (ch == 6) {
    int map[6] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_UNUSED, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND };
    for (unsigned i = 0; i < 6; i++) ebur128_set_channel(st, i, map[i]);
  }
  double mmax = -HUGE_VAL, smax = -HUGE_VAL, v;
  size_t pos = 0;
  while (pos + hop <= frames) {
    ebur128_add_frames_float(st, buf + pos * ch, hop); pos += hop;
    if (pos * 10 >= sr * 4 && ebur128_loudness_momentary(st, &v) == 0 && v > mmax) mmax = v;
    if (pos >= sr * 3 && ebur128_loudness_shortterm(st, &v) == 0 && v > smax) smax = v;
  }
  if (pos < frames) ebur128_add_frames_float(st, buf + pos * ch, frames - pos);
  double il = -HUGE_VAL, lra = NAN;
  ebur128_loudness_global(st, &il);
  ebur128_loudness_range(st, &lra);
  printf("{"); pr("integratedLufs", il, 0); pr("loudnessRangeLu", lra, 0); pr("momentaryMaxLufs", mmax, 0); pr("shortTermMaxLufs", smax, 1); printf("}\n");
  ebur128_destroy(&st); free(buf);
  return 0;
}
`;

let compiled: string | null | undefined;

function compile(): string | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (!existsSync('/usr/include/ebur128.h')) return null;
  // One directory per helper source, shared by every test process and run: compiled once, and nothing
  // piles up in /tmp (each measurement's input file is removed after it).
  const hash = createHash('sha256').update(C_SOURCE).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `mixmaster-ebur128-oracle-${hash}`);
  const bin = join(dir, 'oracle');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const src = join(dir, `oracle-${process.pid}.c`);
    writeFileSync(src, C_SOURCE);
    const r = spawnSync('gcc', ['-O2', '-o', `${bin}-${process.pid}`, src, '-lebur128', '-lm'], { encoding: 'utf8' });
    rmSync(src, { force: true });
    if (r.status !== 0) return null;
    renameSync(`${bin}-${process.pid}`, bin); // atomic: a concurrent test process sees no half-written binary
  }
  compiled = bin;
  return bin;
}

/** Why libebur128 is unavailable, or null when it is. */
export function libebur128Unavailable(): string | null {
  if (!existsSync('/usr/include/ebur128.h')) return 'libebur128-dev not installed (/usr/include/ebur128.h missing)';
  return compile() === null ? 'could not compile the libebur128 helper with gcc' : null;
}

let fileCounter = 0;

/**
 * Measures planar audio with libebur128.
 * @param channels planar samples (equal lengths); @param sampleRate Hz
 * @param hopFrames frames between momentary/short-term reads (use the meter's 10 ms bin)
 * @returns the oracle's values (null where libebur128 reports -inf/NaN)
 */
export function measureWithLibebur128(channels: Float32Array[], sampleRate: number, hopFrames: number): OracleResult {
  const bin = compile();
  if (bin === null) throw new Error(libebur128Unavailable() ?? 'libebur128 unavailable');
  const nch = channels.length;
  const frames = channels[0].length;
  const inter = new Float32Array(frames * nch);
  for (let c = 0; c < nch; c++) {
    const x = channels[c];
    for (let i = 0; i < frames; i++) inter[i * nch + c] = x[i];
  }
  const file = join(dirname(bin), `in-${process.pid}-${fileCounter++}.f32`);
  writeFileSync(file, new Uint8Array(inter.buffer));
  let r: SpawnSyncReturns<string>;
  try {
    r = spawnSync(bin, [String(nch), String(sampleRate), String(hopFrames), file], { encoding: 'utf8' });
  } finally {
    rmSync(file, { force: true }); // one measurement can be hundreds of MB
  }
  if (r.status !== 0) throw new Error(`libebur128 oracle failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as OracleResult;
}

interface WasmExports {
  memory: WebAssembly.Memory;
  __wbindgen_malloc: (bytes: number) => number;
  ebur128_integrated_mono: (rate: number, ptr: number, len: number) => number;
  ebur128_integrated_stereo: (rate: number, p0: number, l0: number, p1: number, l1: number) => number;
}

let wasm: WasmExports | undefined;

/** Instantiates ebur128-wasm by hand (see the file comment). */
export async function loadEbur128Wasm(): Promise<(sampleRate: number, channels: Float32Array[]) => number> {
  if (!wasm) {
    const require = createRequire(import.meta.url);
    const pkgDir = dirname(require.resolve('ebur128-wasm/package.json'));
    const bytes = readFileSync(join(pkgDir, 'ebur128_wasm_bg.wasm'));
    // The imports only serve panics (console.error of a stack): stubs suffice for valid input.
    const glue = {
      __wbg_new_693216e109162396: () => 0,
      __wbg_stack_0ddaca5d1abfb52f: () => undefined,
      __wbg_error_09919627ac0992f5: () => undefined,
      __wbindgen_object_drop_ref: () => undefined,
    };
    const { instance } = await WebAssembly.instantiate(bytes, { './ebur128_wasm_bg.js': glue });
    wasm = instance.exports as unknown as WasmExports;
  }
  const w = wasm;
  const pass = (x: Float32Array): number => {
    const ptr = w.__wbindgen_malloc(x.length * 4);
    new Float32Array(w.memory.buffer, ptr, x.length).set(x);
    return ptr;
  };
  return (sampleRate, channels) => {
    if (channels.length === 1) return w.ebur128_integrated_mono(sampleRate, pass(channels[0]), channels[0].length);
    if (channels.length === 2) {
      const p0 = pass(channels[0]);
      const p1 = pass(channels[1]);
      return w.ebur128_integrated_stereo(sampleRate, p0, channels[0].length, p1, channels[1].length);
    }
    throw new Error('ebur128-wasm measures mono and stereo only');
  };
}
