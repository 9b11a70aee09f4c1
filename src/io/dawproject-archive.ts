/**
 * Reading a .dawproject file (a ZIP archive holding project.xml, metadata.xml and the audio): the central
 * directory is read from the end of the file, project.xml is parsed (fast-xml-parser) into the element tree
 * core/mix/dawproject-import.ts maps, and audio entries are extracted one at a time, streaming (fflate's
 * Inflate on 1 MiB slices of the file), so a large archive is never held in memory. Stored and deflated
 * entries and ZIP64 are read; every extracted entry is checked against its CRC-32 and size.
 *
 * Errors are one-line AudioFileErrors naming the .dawproject file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Inflate, strFromU8 } from 'fflate';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { XmlElement } from '../core/mix/dawproject-import.js';
import { AudioFileError } from './audio-reader.js';
import { createAtomicFile, type AtomicFileOptions } from './atomic-file.js';

/** The error code of every problem with the archive itself. */
export const BAD_DAWPROJECT = 'bad-dawproject';

export interface ZipEntry {
  /** Path inside the archive ('/' separators). */
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
  encrypted: boolean;
}

const SLICE = 1 << 20;

// CRC-32 (IEEE 802.3, reflected 0xEDB88320), the checksum ZIP stores per entry (APPNOTE 4.4.7).
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crcUpdate(crc: number, data: Uint8Array): number {
  let c = crc ^ 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Archive paths compared the way the project writes them: '/' separators, no leading './' or '/'. */
export function normalizeEntryName(name: string): string {
  return name.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

/**
 * Converts project.xml text into an element tree (attributes as strings, children in document order).
 * @throws AudioFileError naming `file` when the text is not well-formed XML.
 */
export function parseProjectXml(text: string, file: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new AudioFileError(file, `project.xml is not valid XML (line ${valid.err.line}: ${valid.err.msg})`, BAD_DAWPROJECT);
  const parser = new XMLParser({
    preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false,
    trimValues: true, processEntities: true, ignoreDeclaration: true, ignorePiTags: true,
  });
  const raw = parser.parse(text) as unknown[];
  const convert = (node: Record<string, unknown>): XmlElement | null => {
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (tag === undefined || tag === '#text' || tag === '#comment') return null;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries((node[':@'] as Record<string, unknown> | undefined) ?? {})) attrs[k] = String(v);
    const kids = (node[tag] as Record<string, unknown>[] | undefined) ?? [];
    return { tag, attrs, children: kids.map(convert).filter((c): c is XmlElement => c !== null) };
  };
  const roots = raw.map((n) => convert(n as Record<string, unknown>)).filter((c): c is XmlElement => c !== null);
  if (roots.length === 0) throw new AudioFileError(file, 'project.xml has no root element', BAD_DAWPROJECT);
  return roots[0];
}

/** An open .dawproject: its entries and parsed project.xml. Close it when done. */
export class DawProjectArchive {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly entries: Map<string, ZipEntry>,
    readonly project: XmlElement,
  ) {}

  /**
   * Opens a .dawproject and parses its project.xml.
   * @throws AudioFileError: no such file, not a ZIP archive, no project.xml, project.xml not XML.
   */
  static async open(path: string): Promise<DawProjectArchive> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new AudioFileError(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message, 'io');
    }
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw new AudioFileError(path, 'is a directory', 'io');
      const entries = await readCentralDirectory(handle, st.size, path);
      const projectEntry = entries.get('project.xml');
      if (!projectEntry) throw new AudioFileError(path, 'not a .dawproject file (no project.xml in the archive)', BAD_DAWPROJECT);
      const archive = new DawProjectArchive(path, handle, entries, { tag: '', attrs: {}, children: [] });
      const text = strFromU8(await archive.readEntry('project.xml'));
      const project = parseProjectXml(text, path);
      return new DawProjectArchive(path, handle, entries, project);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Whether the archive holds `name` (a project path). */
  has(name: string): boolean {
    return this.entries.has(normalizeEntryName(name));
  }

  /** The whole entry in memory (for the XML files). */
  async readEntry(name: string): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    await this.streamEntry(name, async (chunk) => { parts.push(chunk.slice()); });
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }

  /**
   * Extracts one entry to `target` through an atomic temp file (nothing appears under `target` unless the
   * whole entry was written and its CRC matched).
   * @throws AudioFileError (missing entry, corrupt data, output exists without force, I/O).
   */
  async extractEntry(name: string, target: string, opts: AtomicFileOptions = {}): Promise<void> {
    const out = await createAtomicFile(target, opts);
    try {
      let pos = 0;
      await this.streamEntry(name, async (chunk) => {
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await out.handle.write(chunk, off, chunk.length - off, pos);
          off += bytesWritten;
          pos += bytesWritten;
        }
      });
      await out.commit();
    } catch (e) {
      await out.abort();
      throw e;
    }
  }

  /** Decompresses an entry slice by slice; `sink` receives each piece (it may be reused after it returns). */
  private async streamEntry(name: string, sink: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    const key = normalizeEntryName(name);
    const e = this.entries.get(key);
    if (!e) throw new AudioFileError(this.path, `"${key}" is missing from the archive`, BAD_DAWPROJECT);
    const bad = (why: string) => new AudioFileError(this.path, `"${key}": ${why}`, BAD_DAWPROJECT);
    if (e.encrypted) throw bad('encrypted entries are not supported');
    if (e.method !== 0 && e.method !== 8) throw bad(`compression method ${e.method} is not supported (only stored and deflate)`);
    const lh = Buffer.alloc(30);
    await this.handle.read(lh, 0, 30, e.localHeaderOffset);
    if (lh.readUInt32LE(0) !== 0x04034b50) throw bad('corrupt archive (bad local header)');
    let pos = e.localHeaderOffset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
    const end = pos + e.compressedSize;
    let crc = 0;
    let size = 0;
    const pending: Uint8Array[] = [];
    const inflate = e.method === 8 ? new Inflate((chunk) => { pending.push(chunk); }) : null;
    const buf = Buffer.alloc(Math.min(SLICE, Math.max(1, e.compressedSize)));
    const flush = async () => {
      for (const c of pending) { crc = crcUpdate(crc, c); size += c.length; await sink(c); }
      pending.length = 0;
    };
    if (e.compressedSize === 0 && inflate) inflate.push(new Uint8Array(0), true);
    while (pos < end) {
      const n = Math.min(buf.length, end - pos);
      const { bytesRead } = await this.handle.read(buf, 0, n, pos);
      if (bytesRead <= 0) throw bad('corrupt archive (entry data cut short)');
      pos += bytesRead;
      const slice = new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
      if (inflate) {
        try { inflate.push(slice.slice(), pos >= end); } catch (err) { throw bad(`corrupt data (${(err as Error).message})`); }
      } else pending.push(slice.slice());
      await flush();
    }
    if (size !== e.size || crc !== e.crc32) throw bad('corrupt data (CRC or size mismatch)');
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Reads the ZIP central directory (APPNOTE.TXT 4.3.12, 4.3.16; ZIP64 4.3.14/4.3.15/4.5.3). */
async function readCentralDirectory(handle: FileHandle, fileSize: number, path: string): Promise<Map<string, ZipEntry>> {
  const notZip = () => new AudioFileError(path, 'not a .dawproject file (not a ZIP archive)', BAD_DAWPROJECT);
  if (fileSize < 22) throw notZip();
  const tailLen = Math.min(fileSize, 22 + 0xffff + 20);
  const tail = Buffer.alloc(tailLen);
  await handle.read(tail, 0, tailLen, fileSize - tailLen);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw notZip();
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20 && tail.readUInt32LE(eocd - 20) === 0x07064b50) {
    const z64Offset = Number(tail.readBigUInt64LE(eocd - 20 + 8));
    const z = Buffer.alloc(56);
    await handle.read(z, 0, 56, z64Offset);
    if (z.readUInt32LE(0) !== 0x06064b50) throw notZip();
    count = Number(z.readBigUInt64LE(32));
    cdSize = Number(z.readBigUInt64LE(40));
    cdOffset = Number(z.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > fileSize) throw notZip();
  const cd = Buffer.alloc(cdSize);
  await handle.read(cd, 0, cdSize, cdOffset);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw new AudioFileError(path, 'corrupt archive (bad central directory)', BAD_DAWPROJECT);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc32 = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const name = cd.subarray(p + 46, p + 46 + nameLen).toString(flags & 0x800 ? 'utf8' : 'latin1');
    // ZIP64 extended information: only the fields whose 32-bit value is 0xFFFFFFFF, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        if (size === 0xffffffff) { size = Number(cd.readBigUInt64LE(q)); q += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = Number(cd.readBigUInt64LE(q)); q += 8; }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(cd.readBigUInt64LE(q));
      }
      x += 4 + len;
    }
    p = xEnd + commentLen;
    if (!name.endsWith('/')) entries.set(normalizeEntryName(name), { name, method, compressedSize, size, crc32, localHeaderOffset, encrypted: (flags & 1) !== 0 });
  }
  return entries;
}
