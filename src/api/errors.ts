/** The error types the API throws, importable without loading the rest of the API (the CLI loads commands lazily). */
export { AudioFileError } from '../io/audio-reader.js';
