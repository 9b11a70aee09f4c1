/** Reads a JSON or YAML data file (session, chain) into plain data; errors name the file. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { AudioFileError } from './audio-reader.js';

/** Parses `path` as JSON (.json) or YAML (anything else; YAML is a superset of JSON). */
export async function loadDataFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AudioFileError(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message, 'unreadable');
  }
  try {
    return path.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new AudioFileError(path, `not valid ${path.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML'} (${msg})`, 'bad-data');
  }
}
