/**
 * importDawProject(): the programmatic face of `mixmaster import <project.dawproject> -o <dir>`.
 *
 * Opens the archive, maps project.xml to a session (core/mix/dawproject-import.ts: tracks, levels, pans,
 * sends, groups, automation; a warning for everything it cannot map), checks everything before writing
 * (every referenced audio file is present, no output exists unless `force`), then extracts the audio into
 * `<outDir>/audio/` entry by entry (streaming, each through a temp file) and writes `<outDir>/session.yaml`
 * last. On a failure the files this call created are removed again.
 */
import { lstat, mkdir, unlink } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Document, isPair, isScalar, isSeq, visit } from 'yaml';
import type { AnalysisWarning } from '../core/analysis/analysis-result.js';
import { dawProjectToSession, DawProjectError, type DawImportResult, type DawMediaFile } from '../core/mix/dawproject-import.js';
import type { Session } from '../core/mix/session-schema.js';
import { AudioFileError } from '../io/audio-reader.js';
import { createAtomicFile, ioError, OUTPUT_EXISTS } from '../io/atomic-file.js';
import { BAD_DAWPROJECT, DawProjectArchive } from '../io/dawproject-archive.js';

export interface ImportDawProjectOptions {
  /** Replace an existing session.yaml and audio files. */
  force?: boolean;
}

export interface ImportDawProjectResult {
  /** The session written (`<outDir>/session.yaml`). */
  sessionPath: string;
  /** Session tracks (one per audio clip). */
  tracks: number;
  /** Session buses (effect returns and groups). */
  buses: number;
  /** Audio files written, absolute paths. */
  audioFiles: string[];
  /** Tempo used to convert beats to seconds, bpm. */
  tempoBpm: number;
  /** What was not mapped, one per item. */
  warnings: AnalysisWarning[];
  session: Session;
}

const exists = async (p: string) => {
  try { await lstat(p); return true; } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw ioError(p, e, 'cannot check output');
  }
};

/** The session as YAML: a header comment (source, warnings), one send and one breakpoint per line. */
export function dawSessionYaml(session: Session, source: string, warnings: string[]): string {
  const doc = new Document(session);
  doc.commentBefore = [
    ` Imported from ${source} by mixmaster import. Render with: mixmaster mix <this file> -o mix.wav`,
    ...(warnings.length > 0 ? [` Not imported (${warnings.length}):`, ...warnings.map((w) => `  - ${w}`)] : []),
  ].join('\n');
  visit(doc, {
    Seq(_key, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
    Map(_key, node, path) {
      const parent = path[path.length - 1];
      const grand = path[path.length - 2];
      if (isSeq(parent) && isPair(grand) && isScalar(grand.key) && grand.key.value === 'sends' && node.items.every((p) => isScalar(p.value))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/**
 * Imports a .dawproject into `outDir` (created if needed): `session.yaml` and `audio/*`.
 * @throws AudioFileError naming the file: not a ZIP, no project.xml, unsupported version, a referenced audio
 *   file missing, no audio clips, an output that exists without `force`. Nothing is written in these cases.
 */
export async function importDawProject(path: string, outDir: string, opts: ImportDawProjectOptions = {}): Promise<ImportDawProjectResult> {
  const force = opts.force === true;
  const archive = await DawProjectArchive.open(path);
  const created: string[] = [];
  try {
    let mapped: DawImportResult;
    try {
      mapped = dawProjectToSession(archive.project, { audioDir: 'audio' });
    } catch (e) {
      if (e instanceof DawProjectError) throw new AudioFileError(path, e.message, BAD_DAWPROJECT);
      throw e;
    }
    const projectDir = dirname(resolve(path));
    const externalPath = (m: DawMediaFile) => resolve(projectDir, m.source);
    for (const m of mapped.media) {
      if (m.external) {
        if (!(await exists(externalPath(m)))) throw new AudioFileError(path, `referenced audio file "${m.source}" (external) not found beside the project`, BAD_DAWPROJECT);
      } else if (!archive.has(m.source)) {
        throw new AudioFileError(path, `referenced audio file "${m.source}" is missing from the archive`, BAD_DAWPROJECT);
      }
    }
    const sessionPath = join(outDir, 'session.yaml');
    const targets = mapped.media.map((m) => join(outDir, m.file));
    const inputAbs = resolve(path);
    for (const t of [sessionPath, ...targets]) {
      if (resolve(t) === inputAbs) throw new AudioFileError(t, 'output would overwrite the input', 'output-exists');
      if (!force && (await exists(t))) throw new AudioFileError(t, OUTPUT_EXISTS, 'output-exists');
    }

    // Write: audio first (streaming, entry by entry), session last.
    try {
      await mkdir(join(outDir, 'audio'), { recursive: true });
    } catch (e) {
      throw ioError(outDir, e, 'cannot create output folder');
    }
    for (let i = 0; i < mapped.media.length; i++) {
      const m = mapped.media[i];
      const target = targets[i];
      const existed = await exists(target);
      if (m.external) await copyFileAtomic(externalPath(m), target, force);
      else await archive.extractEntry(m.source, target, { force });
      if (!existed) created.push(target);
    }
    const out = await createAtomicFile(sessionPath, { force });
    try {
      await out.handle.writeFile(dawSessionYaml(mapped.session, basename(path), mapped.warnings));
      await out.commit();
    } catch (e) {
      await out.abort();
      throw e;
    }
    return {
      sessionPath, tracks: mapped.session.tracks.length, buses: mapped.session.buses?.length ?? 0, audioFiles: targets.map((t) => resolve(t)),
      tempoBpm: mapped.tempoBpm, warnings: mapped.warnings.map((message) => ({ code: 'dawproject-import', message })), session: mapped.session,
    };
  } catch (e) {
    for (const f of created) await unlink(f).catch(() => undefined);
    throw e;
  } finally {
    await archive.close();
  }
}

/** Copies a file beside the project (external reference) through an atomic temp file, streaming. */
async function copyFileAtomic(from: string, to: string, force: boolean): Promise<void> {
  const out = await createAtomicFile(to, { force });
  try {
    let pos = 0;
    for await (const chunk of createReadStream(from, { highWaterMark: 1 << 20 })) {
      const b = chunk as Buffer;
      await out.handle.write(b, 0, b.length, pos);
      pos += b.length;
    }
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e instanceof AudioFileError ? e : ioError(from, e, 'cannot copy');
  }
}
