/**
 * The OS RPCs on the node (interfaces §1, §9): the definitions of every OS provider (the
 * script folders of the built-in plugin, and plugins), looked up by name; a name two
 * providers offer belongs to the first registered, as the first folder of the search path
 * wins in Ganeti. The instance's disks are assembled here before a script runs.
 */
import type { HvDisk, HvInstance } from '../contracts/hypervisor.js';
import type { CommandSpec } from '../contracts/storage.js';
import type { OsApiVersion, OsDefinition, OsDisk, OsInstance, OsNic, OsProvider, OsRef } from '../contracts/os.js';
import type { ProviderContext } from '../contracts/context.js';
import type { Params } from '../contracts/params.js';
import type { RpcHandler } from '../rpc/server.js';
import { GanetiError } from '../errors/index.js';
import { toVirtualPath } from '../rpc/encoding.js';
import type { WireDisk } from '../storage/disk-wire.js';
import { providerContext, type NodeEnv } from './context.js';
import { diskTrees } from './disk-tree.js';
import { assembleHvDisks } from './hv-disks.js';
import { localExportPath } from './export.js';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Ganeti's os_diagnose tuple. */
export type OsDiagnoseEntry = [name: string, path: string, valid: boolean, diagnose: string, variants: string[], parameters: [string, string][], api_versions: number[], trusted: boolean];

/** OS API versions this node speaks, newest first. */
const SUPPORTED: readonly OsApiVersion[] = [20, 15, 10];
/** Templates whose disks are files (DISK_N_BACKEND_TYPE `file:<driver>`). */
const FILE_BASED = new Set(['file', 'sharedfile', 'gluster']);

export interface OsInfo {
  readonly osparams: Params;
  readonly ctime: number;
  readonly mtime: number;
}

/** `name+variant` → [name, variant]; the variant is '' when absent. */
export const splitOsName = (os: string): [string, string] => {
  const i = os.indexOf('+');
  return i < 0 ? [os, ''] : [os.slice(0, i), os.slice(i + 1)];
};

