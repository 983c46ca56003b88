import type { HostHooks } from '../contracts/hooks.js';
import type { ProviderBase, ProviderKind } from '../contracts/plugin.js';
import type { Logger } from '../contracts/context.js';
import type { HypervisorProvider } from '../contracts/hypervisor.js';
import type { StorageProvider } from '../contracts/storage.js';
import type { CollectorProvider } from '../contracts/collector.js';
import type { NetworkProvider } from '../contracts/network.js';
import type { OsProvider } from '../contracts/os.js';
import type { IallocatorProvider } from '../contracts/iallocator.js';
import { HYPERVISOR_REQUIRED_METHODS } from '../contracts/hypervisor.js';
import { STORAGE_REQUIRED_METHODS } from '../contracts/storage.js';
import { COLLECTOR_REQUIRED_METHODS } from '../contracts/collector.js';
import { NETWORK_REQUIRED_METHODS } from '../contracts/network.js';
import { OS_REQUIRED_METHODS } from '../contracts/os.js';
import { IALLOCATOR_REQUIRED_METHODS } from '../contracts/iallocator.js';
import type { GanetiError } from '../errors/index.js';
import { ganetiPaths, type GanetiPaths } from '../paths.js';
import { createLogger } from '../log.js';
import { createHostHooks } from './hooks.js';
import { ProviderRegistry } from './registry.js';
import { loadPlugins, type LoadedPlugin } from './loader.js';
import { loadUserConfig, type PluginSpec } from './config.js';
import { BUILTIN_PLUGINS, builtinSpecs } from './builtins.js';
import type { PluginRpcProcedure } from './staging.js';

export interface PluginHostOptions {
  readonly paths?: GanetiPaths;
  readonly logFor?: (scope: string) => Logger;
}

/**
 * The plugin host: the hooks, one keyed registry per provider kind, and what was loaded.
 * Core code asks it for providers (`host.hypervisors.get('kvm')`) and calls hooks;
 * plugins only ever see the staged PluginApi.
 */
export class PluginHost {
  readonly hooks: HostHooks = createHostHooks();
  readonly hypervisors = new ProviderRegistry<HypervisorProvider>('hypervisor', HYPERVISOR_REQUIRED_METHODS);
  readonly storage = new ProviderRegistry<StorageProvider>('storage', STORAGE_REQUIRED_METHODS);
  readonly collectors = new ProviderRegistry<CollectorProvider>('collector', COLLECTOR_REQUIRED_METHODS);
  readonly networks = new ProviderRegistry<NetworkProvider>('network', NETWORK_REQUIRED_METHODS);
  readonly os = new ProviderRegistry<OsProvider>('os', OS_REQUIRED_METHODS);
  readonly iallocators = new ProviderRegistry<IallocatorProvider>('iallocator', IALLOCATOR_REQUIRED_METHODS);
  readonly paths: GanetiPaths;
  readonly plugins: LoadedPlugin[] = [];
  /** Node-side RPC procedures added by plugins (the node daemon serves them). */
  readonly rpcProcedures: PluginRpcProcedure[] = [];
  readonly errors: GanetiError[] = [];
  readonly #logFor: (scope: string) => Logger;

  constructor(options: PluginHostOptions = {}) {
    this.paths = options.paths ?? ganetiPaths();
    this.#logFor = options.logFor ?? createLogger;
  }

  /** The registry of one provider kind, for code that is generic over kinds. */
  registry(kind: ProviderKind): ProviderRegistry<ProviderBase> {
    return this.#registries[kind];
  }

  get #registries(): { readonly [K in ProviderKind]: ProviderRegistry<ProviderBase> } {
    return {
      hypervisor: this.hypervisors,
      storage: this.storage,
      collector: this.collectors,
      network: this.networks,
      os: this.os,
      iallocator: this.iallocators,
    } as unknown as { readonly [K in ProviderKind]: ProviderRegistry<ProviderBase> };
  }

  /** Loads and applies `specs` in order; failures are collected in `errors`, never thrown. */
  async load(specs: readonly PluginSpec[]): Promise<void> {
    const report = await loadPlugins({ hooks: this.hooks, registries: this.#registries, rpcProcedures: this.rpcProcedures, paths: this.paths }, specs, (p) => this.#logFor(`plugin ${p}`));
    this.plugins.push(...report.loaded);
    this.errors.push(...report.errors);
    this.hooks.pluginsLoaded.call(this.plugins.map((p) => ({ name: p.name, version: p.version, builtin: p.builtin })));
  }
}

export interface CreateHostOptions extends PluginHostOptions {
  /** Where to look for the ganeti config (cosmiconfig). Default: process.cwd(). */
  readonly cwd?: string;
  /** An explicit config file (also GANETI_CONFIG). */
  readonly configFile?: string;
  /** Built-in plugins to load; default all. */
  readonly builtins?: readonly string[];
}

/** A host with the built-ins and the plugins of the ganeti config applied. */
export async function createPluginHost(options: CreateHostOptions = {}): Promise<PluginHost> {
  const host = new PluginHost(options);
  const builtins = options.builtins ?? BUILTIN_PLUGINS;
  const specs: PluginSpec[] = builtinSpecs(builtins);
  try {
    const config = await loadUserConfig(options.cwd ?? process.cwd(), options.configFile ?? (process.env['GANETI_CONFIG'] || undefined));
    for (const p of config.plugins) {
      // `["builtin:storage/blockdev", {...}]` gives options to a built-in rather than loading another plugin.
      const i = p.specifier.startsWith('builtin:') ? builtins.indexOf(p.specifier.slice('builtin:'.length)) : -1;
      if (i >= 0) specs[i] = { ...specs[i]!, options: p.options, from: p.from };
      else specs.push(p);
    }
  } catch (e) {
    host.errors.push(e as GanetiError);
  }
  await host.load(specs);
  return host;
}
