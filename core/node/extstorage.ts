import type { RpcHandler } from '../rpc/server.js';
import { toVirtualPath } from '../rpc/encoding.js';
import { providerContext, type NodeEnv } from './context.js';

/** One provider as extstorage_diagnose answers (Ganeti's tuple): name, path, valid, reason, parameters. */
export type ExtDiagnoseEntry = [name: string, path: string, valid: boolean, diagnose: string, parameters: [string, string][]];

/**
 * extstorage_diagnose: the ExtStorage providers of this node, from every storage provider
 * that has named sub-providers (the `ext` template). Paths under this node's root travel in
 * their wire form (as if the root were `/`), so that nodes sharing a machine answer alike.
 */
export function extStorageHandlers(env: NodeEnv): Record<string, RpcHandler> {
  const root = env.paths.root;
  const wire = (local: string): string => {
    try {
      return toVirtualPath(env.paths, local);
    } catch {
      return local; // a folder outside the root (ssconf search path) is shown as it is
    }
  };
  const wireText = (text: string): string => (root === '/' ? text : text.split(`${root}/`).join('/'));

  return {
    async extstorage_diagnose(_args, ctx) {
      const pctx = providerContext(env, ctx.signal);
      const out: ExtDiagnoseEntry[] = [];
      for (const entry of env.host.storage.entries()) {
        if (!entry.provider.diagnose) continue;
        for (const s of await entry.provider.diagnose(pctx))
          out.push([s.name, wire(s.path), s.valid, wireText(s.diagnose), s.parameters.map(([n, d]) => [n, d])]);
      }
      return out;
    },
  };
}
