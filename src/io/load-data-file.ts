/** Reads a JSON or YAML data file (session, chain) into plain data; errors name the file. */
import { readFile } from 'node:fs/promises';
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
  // A byte-order mark (Windows editors write one) is not part of the data.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const json = path.toLowerCase().endsWith('.json');
  // The YAML parser is loaded only for YAML files: its many modules are start-up cost a JSON file need not pay.
  const parseYaml = json ? null : (await import('yaml')).parse;
  try {
    // merge: `<<: *anchor` shares settings between tracks (YAML 1.1's merge key, which the 1.2 default
    // leaves out); logLevel: a problem is an error below, never a warning printed on stderr.
    return parseYaml ? parseYaml(text, { merge: true, logLevel: 'error' }) : JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new AudioFileError(path, `not valid ${json ? 'JSON' : 'YAML'} (${msg})`, 'bad-data');
  }
}
