import { Command, CommanderError } from 'commander';
import { VERSION } from '../../core/version.js';
import { GanetiError } from '../../core/errors/index.js';
import { EXIT } from './exit-codes.js';

/** Ganeti prints `<binary> (ganeti <vcs version>) <release>` for --version. */
export const versionLine = (binary: string) => `${binary} (ganeti-ts v${VERSION}) ${VERSION}`;

/** A commander program with Ganeti's conventions: --version line, exit codes, error output. */
export function createProgram(binary: string, description: string): Command {
  return new Command(binary)
    .description(description)
    .version(versionLine(binary), '--version', 'show the version and exit')
    .helpOption('-h, --help', 'show help for the command')
    .showHelpAfterError('(use --help for the list of options)')
    .exitOverride();
}

/** Formats an error as the CLI prints it. Prerequisite errors look as in Ganeti. */
export function formatFailure(e: unknown): string {
  if (e instanceof GanetiError) {
    if (e.ecode && ['wrong_input', 'wrong_state', 'unknown_entity', 'already_exists', 'resource_not_unique', 'insufficient_resources'].includes(e.ecode))
      return `Failure: prerequisites not met for this operation:\nerror type: ${e.ecode}, error details:\n${e.toLine()}`;
    return `Failure: ${e.toLine()}`;
  }
  return `Failure: ${e instanceof Error ? e.message : String(e)}`;
}

/** Parses argv and runs the action; maps every outcome to an exit code. Never throws. */
export async function runProgram(program: Command, argv: string[] = process.argv): Promise<number> {
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT.SUCCESS : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.SUCCESS : EXIT.FAILURE;
    if (e instanceof CliExit) return e.code;
    process.stderr.write(`${formatFailure(e)}\n`);
    return EXIT.FAILURE;
  }
}

/** Thrown by a command to end with a given exit code after printing its own message. */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Entry point helper for bin scripts: run, then exit with the code. */
export function main(program: Command): void {
  void runProgram(program).then((code) => {
    process.exitCode = code;
  });
}
