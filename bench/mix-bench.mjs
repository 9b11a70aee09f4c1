// Mix benchmark: `mixmaster mix` on large sessions, × real time and peak memory, beside an ffmpeg
// filtergraph doing similar gain/EQ/compressor/amix work when ffmpeg is installed.
//
// Stems: writing 128 distinct 4-minute stereo stems would take ~11 GB of float WAV, so we write FOUR stems
// (24-bit, different material) and reference them from many tracks. Each track gets its own gain, pan and a
// distinct trim-in (i ms), so every track is a separate clip read from disk (the renderer shares a reader
// only between tracks reading the same file at the same place): the read/decode cost is that of 128 stems.
//
// The render runs in a child process (`node bin/mixmaster mix ...`, or the api when the CLI does not have
// the command yet) with MIXMASTER_REPORT_RSS=1, which prints `mixmaster-maxrss-kib N` on stderr at exit.
// Uses the compiled dist/ (npm run bench builds it), through the CLI bundle as bin/mixmaster does;
// MIXMASTER_DIST=<dir> points elsewhere.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = resolve(process.env.MIXMASTER_DIST ?? join(ROOT, 'dist'));
const SR = 48000;

/** Writes a stereo 24-bit stem: band-limited noise plus a few partials with a slow envelope (seeded). */
export async function writeStem(path, seconds, seed) {
  const { createWavWriter } = await import(pathToFileURL(join(DIST, 'io/wav-writer.js')).href);
  const w = await createWavWriter(path, { sampleRate: SR, channels: 2, format: 'pcm24', force: true });
  const B = 65536;
  const l = new Float32Array(B);
  const r = new Float32Array(B);
  let s = seed >>> 0;
  let lpL = 0;
  let lpR = 0;
  const f0 = 55 * (seed % 7 + 1);
  for (let off = 0; off < seconds * SR; off += B) {
    const n = Math.min(B, seconds * SR - off);
    for (let i = 0; i < n; i++) {
      const t = (off + i) / SR;
      s = (s * 1664525 + 1013904223) >>> 0; const a = s / 4294967296 - 0.5;
      s = (s * 1664525 + 1013904223) >>> 0; const b = s / 4294967296 - 0.5;
      lpL += 0.2 * (a - lpL); lpR += 0.2 * (b - lpR);
      const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 0.5 * t) ** 2;
      const tone = 0.2 * Math.sin(2 * Math.PI * f0 * t) + 0.1 * Math.sin(2 * Math.PI * 3.01 * f0 * t);
      l[i] = env * (0.25 * lpL + tone);
      r[i] = env * (0.25 * lpR + tone);
    }
    await w.write([l, r], n);
  }
  await w.close();
}

/** A session: `tracks` tracks over 4 stems, 4 subgroups, 2 reverb sends; inserts per `withDsp`. */
export function session(tracks, withDsp) {
  const trackInserts = withDsp === 'full'
    ? [
        { type: 'eq', bands: [{ type: 'highpass', freqHz: 40, slopeDbPerOct: 12 }, { type: 'bell', freqHz: 300, gainDb: -2, q: 1 }, { type: 'bell', freqHz: 2500, gainDb: 1.5, q: 0.8 }, { type: 'highshelf', freqHz: 8000, gainDb: 2 }] },
        { type: 'compressor', thresholdDb: -18, ratio: 3, attackMs: 10, releaseMs: 120 },
      ]
    : [{ type: 'gain', gainDb: -1 }];
  const reverb = withDsp === 'full' ? [{ type: 'reverb', decaySeconds: 1.8 }] : [{ type: 'gain', gainDb: -3 }];
  return {
    sampleRate: SR,
    tracks: Array.from({ length: tracks }, (_, i) => ({
      name: `t${i}`, file: `stem${i % 4}.wav`, trimInSeconds: i / 1000, gainDb: -12 - (i % 5), pan: ((i % 9) - 4) / 4,
      inserts: trackInserts, output: `grp${i % 4}`,
      sends: [{ bus: 'verbA', levelDb: -20 }, { bus: 'verbB', levelDb: -24, preFader: i % 2 === 0 }],
    })),
    buses: [
      ...[0, 1, 2, 3].map((g) => ({ name: `grp${g}`, gainDb: -3 })),
      { name: 'verbA', inserts: reverb }, { name: 'verbB', inserts: reverb },
    ],
    master: { inserts: [{ type: 'gain', gainDb: -6 }] },
  };
}

/**
 * Runs a mix in a child process; resolves to { seconds, maxRssKiB, threads, cpuSeconds, code, stderr }.
 * `env` adds environment variables (MIXMASTER_NO_WASM=1: the JavaScript kernels, the baseline).
 */
