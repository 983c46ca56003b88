export { PluginHost, createPluginHost, type CreateHostOptions, type PluginHostOptions } from './host.js';
export { ProviderRegistry, type RegisteredProvider } from './registry.js';
export { createHostHooks, HOOK_NAMES } from './hooks.js';
export { loadUserConfig, parsePluginList, CONFIG_MODULE, type PluginSpec, type GanetiUserConfig } from './config.js';
export { BUILTIN_PLUGINS, builtinSpecs } from './builtins.js';
export type { LoadedPlugin, LoadReport } from './loader.js';
export { paramsValidator } from './params.js';
