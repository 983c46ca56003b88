import { closeSync, openSync } from 'node:fs';
import type { Options } from 'execa';

/**
 * Starts a long-lived process that outlives the caller (a daemon detaching itself, a test
 * starting a daemon): its own session, stdin /dev/null, stdout and stderr appended to
 * `logFile` through inherited descriptors (no pipe through this process), not waited for.
 * Returns its pid. The only place besides `run` that spawns.
 */
export async function spawnDetached(argv: readonly string[], options: { logFile: string; env?: Readonly<Record<string, string>>; cwd?: string }): Promise<number> {
  const { execa } = await import('execa');
  const fd = openSync(options.logFile, 'a', 0o640);
  try {
    const opts = {
      detached: true,
      // execa hands raw descriptors to spawn as they are; its typings leave numbers out here
      stdio: ['ignore', fd, fd] as unknown as Options['stdio'],
      env: { ...(options.env ?? {}) },
      extendEnv: options.env === undefined,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      cleanup: false,
      reject: false,
    } satisfies Options;
    const child = execa(argv[0]!, [...argv.slice(1)], opts);
    child.unref();
    child.catch(() => undefined);
    if (child.pid === undefined) throw new Error(`cannot start ${argv[0]}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}
