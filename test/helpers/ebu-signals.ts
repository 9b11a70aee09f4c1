/**
 * Signal generators for the EBU Tech 3341 / 3342 loudness cases and the oracle comparisons (test-only).
 * Level convention of the EBU test set: a sine at X dBFS has a peak amplitude of 10^(X/20) (full-scale
 * sine = 0 dBFS), so a stereo 1 kHz sine at X dBFS per channel reads X LUFS.
 */

/** A piece of a test signal: `seconds` long, at `dbfs` (null = digital silence). */
export interface Segment {
  seconds: number;
  dbfs: number | null;
}

/**
 * A sine whose level steps through `segments` (continuous phase across steps), copied to every channel.
 * @param sampleRate Hz; @param segments levels and durations; @param channels count (default 2)
 * @param freqHz sine frequency (default 1 kHz, the EBU test frequency)
 * @returns planar channels; segment boundaries fall on round(t·fs)
 */
export function steppedSine(sampleRate: number, segments: Segment[], channels = 2, freqHz = 1000): Float32Array[] {
  const total = Math.round(segments.reduce((t, s) => t + s.seconds, 0) * sampleRate);
  const x = new Float32Array(total);
  let t = 0;
  for (const seg of segments) {
    const start = Math.round(t * sampleRate);
    t += seg.seconds;
    const end = Math.round(t * sampleRate);
    if (seg.dbfs === null) continue;
    const a = Math.pow(10, seg.dbfs / 20);
    const w = (2 * Math.PI * freqHz) / sampleRate;
    for (let i = start; i < end; i++) x[i] = a * Math.sin(w * i);
  }
  return Array.from({ length: channels }, (_, c) => (c === 0 ? x : x.slice()));
}

/**
 * A sine with one level per channel (null = silent channel), e.g. the 5.0 case of Tech 3341.
 * @param sampleRate Hz; @param seconds duration; @param levelsDbfs one level per channel
 */
export function sinePerChannel(sampleRate: number, seconds: number, levelsDbfs: (number | null)[], freqHz = 1000): Float32Array[] {
  const n = Math.round(seconds * sampleRate);
  const w = (2 * Math.PI * freqHz) / sampleRate;
  return levelsDbfs.map((db) => {
    const x = new Float32Array(n);
    if (db === null) return x;
    const a = Math.pow(10, db / 20);
    for (let i = 0; i < n; i++) x[i] = a * Math.sin(w * i);
    return x;
  });
}

/** Deterministic PRNG (mulberry32), uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** White noise with a triangular distribution (sum of two uniforms), unit variance; cheap and deterministic. */
export function whiteNoise(n: number, rand: () => number): Float32Array {
  const x = new Float32Array(n);
  const g = Math.sqrt(6); // variance of (u1 + u2 - 1) is 1/6
  for (let i = 0; i < n; i++) x[i] = g * (rand() + rand() - 1);
  return x;
}

/** In-place RBJ-cookbook biquad (lowpass | highpass | peaking) in Float64, to colour noise. */
export function colourNoise(
  x: Float32Array, sampleRate: number, type: 'lowpass' | 'highpass' | 'peaking', freqHz: number, q: number, gainDb = 0,
): void {
  const w0 = (2 * Math.PI * freqHz) / sampleRate;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  const A = Math.pow(10, gainDb / 40);
  let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
  if (type === 'lowpass') {
    b0 = (1 - cos) / 2; b1 = 1 - cos; b2 = b0; a0 = 1 + alpha; a1 = -2 * cos; a2 = 1 - alpha;
  } else if (type === 'highpass') {
    b0 = (1 + cos) / 2; b1 = -(1 + cos); b2 = b0; a0 = 1 + alpha; a1 = -2 * cos; a2 = 1 - alpha;
  } else {
    b0 = 1 + alpha * A; b1 = -2 * cos; b2 = 1 - alpha * A; a0 = 1 + alpha / A; a1 = -2 * cos; a2 = 1 - alpha / A;
  }
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i];
    const y0 = (b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
    x2 = x1; x1 = x0; y2 = y1; y1 = y0;
    x[i] = y0;
  }
}

/** In-place one-pole low-pass (y += c·(x − y)) with corner `freqHz`. */
export function onePole(x: Float32Array, sampleRate: number, freqHz: number): void {
  const c = 1 - Math.exp((-2 * Math.PI * freqHz) / sampleRate);
  let y = 0;
  for (let i = 0; i < x.length; i++) {
    y += c * (x[i] - y);
    x[i] = y;
  }
}

/**
 * In-place random envelope: piecewise-linear gain in dB between breakpoints every 0.2..2 s, spanning
 * `rangeDb` below 0 dB, with occasional silent stretches (to exercise the gates).
 */
export function randomEnvelope(x: Float32Array, sampleRate: number, rand: () => number, rangeDb: number): void {
  let i = 0;
  let db = -rand() * rangeDb;
  while (i < x.length) {
    const len = Math.max(1, Math.round((0.2 + 1.8 * rand()) * sampleRate));
    const silent = rand() < 0.08;
    const next = -rand() * rangeDb;
    const end = Math.min(x.length, i + len);
    // Linear in dB = exponential in amplitude: one multiply per sample.
    let g = Math.pow(10, db / 20);
    const step = Math.pow(10, (next - db) / 20 / len);
    for (let j = i; j < end; j++) {
      x[j] = silent ? 0 : x[j] * g;
      g *= step;
    }
    db = next;
    i = end;
  }
}
