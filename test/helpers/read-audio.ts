/** Reads whole audio files or readers into planar Float32Arrays (test helpers: files here are small). */
import type { AudioReader } from '../../src/io/audio-reader.js';
import { openAudio } from '../../src/io/open-audio.js';

/** Everything left in `r`, read `block` frames at a time (the reader stays open). */
export async function readFrames(r: AudioReader, block = 65536): Promise<Float32Array[]> {
  const parts: Float32Array[][] = [];
  for (let b = await r.read(block); b; b = await r.read(block)) parts.push(b.map((ch) => ch.slice()));
  const frames = parts.reduce((n, p) => n + p[0].length, 0);
  const channels = Array.from({ length: r.info.channels }, () => new Float32Array(frames));
  let off = 0;
  for (const p of parts) { p.forEach((ch, c) => channels[c].set(ch, off)); off += p[0].length; }
  return channels;
}

export async function readAudioFile(path: string, block = 65536): Promise<{ sampleRate: number; channels: Float32Array[] }> {
  const r = await openAudio(path);
  try {
    return { sampleRate: r.info.sampleRate, channels: await readFrames(r, block) };
  } finally {
    await r.close();
  }
}
