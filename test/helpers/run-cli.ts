/** Runs the CLI in-process and captures what it prints (stdout lines, stderr lines, exit code). */
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string[];
}

export async function runCli(args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(...t.split('\n')) });
  return { code, stdout: out.join('\n'), stderr: err.filter((l) => l.length > 0) };
}
