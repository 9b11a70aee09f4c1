/**
 * The `mixmaster` command (commands are imported when they run, so `analyze` does not load the
 * mastering, mixing and decoder modules at start-up): parses argv, runs one subcommand through the api, maps errors to one line
 * on stderr and the exit codes of shared/DESIGN.md (0 ok, 1 bad data, 2 usage).
 */
import { Command, CommanderError, Option } from 'commander';
import { describeError, EXIT_USAGE, UsageError } from './cli-error.js';
import { processIO, type CommandIO } from './command-io.js';
import { applyWasmEnv } from '../api/wasm-env.js';
import { CREST_WEIGHT } from '../api/automix-defaults.js';

const VERSION = '0.1.0';

/** Adds the options every command shares. */
function common(cmd: Command): Command {
  return cmd
    .option('--quiet', 'no progress or warnings on stderr')
    .option('--debug', 'print stack traces on errors')
    .option('--force', 'overwrite an existing output');
}

function buildProgram(io: CommandIO, run: (p: Promise<number>) => Promise<void>): Command {
  const program = new Command('mixmaster')
    .description('Mixing and mastering engine: EBU R128 metering, DSP, mixing and mastering to loudness targets')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: () => {} })
    .showSuggestionAfterError(true);

  common(program.command('analyze'))
    .description('measure loudness (BS.1770 / EBU R128), true peak, dynamics, spectrum of audio files')
    .argument('<files...>', 'audio files (WAV/RF64/BW64, FLAC, MP3, Ogg Vorbis, Opus)')
    .option('--json', 'print one JSON value on stdout (an object for one file, an array for several)')
    .option('--album', 'also report loudness gated across all files (album loudness)')
    .option('--strict', 'treat a truncated file as an error')
    .option('--series', 'include the loudness-over-time series (JSON)')
    .option('--report <file.html>', 'write an HTML report (summary, loudness over time, spectrum per file)')
    .action((files: string[], opts) => run(import('./commands/analyze.js').then((m) => m.analyzeCommand(files, opts, io))));

  common(program.command('process'))
    .description('apply an insert chain (the same inserts list as in a session) to one file, like a sox effects chain')
    .argument('<input>', 'audio file')
    .requiredOption('-o, --output <file>', 'output file: .wav, .flac or .mp3')
    .requiredOption('--chain <file>', 'chain file: YAML or JSON list of inserts')
    .option('--bit-depth <bits>', 'output bit depth: 16, 24 or 32f (default: the input\'s PCM depth, else 24)')
    .option('--no-dither', 'round to 16/24-bit PCM instead of TPDF dither (for material already on that grid)')
    .option('--sample-rate <hz>', "output sample rate (default: the input's)")
    .option('--threads <n>', 'auto (default): long files run the chain as an assembly line over spare cores; 1: one thread')
    .option('--strict', 'treat a truncated input as an error')
    .option('--json', 'print { input, output, settings } as JSON')
    .action((input: string, opts) => run(import('./commands/process.js').then((m) => m.processCommand(input, opts, io))));

  common(program.command('mix'))
    .description('render a session (tracks, buses, sends, automation) to a stereo file')
    .argument('<session>', 'session file (JSON or YAML); stem paths are relative to it')
    .requiredOption('-o, --output <file>', 'output file: .wav, .flac or .mp3')
    .option('--json', 'print { output, settings } as one JSON value')
    .option('--bit-depth <bits>', 'output bit depth: 16, 24 or 32f')
    .option('--no-dither', 'round to 16/24-bit PCM instead of TPDF dither (for material already on that grid)')
    .option('--sample-rate <hz>', "session rate (default: the session's, else the first track's)")
    .option('--strict', 'treat a truncated stem as an error')
    .option('--report <file.html>', "write an HTML report (the output's analysis and the settings)")
    .action((session: string, opts) => run(import('./commands/mix.js').then((m) => m.mixCommand(session, opts, io))));

  program.command('schema')
    .description('print the session JSON Schema (for editors)')
    .action(() => run(import('./commands/schema.js').then((m) => m.schemaCommand(io))));

  common(program.command('master'))
    .description('master to a loudness target or a reference track: tonal EQ, resonance control, multiband, width, true-peak limiter to the exact loudness')
    .argument('<inputs...>', 'audio files (several, or --album: -o is a folder)')
    .requiredOption('-o, --output <file|dir>', 'output file (.wav, .flac, .mp3), or a folder for several inputs / --album')
    .option('--preset <name>', 'loudness preset: spotify, apple-music, youtube, amazon-music, tidal, deezer, podcast, ebu-r128, atsc-a85, cd (default spotify)')
    .option('--target <LUFS>', 'integrated loudness target, LUFS (instead of --preset)')
    .option('--ceiling <dBTP>', "true-peak ceiling, dBTP (default: the preset's)")
    .option('--reference <file>', 'match a reference master (loudness, tone, width, dynamics)')
    .option('--match <list>', 'what to match with --reference: eq,loudness,width,dynamics (default all)')
    .option('--amount <0..1>', 'how far to match the reference (default 1)')
    .option('--album', 'album mode: one gain offset for all files (the loudest on the target), consistent tone')
    .option('--no-eq', 'no tonal/corrective EQ')
    .option('--eq-amount <0..1>', 'how far the tonal EQ moves toward the target curve (default 0.5)')
    .option('--no-resonance', 'no resonance control')
    .option('--no-multiband', 'no multiband compression')
    .option('--no-maximiser', 'never soft-clip before the limiter (default: only when limiting alone is heavy or cannot reach the target)')
    .option('--multiband-amount <0..1>', 'scale the multiband compression (default 1)')
    .option('--width <percent>', 'stereo width, percent (100 = unchanged)')
    .option('--mono-below <Hz>', 'make the low end mono below this frequency, Hz')
    .option('--bit-depth <bits>', "output bit depth: 16, 24 or 32f (default: the input's PCM depth, else 24)")
    .option('--format <format>', 'output format for folder outputs: wav, flac or mp3 (default wav)')
    .option('--sample-rate <hz>', "output sample rate (default: the input's); the target holds at that rate")
    .option('--strict', 'treat a truncated input as an error')
    .option('--json', 'print { input, output, settings } as JSON (an array for several files)')
    .option('--report <file.html>', 'write an HTML report: input/output analyses, overlaid plots, every decision')
    .action((inputs: string[], opts) => run(import('./commands/master.js').then((m) => m.masterCommand(inputs, opts, io))));

  common(program.command('automix'))
    .description('automatic mix of stems: roles, balance, pan, EQ, dynamics, reverb; writes an editable session')
    .argument('<stems...>', 'stem files or a folder of stems')
    .option('-o, --output <file>', 'mix output: .wav, .flac or .mp3 (without it: plan only, no render)')
    .option('--session-out <file>', 'write the session: .yaml (every decision as a comment) or .json; stem paths relative to it')
    .option('--master <preset>', 'also master the mix to a loudness preset (spotify, ...)')
    .option('--master-out <file>', 'master output file (default <mix>.master.wav)')
    .option('--reference <file>', "match a reference mix's tonal balance and loudness")
    .option('--role <list>', 'force roles: name=role,... (name = file name without extension)')
    .option('--level <list>', "set roles' levels: role=LU,... (replaces the role table's row; lead/vocal is 0)")
    .option('--crest-weight <LU/dB>', `balance correction per dB of crest factor, 0..1 (default ${CREST_WEIGHT}; 0 = role levels only)`)
    .option('--exclude <list>', 'leave these files out of a folder: name,... (file name, with or without extension)')
    .option('--no-reverb', 'no shared reverb')
    .option('--no-glue', 'no bus glue compressor')
    .option('--bit-depth <bits>', 'output bit depth: 16, 24 or 32f')
    .option('--strict', 'treat a truncated stem as an error')
    .option('--json', 'print { output, master?, settings } as JSON')
    .action((inputs: string[], opts) => run(import('./commands/automix.js').then((m) => m.automixCommand(inputs, opts, io))));

  common(program.command('import'))
    .description('import a DAWproject (.dawproject) as a session: tracks, levels, pans, sends, groups, automation')
    .argument('<project>', '.dawproject file')
    .requiredOption('-o, --output <dir>', 'folder for session.yaml and audio/')
    .option('--json', 'print { session, tracks, buses, audioFiles, tempoBpm, warnings } as JSON')
    .action((project: string, opts) => run(import('./commands/import.js').then((m) => m.importCommand(project, opts, io))));

  common(program.command('demo'))
    .description('run the main job on a built-in song (no input files needed)')
    .addOption(new Option('-o, --output <dir>', 'folder to write the stems, session.yaml, mix.wav and master.wav into'))
    .option('--preset <name>', 'mastering preset for the demo (default spotify)')
    .option('--json', 'print the result as JSON')
    .action((opts) => run(import('./commands/demo.js').then((m) => m.demoCommand(opts, io))));

  return program;
}

