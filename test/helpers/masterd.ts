import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnDetached } from '../../core/exec/index.js';
import { ganetiPaths, type GanetiPaths } from '../../core/paths.js';
import { LuxiClient } from '../../core/luxi/client.js';
import { REPO_ROOT } from './tmp.js';

export const CONFIG_FIXTURE_30 = join(REPO_ROOT, 'test', 'fixtures', 'config', 'ganeti-3.0.config.data.json');

export interface RunningMasterd {
  readonly root: string;
  readonly paths: GanetiPaths;
  pid: number;
  readonly logFile: string;
  client(): LuxiClient;
  /** SIGTERM and wait for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash, and wait for it to be gone. */
  kill9(): Promise<void>;
  /** Starts a new master on the same root (after stop or kill9). */
  restart(): Promise<void>;
  log(): string;
}

/** Whether a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > end) throw new Error(`process ${pid} did not exit`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts the real `ganeti-masterd -f` as its own process on a root prefix (optionally with
 * a config.data copied from a fixture) and waits until its LUXI socket answers.
 */
export async function startMasterd(root: string, o: { config?: string; env?: Record<string, string> } = {}): Promise<RunningMasterd> {
  const paths = ganetiPaths(root);
  await mkdir(paths.dataDir, { recursive: true });
  await mkdir(paths.logDir, { recursive: true });
  if (o.config && !existsSync(paths.configData)) await copyFile(o.config, paths.configData);
  const logFile = paths.daemonLog('master-daemon');
  const launch = async () => {
    const pid = await spawnDetached([process.execPath, join(REPO_ROOT, 'dist', 'cli', 'ganeti-masterd.js'), '-f', '-d'], {
      logFile,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GANETI_ROOT: root, ...o.env },
    });
    const c = new LuxiClient({ socketPath: paths.luxiSocket, connectTimeoutMs: 20_000, waitForServer: true });
    try {
      await c.call('QueryConfigValues', [['drain_flag']]);
    } catch (e) {
      throw new Error(`masterd did not come up: ${(e as Error).message}\n${readFileSync(logFile, 'utf8')}`);
    } finally {
      c.close();
    }
    return pid;
  };
  const m: RunningMasterd = {
    root,
    paths,
    pid: await launch(),
    logFile,
    client: () => new LuxiClient({ socketPath: paths.luxiSocket }),
    async stop() {
      if (alive(m.pid)) process.kill(m.pid, 'SIGTERM');
      await waitGone(m.pid);
    },
    async kill9() {
      if (alive(m.pid)) process.kill(m.pid, 'SIGKILL');
      await waitGone(m.pid);
    },
    async restart() {
      m.pid = await launch();
    },
    log: () => readFileSync(logFile, 'utf8'),
  };
  return m;
}
