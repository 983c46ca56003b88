import { GanetiError } from '../errors/index.js';
import type { Params } from '../contracts/params.js';
import { SO_FIX_CONSISTENCY, STORAGE_UNIT_FIELDS, type StorageField, type StorageType, type StorageUnitKey, type StorageUnits } from '../contracts/storage.js';
import type { RpcHandler } from '../rpc/server.js';
import { localizeVirtualPath, toVirtualPath } from '../rpc/encoding.js';
import { providerContext, type NodeEnv } from './context.js';

/**
 * The node side of storage units (Ganeti's storage_list, storage_modify, storage_execute):
 * finds the loaded provider that declares units of the type asked for and calls it. Folder
 * units (file, sharedfile, gluster) travel as paths under the cluster root, as node_info's
 * do, so that every node names the same folder the same way; the provider sees local paths.
 */

const FOLDER_TYPES = new Set<string>(['file', 'sharedfile', 'gluster']);

type SuArgs = [key?: string | null, params?: Params, template?: string | null];

/**
 * The units of `type`: those of `template`'s provider when it declares them (the master
 * names the enabled template that serves the type), else the first provider's that does.
 */
export function findStorageUnits(env: NodeEnv, type: string, template: string | null): StorageUnits {
  const ofType = (units: readonly StorageUnits[] | undefined) => (units ?? []).find((u) => u.type === type);
  const preferred = template !== null && env.host.storage.has(template) ? ofType(env.host.storage.get(template).storageUnits) : undefined;
  const found = preferred ?? env.host.storage.entries().map((e) => ofType(e.provider.storageUnits)).find((u) => u !== undefined);
  if (!found) throw new GanetiError('GNT_STORAGE_TYPE_NO_UNITS', { type, node: env.nodeName });
  return found;
}

function unitKey(env: NodeEnv, type: string, suArgs: SuArgs): StorageUnitKey {
  const [key = null, params = {}] = suArgs;
  return { type: type as StorageType, key: key !== null && FOLDER_TYPES.has(type) ? localizeVirtualPath(env.paths, key) : key, params };
}

/** A unit name as the master sent it, as the provider knows it (folders become local paths). */
const localName = (env: NodeEnv, type: string, name: string): string => (FOLDER_TYPES.has(type) && name.startsWith('/') ? localizeVirtualPath(env.paths, name) : name);

/** A provider's unit name for the wire: a folder under this node's root as a cluster path. */
function wireName(env: NodeEnv, type: string, name: string): string {
  if (!FOLDER_TYPES.has(type)) return name;
  try {
    return toVirtualPath(env.paths, name);
  } catch {
    // a folder outside the root is named as it is
    return name;
  }
}

export function storageUnitHandlers(env: NodeEnv): Record<string, RpcHandler> {
  return {
    async storage_list(args, ctx) {
      const [type, suArgs, name, fields] = args as [string, SuArgs, string | null, string[]];
      const unknown = fields.filter((f) => !(STORAGE_UNIT_FIELDS as readonly string[]).includes(f));
      if (unknown.length) throw new GanetiError('GNT_STORAGE_FIELD_UNKNOWN', { fields: unknown.join(',') });
      const units = findStorageUnits(env, type, suArgs[2] ?? null);
      const rows = await units.list(unitKey(env, type, suArgs), name === null ? null : localName(env, type, name), fields as StorageField[], providerContext(env, ctx.signal));
      return rows.map((row) => fields.map((f) => (f === 'name' ? wireName(env, type, row.name) : (row[f as keyof typeof row] ?? null))));
    },

    async storage_modify(args, ctx) {
      const [type, suArgs, name, changes] = args as [string, SuArgs, string, Record<string, unknown>];
      const units = findStorageUnits(env, type, suArgs[2] ?? null);
      if (typeof units.modify !== 'function') throw new GanetiError('GNT_STORAGE_NOT_MODIFIABLE', { type });
      const extra = Object.keys(changes).filter((k) => k !== 'allocatable');
      if (extra.length) throw new GanetiError('GNT_STORAGE_FIELD_NOT_MODIFIABLE', { type, fields: extra.join(', ') });
      await units.modify(unitKey(env, type, suArgs), localName(env, type, name), changes as { allocatable?: boolean }, providerContext(env, ctx.signal));
      return null;
    },

    async storage_execute(args, ctx) {
      const [type, suArgs, name, op] = args as [string, SuArgs, string, string];
      const units = findStorageUnits(env, type, suArgs[2] ?? null);
      // the call's schema admits only fix-consistency, Ganeti's one operation: a repair
      if (op !== SO_FIX_CONSISTENCY || typeof units.repair !== 'function') throw new GanetiError('GNT_STORAGE_NOT_REPAIRABLE', { type });
      await units.repair(unitKey(env, type, suArgs), localName(env, type, name), providerContext(env, ctx.signal));
      return null;
    },
  };
}
