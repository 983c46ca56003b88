import { dirname } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { GanetiError } from '../errors/index.js';
import type { Params } from '../contracts/params.js';

/** One entry of `plugins` in the ganeti config: a name or path, with options. */
export interface PluginSpec {
  readonly specifier: string;
  readonly options: Params;
  /** Where the spec came from: the config file path, or "built-in". */
  readonly from: string;
  /** Folder that relative specifiers and package names are resolved from. */
  readonly baseDir: string;
  readonly builtin: boolean;
}

export interface GanetiUserConfig {
  readonly file: string | undefined;
  readonly plugins: readonly PluginSpec[];
}

export const CONFIG_MODULE = 'ganeti';

const SEARCH_PLACES = [
  'package.json',
  `.${CONFIG_MODULE}rc`,
  `.${CONFIG_MODULE}rc.json`,
  `.${CONFIG_MODULE}rc.yaml`,
  `.${CONFIG_MODULE}rc.yml`,
  `.${CONFIG_MODULE}rc.js`,
  `.${CONFIG_MODULE}rc.mjs`,
  `.${CONFIG_MODULE}rc.cjs`,
  `${CONFIG_MODULE}.config.js`,
  `${CONFIG_MODULE}.config.mjs`,
  `${CONFIG_MODULE}.config.cjs`,
  `${CONFIG_MODULE}.config.json`,
  `${CONFIG_MODULE}.config.yaml`,
  `${CONFIG_MODULE}.config.yml`,
];

/**
 * Finds the ganeti config (cosmiconfig, module name `ganeti`) from `cwd` up to the project
 * root, or loads `file` when given (GANETI_CONFIG or --config). No config means no
 * third-party plugins. The shape is small and checked by hand so that reading it stays cheap.
 */
export async function loadUserConfig(cwd: string, file?: string): Promise<GanetiUserConfig> {
  const explorer = cosmiconfig(CONFIG_MODULE, { searchPlaces: SEARCH_PLACES, searchStrategy: 'project', cache: false });
  let found: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  try {
    found = file ? await explorer.load(file) : await explorer.search(cwd);
  } catch (e) {
    throw new GanetiError('GNT_PLUGIN_CONFIG_INVALID', { file: file ?? cwd, reason: (e as Error).message }, { cause: e });
  }
  if (!found || found.isEmpty) return { file: found?.filepath, plugins: [] };
  return { file: found.filepath, plugins: parsePluginList(found.config, found.filepath) };
}

export function parsePluginList(config: unknown, file: string): PluginSpec[] {
  const bad = (reason: string) => new GanetiError('GNT_PLUGIN_CONFIG_INVALID', { file, reason });
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw bad('the configuration must be an object');
  const plugins = (config as { plugins?: unknown }).plugins;
  if (plugins === undefined) return [];
  if (!Array.isArray(plugins)) throw bad("'plugins' must be a list of package names or paths");
  const baseDir = dirname(file);
  return plugins.map((entry: unknown, i): PluginSpec => {
    const [specifier, options] = Array.isArray(entry) ? entry : [entry, {}];
    if (typeof specifier !== 'string' || specifier === '')
      throw bad(`plugins[${i}] must be a package name, a path, or [name, options]`);
    if (!options || typeof options !== 'object' || Array.isArray(options))
      throw bad(`plugins[${i}] options for '${specifier}' must be an object`);
    return { specifier, options: options as Params, from: file, baseDir, builtin: false };
  });
}
