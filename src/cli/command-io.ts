/** What a command writes to: injectable so tests can run the CLI in-process. */
export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CommonOptions {
  quiet?: boolean;
  debug?: boolean;
  force?: boolean;
}

export const processIO: CommandIO = {
  stdout: (t) => process.stdout.write(t + '\n'),
  stderr: (t) => process.stderr.write(t + '\n'),
};