function runMix(sessionPath, out, env = {}) {
  const script = `
    const dist = ${JSON.stringify(DIST)};
    // The CLI as bin/mixmaster runs it: the bundle when the build made one.
    const { main } = await import(dist + (${JSON.stringify(existsSync(join(DIST, 'cli-bundle/main.js')))} ? '/cli-bundle/main.js' : '/cli/main.js'));
    const args = ['mix', ${JSON.stringify(sessionPath)}, '-o', ${JSON.stringify(out)}, '--force', '--quiet'];
    process.stderr.write('mixmaster-threads ' + (process.env.MIXMASTER_MIX_THREADS || (await import('node:os')).availableParallelism()) + '\\n');
    // CPU seconds of every thread: on a shared machine a steadier measure than wall time.
    process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('mixmaster-cpu-ms ' + Math.round((u.userCPUTime + u.systemCPUTime) / 1000) + '\\n'); });
    let code = await main(args, { stdout: () => {}, stderr: (t) => process.stderr.write(t + '\\n') });
    if (code === 2) {
      // The CLI does not have \`mix\` wired yet: call the api directly (same engine, same process shape).
      const { mixSession } = await import(dist + '/api/mix-session.js');
      await mixSession(${JSON.stringify(sessionPath)}, ${JSON.stringify(out)}, { force: true });
      code = 0;
      process.stderr.write('mixmaster-maxrss-kib ' + process.resourceUsage().maxRSS + '\\n');
    }
    process.exitCode = code;`;
  return new Promise((resolveRun) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env, MIXMASTER_REPORT_RSS: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const m = [...stderr.matchAll(/mixmaster-maxrss-kib (\d+)/g)].pop();
      const th = /mixmaster-threads (\d+)/.exec(stderr);
      const cpu = /mixmaster-cpu-ms (\d+)/.exec(stderr);
      resolveRun({ seconds, maxRssKiB: m ? Number(m[1]) : null, threads: th ? Number(th[1]) : null, cpuSeconds: cpu ? Number(cpu[1]) / 1000 : null, code, stderr: stderr.replace(/mixmaster-(maxrss-kib|threads|cpu-ms) \d+\n?/g, '').trim() });
    });
  });
}

