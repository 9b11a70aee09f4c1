/** Reads a whole audio file into planar Float32Arrays (test helper: files here are small). */
import { openAudio } from '../../src/io/open-audio.js';

export async function readAudioFile(path: string, block = 65536): Promise<{ sampleRate: number; channels: Float32Array[] }> {
  const r = await openAudio(path);
  const parts: Float32Array[][] = [];
  try {
    for (let b = await r.read(block); b; b = await r.read(block)) parts.push(b.map((ch) => ch.slice()));
  } finally {
    await r.close();
  }
  const frames = parts.reduce((n, p) => n + p[0].length, 0);
  const channels = Array.from({ length: r.info.channels }, () => new Float32Array(frames));
  let off = 0;
  for (const p of parts) { p.forEach((ch, c) => channels[c].set(ch, off)); off += p[0].length; }
  return { sampleRate: r.info.sampleRate, channels };
}
