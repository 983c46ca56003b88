import { GanetiError } from '../errors/index.js';
import { SSCONF_KEYS, writeSsconfFiles } from '../config/ssconf.js';
import type { RpcHandler } from '../rpc/server.js';
import { serializer, type NodeEnv } from './context.js';

const VALID = new Set<string>(SSCONF_KEYS);

/**
 * write_ssconf_files (Ganeti's ssconf.WriteSsconfFiles): each value (a string, or a list of
 * lines joined by newlines) goes to `ssconf_<key>`, mode 0444, atomically, under the ssconf
 * lock; unknown keys are refused before anything is written.
 */
export function ssconfHandlers(env: NodeEnv): Record<string, RpcHandler> {
  const exclusive = serializer();
  return {
    write_ssconf_files: (args) =>
      exclusive(async () => {
        const [values] = args as [Record<string, string | string[]>];
        const unknown = Object.keys(values).filter((k) => !VALID.has(k));
        if (unknown.length) throw new GanetiError('GNT_CONFIG_INVALID', { what: 'ssconf values', problem: `invalid key(s) ${unknown.sort().join(', ')}` });
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(values)) flat[k] = Array.isArray(v) ? v.join('\n') : v;
        await writeSsconfFiles(env.paths, flat);
        return null;
      }),
  };
}
