import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GanetiError, describeError } from '../errors/index.js';
import type { GanetiPaths } from '../paths.js';
import type { RpcHandler } from '../rpc/server.js';
import type { NodeEnv } from './context.js';

export interface MasterRoleOptions {
  /**
   * Starts ganeti-masterd on this node and resolves once it answers. The daemon entry point
   * supplies it (core does not know where the CLI entry points live); without it,
   * node_start_master_daemons fails.
   */
  readonly startMaster?: (noVoting: boolean) => Promise<void>;
  /** How long node_stop_master waits after SIGTERM before SIGKILL (ms, default 30 s). */
  readonly stopGraceMs?: number;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The pid in ganeti-masterd.pid, if that process still runs ganeti-masterd (not a reused pid). */
export async function runningMasterd(paths: Pick<GanetiPaths, 'runDir'>): Promise<number | null> {
  const pid = Number((await readFile(join(paths.runDir, 'ganeti-masterd.pid'), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return null;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  return cmdline === null || cmdline.includes('ganeti-masterd') ? pid : null;
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

/**
 * The master role calls (Ganeti's bootstrap RPCs): master_node_name (this node's vote in
 * master failover: the master its ssconf names), node_stop_master (SIGTERM to the master
 * daemon, SIGKILL after a grace period; nothing to do is success) and
 * node_start_master_daemons.
 */
export function masterRoleHandlers(env: NodeEnv, o: MasterRoleOptions = {}): Record<string, RpcHandler> {
  const { paths } = env;
  return {
    async master_node_name() {
      const name = (await readFile(paths.ssconf('master_node'), 'utf8').catch(() => '')).trim();
      if (!name) throw new GanetiError('GNT_NODED_FAILED', { procedure: 'master_node_name', reason: 'this node has no ssconf_master_node' });
      return name;
    },

    async node_stop_master() {
      const pid = await runningMasterd(paths);
      if (pid === null) return null;
      env.log.info(`node_stop_master: stopping ganeti-masterd (pid ${pid})`);
      try {
        process.kill(pid, 'SIGTERM');
        if (!(await waitGone(pid, o.stopGraceMs ?? 30_000))) {
          env.log.warn(`ganeti-masterd (pid ${pid}) ignored SIGTERM; killing it`);
          process.kill(pid, 'SIGKILL');
          await waitGone(pid, 5000);
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw new GanetiError('GNT_NODED_FAILED', { procedure: 'node_stop_master', reason: describeError(e) }, { cause: e });
      }
      // a killed daemon leaves its pid file behind
      await rm(join(paths.runDir, 'ganeti-masterd.pid'), { force: true });
      return null;
    },

    async node_start_master_daemons(args) {
      const [noVoting] = args as [boolean];
      if (!o.startMaster) throw new GanetiError('GNT_NODED_NOT_IMPLEMENTED', { procedure: 'node_start_master_daemons' });
      if ((await runningMasterd(paths)) !== null) return null;
      try {
        await o.startMaster(noVoting);
      } catch (e) {
        throw new GanetiError('GNT_NODED_FAILED', { procedure: 'node_start_master_daemons', reason: describeError(e) }, { cause: e });
      }
      return null;
    },
  };
}
