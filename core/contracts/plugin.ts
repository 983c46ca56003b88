import type { GanetiPaths } from '../paths.js';
import type { Logger } from './context.js';
import type { PluginHooks } from './hooks.js';
import type { Params, ParamsSchema } from './params.js';
import type { ProviderBase } from './provider.js';
import type { HypervisorProvider } from './hypervisor.js';
import type { StorageProvider } from './storage.js';
import type { CollectorProvider } from './collector.js';
import type { NetworkProvider } from './network.js';
import type { OsProvider } from './os.js';
import type { IallocatorProvider } from './iallocator.js';
import type { RpcProcedure } from './rpc.js';

/** The plugin API this ganeti-ts implements. A plugin states the one it was built for. */
export const PLUGIN_API_VERSION = 1;

export const PROVIDER_KINDS = Object.freeze(['hypervisor', 'storage', 'collector', 'network', 'os', 'iallocator'] as const);
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** What every provider has (defined in provider.ts, re-exported here). */
export type { ProviderBase } from './provider.js';

export interface ProviderRegistrar<P extends ProviderBase> {
  /** Registers `provider` under `name` (lower case, `[a-z0-9][a-z0-9._-]*`). Names are global per kind. */
  register(name: string, provider: P): void;
}

/** What `apply(host)` receives. Registrations and taps take effect only if apply succeeds. */
export interface PluginApi {
  readonly apiVersion: number;
  /** Name of the plugin being applied (the tap name to use). */
  readonly pluginName: string;
  readonly hooks: PluginHooks;
  readonly hypervisors: ProviderRegistrar<HypervisorProvider>;
  readonly storage: ProviderRegistrar<StorageProvider>;
  readonly collectors: ProviderRegistrar<CollectorProvider>;
  readonly networks: ProviderRegistrar<NetworkProvider>;
  readonly os: ProviderRegistrar<OsProvider>;
  readonly iallocators: ProviderRegistrar<IallocatorProvider>;
  /** Node-side RPC procedures (served by every node daemon, known to the master's client). */
  readonly rpc: { register(procedure: RpcProcedure): void };
  readonly paths: GanetiPaths;
  readonly log: Logger;
  /** The options given in the config (`plugins: [["name", {...}]]`), checked against `optionsSchema`. */
  readonly options: Params;
}

/**
 * A ganeti-ts plugin: the default export of an npm package or a local module.
 * Built-in plugins are written the same way and loaded through the same loader.
 */
export interface GanetiPlugin {
  /** Unique name; by convention the npm package name. */
  readonly name: string;
  /** The plugin API the plugin was built for; must equal PLUGIN_API_VERSION. */
  readonly apiVersion: number;
  /** Defaults to the package's version. */
  readonly version?: string;
  /** Other plugins (by name) that must be loaded and applied before this one. */
  readonly dependencies?: readonly string[];
  /** Schema of the options a config may pass to this plugin. */
  readonly optionsSchema?: ParamsSchema;
  apply(host: PluginApi): void | Promise<void>;
}

/** Identity helper that gives a plugin object its type. */
export const definePlugin = <P extends GanetiPlugin>(plugin: P): P => plugin;
