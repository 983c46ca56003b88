import { PluginHost } from '../../core/plugin-host/index.js';
import { stagePluginApi } from '../../core/plugin-host/staging.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { PLUGIN_API_VERSION, type GanetiPlugin } from '../../core/contracts/index.js';

/** A host (no built-ins) with in-memory plugins applied through the loader's staging path. */
export async function hostWith(root: string, ...plugins: GanetiPlugin[]): Promise<PluginHost> {
  const host = new PluginHost({ paths: ganetiPaths(root), logFor: () => memoryLogger() });
  const registries = { hypervisor: host.hypervisors, storage: host.storage, collector: host.collectors, network: host.networks, os: host.os, iallocator: host.iallocators };
  for (const p of plugins) {
    const { api, commit } = stagePluginApi({ hooks: host.hooks, registries: registries as never, rpcProcedures: host.rpcProcedures, paths: host.paths }, p.name, {}, memoryLogger(), PLUGIN_API_VERSION);
    await p.apply(api);
    commit();
  }
  return host;
}

export const plugin = (name: string, apply: GanetiPlugin['apply']): GanetiPlugin => ({ name, apiVersion: PLUGIN_API_VERSION, apply });
