import { closeSync, openSync } from 'node:fs';
import { spawn } from 'node:child_process';

/**
 * Starts a long-lived process that outlives the caller (a daemon detaching itself, a test
 * starting a daemon): its own session, stdin /dev/null, stdout and stderr appended to
 * `logFile` through inherited descriptors (no pipe through this process), not waited for.
 * Returns its pid. The only place besides `run` that spawns. Plain child_process here, not
 * execa: nothing is piped or awaited, and loading execa (~100 ms) would double the time a
 * daemon's launcher takes to return.
 */
export async function spawnDetached(argv: readonly string[], options: { logFile: string; env?: Readonly<Record<string, string>>; cwd?: string }): Promise<number> {
  const fd = openSync(options.logFile, 'a', 0o640);
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env === undefined ? process.env : { ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    // a failure to start (ENOENT, EACCES) comes as an event: wait for spawn or error
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${argv[0]}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}
