import { run } from '../exec/index.js';
import { RPC_TIMEOUTS } from '../rpc/timeouts.js';
import type { RpcHandler } from '../rpc/server.js';
import type { NodeEnv } from './context.js';
import { requireMasterPeer } from './master-peer.js';

/**
 * run_command (`gnt-cluster command`; Ganeti uses ssh as root for it): runs the command line
 * with /bin/sh on this node, stdin /dev/null, in the node's root folder with GANETI_ROOT set,
 * and answers `[exit code, output]` (stdout and stderr interleaved, as ssh shows them). Only
 * the master's certificate may call it: a master candidate's certificate opens every other
 * call, not this one. The command dies with the call (timeout or cancel).
 */
export function commandHandlers(env: NodeEnv): Record<string, RpcHandler> {
  return {
    async run_command(args, ctx) {
      await requireMasterPeer(env.paths, 'run_command', ctx.peer.digest);
      const [command] = args as [string];
      env.log.info(`run_command: ${command}`);
      const r = await run(['/bin/sh', '-c', command], {
        cwd: env.paths.root,
        env: { GANETI_ROOT: env.paths.root, GANETI_HOSTNAME: env.nodeName },
        signal: ctx.signal,
        timeoutMs: (RPC_TIMEOUTS.NORMAL - 5) * 1000,
      });
      if (r.notFound) return [127, r.all];
      return [r.exitCode, r.all];
    },
  };
}