/** ffmpeg peer: per input volume + 4 EQ bands + compressor, then amix (no sends/subgroups). */
function ffmpegPeer(dir, tracks, seconds) {
  if (spawnSync('ffmpeg', ['-version']).status !== 0) return null;
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  for (let i = 0; i < tracks; i++) args.push('-ss', String(i / 1000), '-t', String(seconds), '-i', join(dir, `stem${i % 4}.wav`));
  const chains = [];
  for (let i = 0; i < tracks; i++) {
    chains.push(`[${i}:a]volume=${-12 - (i % 5)}dB,highpass=f=40,equalizer=f=300:t=q:w=1:g=-2,equalizer=f=2500:t=q:w=0.8:g=1.5,highshelf=f=8000:g=2,acompressor=threshold=-18dB:ratio=3:attack=10:release=120[t${i}]`);
  }
  const graph = `${chains.join(';')};${Array.from({ length: tracks }, (_, i) => `[t${i}]`).join('')}amix=inputs=${tracks}:normalize=0[out]`;
  args.push('-filter_complex', graph, '-map', '[out]', '-c:a', 'pcm_s24le', join(dir, 'ffmpeg-out.wav'));
  const t0 = process.hrtime.bigint();
  const r = spawnSync('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, ok: r.status === 0, stderr: String(r.stderr).slice(0, 200) };
}

export async function run(report) {
  const dir = await mkdtemp(join(tmpdir(), 'mix-bench-'));
  try {
    // MIX_BENCH_SECONDS=<s> shortens both cases to s seconds (a loaded machine; × real time is per second of
    // audio, so it extrapolates, less the fixed start-up cost). MIX_BENCH_CASES=64 runs only that case.
    const short = Number(process.env.MIX_BENCH_SECONDS) || 0;
    const only = process.env.MIX_BENCH_CASES ? process.env.MIX_BENCH_CASES.split(',').map(Number) : null;
    const cases = [{ name: 'mix 128 tracks x 240 s', tracks: 128, seconds: 240, bar: 10 }, { name: 'mix 64 tracks x 60 s', tracks: 64, seconds: 60, bar: 20 }]
      .filter((c) => !only || only.includes(c.tracks))
      .map((c) => (short > 0 && short < c.seconds ? { ...c, name: `${c.name} (shortened to ${short} s)`, seconds: short } : c));
    // Each case runs BENCH_RUNS times (default 3) and reports the median run, as the other modules do: on a
    // shared machine one run can land on a hiccup. Peak memory is the largest of the runs.
    const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3) || 1);
    const stemSeconds = Math.max(...cases.map((c) => c.seconds)) + 1; // a little longer than the case, for the trim-ins
    for (let k = 0; k < 4; k++) await writeStem(join(dir, `stem${k}.wav`), stemSeconds, 17 + k);
    for (const c of cases) {
      let dsp = 'full';
      let res;
      for (;;) {
        const s = session(c.tracks, dsp);
        // Trim-outs make the song exactly c.seconds long.
        for (const t of s.tracks) t.trimOutSeconds = t.trimInSeconds + c.seconds;
        const sp = join(dir, `session-${c.tracks}.json`);
        await writeFile(sp, JSON.stringify(s));
        res = await runMix(sp, join(dir, `out-${c.tracks}.wav`));
        if (res.code !== 0 && dsp === 'full' && /unknown insert type/.test(res.stderr)) { dsp = 'gain-only'; continue; }
        break;
      }
      const all = [res];
      while (res.code === 0 && all.length < runs) {
        const again = await runMix(join(dir, `session-${c.tracks}.json`), join(dir, `out-${c.tracks}.wav`));
        all.push(again);
        if (again.code !== 0) { res = again; break; }
      }
      if (res.code === 0) {
        const bySpeed = [...all].sort((a, b) => a.seconds - b.seconds);
        const median = bySpeed[(bySpeed.length - 1) >> 1];
        const peaks = all.map((x) => x.maxRssKiB).filter((x) => x !== null);
        res = { ...median, maxRssKiB: peaks.length ? Math.max(...peaks) : null, walls: all.map((x) => +x.seconds.toFixed(2)) };
      }
      report(c.name, {
        ok: res.code === 0, error: res.code === 0 ? undefined : res.stderr.split('\n')[0],
        inserts: dsp === 'full' ? 'eq(4 bands)+compressor per track, reverb on 2 sends' : 'gain only (eq/compressor/reverb not in the insert catalog yet)',
        threads: res.threads, seconds: +res.seconds.toFixed(2), xRealTime: +(c.seconds / res.seconds).toFixed(2), bar: `>= ${c.bar}x`,
        cpuSeconds: res.cpuSeconds === null ? null : +res.cpuSeconds.toFixed(2),
        peakRssMiB: res.maxRssKiB === null ? null : +(res.maxRssKiB / 1024).toFixed(1),
        runs: res.walls ? `${res.walls.length}, median (${res.walls.join(' / ')} s)` : undefined,
      });
      // The same session cut to 1 s: the fixed cost (Node, the CLI, workers, plan, readers, JIT warm-up) that
      // the whole-process figure above includes, and the rate of the rest, the render proper.
      if (res.code === 0 && c.seconds > 1 && process.env.MIX_BENCH_STARTUP !== '0') {
        const s = session(c.tracks, dsp);
        for (const t of s.tracks) t.trimOutSeconds = t.trimInSeconds + 1;
        const sp = join(dir, `session-${c.tracks}-1s.json`);
        await writeFile(sp, JSON.stringify(s));
        // With the threads of the full run (1 s alone would stay on one thread: MIN_THREADED_TRACK_SECONDS).
        const one = await runMix(sp, join(dir, `out-${c.tracks}-1s.wav`), res.threads ? { MIXMASTER_MIX_THREADS: String(res.threads) } : {});
        if (one.code === 0) {
          report(`${c.name} (the same cut to 1 s: fixed cost)`, {
            seconds: +one.seconds.toFixed(2), cpuSeconds: one.cpuSeconds === null ? null : +one.cpuSeconds.toFixed(2),
            steadyXRealTime: +((c.seconds - 1) / (res.seconds - one.seconds)).toFixed(2),
          });
        }
      }
      // The same mix with the JavaScript kernels (MIXMASTER_NO_WASM=1), side by side: what the WebAssembly
      // kernels buy. The 64-track case only by default (MIX_BENCH_JS_BASELINE=all: both, =none: neither).
      const jsBase = process.env.MIX_BENCH_JS_BASELINE ?? '64';
      if (res.code === 0 && (jsBase === 'all' || jsBase === String(c.tracks))) {
        const js = await runMix(join(dir, `session-${c.tracks}.json`), join(dir, `out-${c.tracks}-js.wav`), { MIXMASTER_NO_WASM: '1' });
        report(`${c.name} (JavaScript kernels)`, { ok: js.code === 0, seconds: +js.seconds.toFixed(2), xRealTime: +(c.seconds / js.seconds).toFixed(2), cpuSeconds: js.cpuSeconds === null ? null : +js.cpuSeconds.toFixed(2), wasmSpeedup: +(js.seconds / res.seconds).toFixed(2) });
      }
      const ff = process.env.MIX_BENCH_NO_PEER ? null : ffmpegPeer(dir, c.tracks, c.seconds);
      if (ff) report(`${c.name} (ffmpeg filtergraph peer)`, { ok: ff.ok, seconds: +ff.seconds.toFixed(2), xRealTime: +(c.seconds / ff.seconds).toFixed(2), ratioMixmasterOverFfmpeg: +(ff.seconds / res.seconds).toFixed(2), error: ff.ok ? undefined : ff.stderr });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Standalone: node bench/mix-bench.mjs
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run((name, fields) => console.log(name, JSON.stringify(fields)));
}
