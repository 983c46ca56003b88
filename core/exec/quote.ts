/** Characters that never need quoting in a POSIX shell word. */
const SAFE_WORD = /^[A-Za-z0-9_\-.,:/@%+=]+$/;

/** One argument quoted for display (POSIX shell single quotes). */
export function quoteArg(arg: string): string {
  if (SAFE_WORD.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** argv quoted for display in messages and logs, e.g. `sh -c 'echo hi'`. Never executed. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}
