import { InvalidArgumentError, type Command } from 'commander';
import { exitCodeFor } from './errors.js';

/** Where a command writes: results to stdout, logs and progress to stderr. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr };

/** commander option parser for integers. */
export function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`'${value}' is not an integer.`);
  return n;
}

/** commander option parser for finite numbers. */
export function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`'${value}' is not a number.`);
  return n;
}

/** Prints a command's result: one JSON document with --json, else its `summary` lines (or JSON). */
export function printResult(result: unknown, opts: { json?: boolean }, io: Io = processIo): void {
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const summary = (result as { summary?: unknown } | null)?.summary;
  io.stdout.write(`${typeof summary === 'string' ? summary : JSON.stringify(result, null, 2)}\n`);
}

/**
 * Runs a commander program as an app's main (STYLE §4): errors become exit codes via
 * {@link exitCodeFor}; deliberate errors print `error: <message>` on stderr, bugs print the stack.
 * Sets process.exitCode (never calls process.exit, so stdout drains).
 */
export async function runMain(program: Command, argv: string[] = process.argv, io: Io = processIo): Promise<number> {
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const code = exitCodeFor(err);
    const isCommander = typeof (err as { code?: unknown }).code === 'string' && String((err as { code: string }).code).startsWith('commander.');
    if (!isCommander) {
      if (code === 1) io.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      else io.stderr.write(`error: ${(err as Error).message}\n`);
    }
    process.exitCode = code;
    return code;
  }
}