/** Runs the CLI; resolves to the process exit code. Never throws. */
export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  const debug = argv.includes('--debug');
  applyWasmEnv();
  if (argv[0] === 'analyze') {
    // Boot the true-peak worker while this thread loads the analyze command and opens the files.
    await import('../api/parallel-analyzer.js').then((m) => m.prewarmTruePeakWorker(), () => undefined);
  }
  let exitCode: number | null = null;
  const program = buildProgram(io, async (p) => { exitCode = await p; });
  try {
    if (argv.length === 0) { io.stderr(program.helpInformation().trimEnd()); return EXIT_USAGE; }
    await program.parseAsync(argv, { from: 'user' });
    if (exitCode === null) throw new UsageError(`unknown command '${argv[0]}' (see mixmaster --help)`);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      io.stderr(`mixmaster: ${err.message.replace(/^error: /, '')}`);
      return EXIT_USAGE;
    }
    const { line, exitCode } = describeError(err);
    io.stderr(line);
    if (debug && err instanceof Error && err.stack) io.stderr(err.stack);
    return exitCode;
  } finally {
    if (process.env.MIXMASTER_REPORT_RSS) {
      // For the benchmark: peak resident memory of the whole process (KiB).
      process.stderr.write(`mixmaster-maxrss-kib ${process.resourceUsage().maxRSS}\n`);
    }
  }
}
