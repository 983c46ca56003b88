import type { PluginHost } from '../plugin-host/host.js';
import type { ProviderContext } from '../contracts/context.js';
import type { Logger } from '../contracts/context.js';
import type { GanetiPaths } from '../paths.js';
import { boundRunner } from '../exec/index.js';
import { BUILTIN_RPC_CALLS, createRpcCallTable } from './builtin-calls.js';
import type { RpcCallTable } from './calls.js';
import type { RpcHandler } from './server.js';

/**
 * The built-in call table plus every procedure the host's plugins declared. A plugin may also
 * serve a procedure core declares (hooks_runner) by registering core's own declaration
 * (`builtinRpcCall(name)` from 'ganeti-ts'); it is then not declared twice.
 */
export function callTableFor(host: PluginHost): RpcCallTable {
  const calls = createRpcCallTable();
  for (const { plugin, procedure } of host.rpcProcedures) {
    if (BUILTIN_RPC_CALLS.includes(procedure.call)) continue;
    calls.define(procedure.call, plugin);
  }
  return calls;
}


/** The node-side handlers of the plugins' procedures, each run with a provider context. */
export function pluginHandlers(host: PluginHost, env: { paths: GanetiPaths; log: Logger; nodeName: string }): Record<string, RpcHandler> {
  return Object.fromEntries(
    host.rpcProcedures.map(({ procedure }) => [
      procedure.call.name,
      (args: unknown[], req: { signal: AbortSignal }) => {
        const ctx: ProviderContext = { signal: req.signal, run: boundRunner(req.signal), log: env.log, paths: env.paths, nodeName: env.nodeName };
        return procedure.handler(args, ctx);
      },
    ]),
  );
}
