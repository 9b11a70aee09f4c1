import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFileError } from '../../src/io/audio-reader.js';
import { openAudio, sniffAudio } from '../../src/io/open-audio.js';
import { buildWav, hasFfmpeg, tempDir, writeFixture } from './wav-fixtures.js';

const tmp = tempDir('mixmaster-open-');
afterAll(() => tmp.cleanup());

async function openError(path: string): Promise<AudioFileError> {
  const err = await openAudio(path).then(
    async (r) => {
      await r.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AudioFileError);
  expect((err as AudioFileError).file).toBe(path);
  return err as AudioFileError;
}

function bytes(...parts: (string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

describe('openAudio: files that are not audio', () => {
  it('random bytes, a text file and an empty file are "not a supported audio file"', async () => {
    let s = 12345;
    const random = Uint8Array.from({ length: 4096 }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s >>> 24;
    });
    random[0] = 0x13; // not by chance a magic number
    const cases: [string, Uint8Array, string][] = [
      ['random.wav', random, 'not a supported audio file (unrecognized format, first bytes 13 '],
      ['notes.wav', bytes('Hello, this is not audio.\nSecond line.\n'), 'not a supported audio file (looks like a text file)'],
      ['empty.wav', new Uint8Array(0), 'not a supported audio file (empty file)'],
      ['avi.wav', bytes('RIFF', [4, 0, 0, 0], 'AVI '), 'not a supported audio file (RIFF form "AVI " is not WAVE)'],
      ['aiff.wav', bytes('FORM', [0, 0, 0, 4], 'AIFF'), 'not a supported audio file (AIFF file has no COMM chunk)'],
      ['8svx.wav', bytes('FORM', [0, 0, 0, 4], '8SVX'), 'not a supported audio file (IFF form "8SVX" is not AIFF)'],
      // Formats ffmpeg decodes (io/ffmpeg-reader.ts): these headers alone are not files it can read.
      ['m4a.wav', bytes([0, 0, 0, 0x20], 'ftypM4A ', [0, 0, 0, 0]), hasFfmpeg ? 'not a supported audio file (ffmpeg cannot read it: ' : 'not a supported audio file (MP4/M4A is decoded by ffmpeg, which is not installed'],
      ['adts.aac', bytes([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc]), hasFfmpeg ? 'not a supported audio file (' : 'not a supported audio file (AAC (ADTS) is decoded by ffmpeg, which is not installed'],
      ['short.wav', bytes('RIFF'), 'not a supported audio file (RIFF form "" is not WAVE)'],
      ['wide.wav', buildWav({ encoding: 's16', channels: 300, samples: new Array(600).fill(0) }), 'not a supported audio file (300 channels: at most 256 are supported)'],
    ];
    for (const [name, data, message] of cases) {
      const err = await openError(writeFixture(tmp.dir, name, data));
      expect(err.message.startsWith(message), `${name}: ${err.message}`).toBe(true);
    }
  });

  it('an Ogg stream of another codec names the codec', async () => {
    const page = new Uint8Array(27 + 1 + 30);
    page.set(bytes('OggS'), 0);
    page[26] = 1;
    page[27] = 30;
    page.set(bytes('\x80theora'), 28);
    const err = await openError(writeFixture(tmp.dir, 'video.ogg', page));
    expect(err.message).toBe('not a supported audio file (Ogg stream with codec "theora" is not supported)');
  });

  it('one MPEG-looking frame header followed by garbage is not taken for MP3', async () => {
    const b = new Uint8Array(2000).fill(0x11);
    b.set([0xff, 0xfb, 0x90, 0x64], 0); // MPEG-1 layer 3, 128 kb/s, 44.1 kHz: next frame at 417
    expect(sniffAudio(b, b.length).kind).toBeNull();
    b.set([0xff, 0xfb, 0x90, 0x64], 417);
    expect(sniffAudio(b, b.length)).toEqual({ kind: 'mp3', offset: 0 });
  });

  it('a WAV-looking header that does not parse is not a supported audio file', async () => {
    const wav = buildWav({ encoding: 's16', channels: 2, samples: [1, 2] });
    const err = await openError(writeFixture(tmp.dir, 'cut.wav', wav.subarray(0, 20)));
    expect(err.message).toMatch(/^not a supported audio file \(WAV/);
  });
});

describe('openAudio: file-system errors', () => {
  it('missing file', async () => {
    expect((await openError(join(tmp.dir, 'nope.wav'))).message).toBe('no such file');
    expect((await openError(join(tmp.dir, 'nope', 'deeper.wav'))).message).toBe('no such file');
  });

  it('directory', async () => {
    const dir = join(tmp.dir, 'a-dir.wav');
    mkdirSync(dir);
    expect((await openError(dir)).message).toBe('is a directory');
  });

  it('permission denied', async (ctx) => {
    ctx.skip(process.getuid?.() === 0, 'running as root: file permissions do not apply');
    const path = writeFixture(tmp.dir, 'locked.wav', buildWav({ encoding: 's16', channels: 1, samples: [0] }));
    chmodSync(path, 0o000);
    expect((await openError(path)).message).toBe('permission denied');
  });
});

describe('openAudio: WAV dispatch', () => {
  it('sniffs RIFF, RF64 and BW64 WAVE whatever the file extension', async () => {
    for (const container of ['RIFF', 'RF64', 'BW64'] as const) {
      const path = writeFixture(tmp.dir, `x-${container}.flac`, buildWav({ container, encoding: 's16', channels: 1, samples: [1, -1, 5] }));
      const r = await openAudio(path);
      expect(r.path).toBe(path);
      expect(r.info.frames).toBe(3);
      await r.close();
      await r.close(); // idempotent
      await expect(r.read(10)).rejects.toThrow(/after close/);
    }
  });
});
