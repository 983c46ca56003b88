import type { Logger, ProviderContext } from '../contracts/context.js';
import type { PluginHost } from '../plugin-host/host.js';
import type { GanetiPaths } from '../paths.js';
import { boundRunner } from '../exec/index.js';

/** What every node-side handler works with: this node's paths, plugins, log and name. */
export interface NodeEnv {
  readonly paths: GanetiPaths;
  readonly host: PluginHost;
  readonly log: Logger;
  /** This node's name (GANETI_HOSTNAME or the host name). */
  readonly nodeName: string;
}

/** The context a provider gets for one RPC: commands die with the call's signal. */
export function providerContext(env: NodeEnv, signal: AbortSignal): ProviderContext {
  return { signal, run: boundRunner(signal), log: env.log, paths: env.paths, nodeName: env.nodeName };
}

/** One at a time: calls that change the same files (job queue, ssconf) are serialized in this process. */
export function serializer(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn);
    tail = next.catch(() => undefined);
    return next;
  };
}