export function osHandlers(env: NodeEnv): Record<string, RpcHandler> {
  const trees = diskTrees(env);
  const wirePath = (local: string): string => {
    try {
      return toVirtualPath(env.paths, local);
    } catch {
      return local; // a plugin's package folder lies outside the root
    }
  };
  const wireText = (text: string): string => (env.paths.root === '/' ? text : text.split(`${env.paths.root}/`).join('/'));

  /** Every definition with the provider that serves it; the first provider wins a name. */
  async function definitions(ctx: ProviderContext): Promise<Map<string, { def: OsDefinition; provider: OsProvider }>> {
    const out = new Map<string, { def: OsDefinition; provider: OsProvider }>();
    for (const entry of env.host.os.entries()) {
      for (const def of await entry.provider.diagnose(ctx)) if (!out.has(def.name)) out.set(def.name, { def, provider: entry.provider });
    }
    return out;
  }

  /** The valid definition of `os` (with variant), its provider and the reference the scripts get. */
  async function resolve(os: string, ctx: ProviderContext, forceVariant: boolean): Promise<{ def: OsDefinition; provider: OsProvider; ref: OsRef }> {
    const [name, asked] = splitOsName(os);
    const found = (await definitions(ctx)).get(name);
    if (!found) throw new GanetiError('GNT_OS_NOT_FOUND', { os: name, node: env.nodeName, searchPath: env.paths.osSearchPath.join(':') });
    if (!found.def.valid) throw new GanetiError('GNT_OS_INVALID', { os: name, node: env.nodeName, reason: wireText(found.def.diagnose) });
    const api = SUPPORTED.find((v) => found.def.api_versions.includes(v)) ?? 10;
    const variants = api >= 15 ? found.def.variants : [];
    if (!forceVariant) {
      if (!variants.length && asked) throw new GanetiError('GNT_OS_VARIANT', { os: name, problem: `it does not support variants, but '${asked}' was given` });
      if (variants.length && !asked) throw new GanetiError('GNT_OS_VARIANT', { os: name, problem: `the OS name must include a variant (one of: ${variants.join(', ')})` });
      if (asked && !variants.includes(asked)) throw new GanetiError('GNT_OS_VARIANT', { os: name, problem: `it does not support variant '${asked}' (it has: ${variants.join(', ')})` });
    }
    const variant = api >= 15 ? asked || (variants[0] ?? '') : '';
    return { ...found, ref: { name, variant, api_version: api } };
  }

  function checkParamNames(def: OsDefinition, osparams: Params): void {
    const known = new Set(def.parameters.map(([n]) => n));
    const unknown = Object.keys(osparams).filter((k) => !known.has(k));
    if (unknown.length) throw new GanetiError('GNT_OS_PARAMS_INVALID', { os: def.name, problem: `unknown parameter(s) ${unknown.join(', ')} (the OS takes: ${[...known].join(', ') || 'none'})` });
  }

  function osInstance(inst: HvInstance, disks: readonly HvDisk[], wire: readonly WireDisk[], info: OsInfo): OsInstance {
    const hv = inst.hvparams;
    const osDisks: OsDisk[] = disks.map((d, i) => ({
      uuid: d.uuid, name: d.name, size: d.size, mode: d.mode, dev_path: d.dev_path, uri: d.uri,
      frontend_type: typeof hv['disk_type'] === 'string' ? hv['disk_type'] : null,
      backend_type: FILE_BASED.has(d.dev_type) ? `file:${String(wire[i]?.logical_id[0] ?? 'loop')}` : 'block',
    }));
    const nics: OsNic[] = inst.nics.map((n) => ({ ...n, bridge: n.mode === 'bridged' ? n.link : null, frontend_type: typeof hv['nic_type'] === 'string' ? hv['nic_type'] : null }));
    return {
      name: inst.name, uuid: inst.uuid, os: inst.os, ctime: info.ctime, mtime: info.mtime, primary_node: inst.primary_node,
      secondary_nodes: inst.secondary_nodes, hypervisor: inst.hypervisor, hvparams: inst.hvparams, beparams: inst.beparams,
      osparams: info.osparams, disks: osDisks, nics,
    };
  }

  const debugLevel = (v: unknown): 0 | 1 => (v === 1 ? 1 : 0);
  const exportFile = (wire: string): string => localExportPath(env, wire);

  /** The provider of the instance's OS and the request its operations share, disks assembled. */
  async function prepare(instance: unknown, disks: unknown, info: unknown, debug: unknown, signal: AbortSignal, exclusive = true) {
    const pctx = providerContext(env, signal);
    const inst = instance as HvInstance;
    const { provider, ref } = await resolve(inst.os, pctx, true);
    const hvDisks = await assembleHvDisks(trees, inst.hypervisor, disks as WireDisk[], pctx, exclusive);
    return { provider, pctx, req: { os: ref, debug_level: debugLevel(debug), instance: osInstance(inst, hvDisks, disks as WireDisk[], info as OsInfo) } };
  }

  /** Runs an export or import command with the dump file as stdout or stdin; a failure quotes its diagnostics (stderr). */
  async function runDumpCommand(cmd: CommandSpec, script: 'export' | 'import', req: { os: OsRef; instance: OsInstance }, pctx: ProviderContext, io: { stdoutFile?: string; stdinFile?: string }): Promise<void> {
    const r = await pctx.run(cmd.argv, { ...(cmd.cwd ? { cwd: cmd.cwd } : {}), ...(cmd.env ? { env: cmd.env } : {}), ...(cmd.inheritEnv ? { inheritEnv: cmd.inheritEnv } : {}), ...io, timeoutMs: 24 * 3600_000 });
    if (r.ok) return;
    const status = r.exitCode !== null ? `exited with code ${r.exitCode}` : `killed by ${r.signal ?? 'a signal'}`;
    throw new GanetiError('GNT_OS_SCRIPT_FAILED', { os: req.os.name, script, instance: req.instance.name, status, tail: r.stderr.replace(/\n$/, '').split('\n').slice(-20).join('\n') });
  }

  return {
    async os_diagnose(_args, ctx) {
      const pctx = providerContext(env, ctx.signal);
      const out: OsDiagnoseEntry[] = [];
      for (const { def } of (await definitions(pctx)).values())
        out.push([def.name, wirePath(def.path), def.valid, wireText(def.diagnose), [...def.variants], def.parameters.map(([n, d]) => [n, d]), [...def.api_versions], def.trusted]);
      return out;
    },

    async os_validate([required, name, checks, osparams, forceVariant], ctx) {
      const pctx = providerContext(env, ctx.signal);
      let found;
      try {
        found = await resolve(name as string, pctx, forceVariant as boolean);
      } catch (e) {
        if (!required && e instanceof GanetiError && e.code === 'GNT_OS_NOT_FOUND') return false;
        throw e;
      }
      const params = osparams as Params;
      if (found.ref.api_version >= 20) checkParamNames(found.def, params);
      if ((checks as string[]).includes('parameters') && found.ref.api_version >= 20)
        await found.provider.verify?.({ os: found.ref, debug_level: 0, osparams: params, checks: ['parameters'] }, pctx);
      return true;
    },

    async instance_os_add([instance, disks, info, reinstall, debug], ctx) {
      const { provider, req, pctx } = await prepare(instance, disks, info, debug, ctx.signal);
      await provider.create({ ...req, reinstall: reinstall as boolean }, pctx);
      return null;
    },

    // One disk's dump through the OS's export command into a file of the export folder, or
    // from such a file through its import command (gnt-backup). The file is the data channel.
    async instance_os_export([instance, disks, info, index, dest], ctx) {
      const { provider, req, pctx } = await prepare(instance, disks, info, 0, ctx.signal, false);
      const file = exportFile(dest as string);
      await mkdir(dirname(file), { recursive: true });
      await runDumpCommand(await provider.export({ ...req, index: index as number }, pctx), 'export', req, pctx, { stdoutFile: file });
      return (await stat(file)).size;
    },

    async instance_os_import([instance, disks, info, index, src], ctx) {
      const { provider, req, pctx } = await prepare(instance, disks, info, 0, ctx.signal);
      await runDumpCommand(await provider.import({ ...req, index: index as number }, pctx), 'import', req, pctx, { stdinFile: exportFile(src as string) });
      return null;
    },

    async instance_run_rename([instance, disks, info, oldName, debug], ctx) {
      const { provider, req, pctx } = await prepare(instance, disks, info, debug, ctx.signal);
      await provider.rename({ ...req, old_name: oldName as string }, pctx);
      return null;
    },
  };
}
