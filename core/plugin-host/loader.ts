import { pathToFileURL } from 'node:url';
import { GanetiError, describeError } from '../errors/index.js';
import { PLUGIN_API_VERSION, type GanetiPlugin, type ProviderKind } from '../contracts/plugin.js';
import type { Logger } from '../contracts/context.js';
import { VERSION } from '../version.js';
import type { PluginSpec } from './config.js';
import { resolvePlugin, type PackageJson } from './resolve.js';
import { stagePluginApi, type HostParts } from './staging.js';
import { paramsSchemaProblem, paramsValidator } from './params.js';

export interface LoadedPlugin {
  readonly name: string;
  readonly version: string;
  readonly apiVersion: number;
  readonly builtin: boolean;
  /** The module that was imported. */
  readonly entry: string;
  /** The config file that listed it, or "built-in". */
  readonly from: string;
  readonly packageDir: string | undefined;
  /** ExtStorage providers and OS definitions the package ships as folders. */
  readonly assets: NonNullable<PackageJson['ganeti']>;
  readonly provides: readonly { readonly kind: ProviderKind; readonly name: string }[];
}

export interface LoadReport {
  readonly loaded: LoadedPlugin[];
  /** One coded error per plugin that was refused; the others loaded regardless. */
  readonly errors: GanetiError[];
}

interface Candidate {
  spec: PluginSpec;
  plugin: GanetiPlugin;
  version: string;
  entry: string;
  packageDir: string | undefined;
  pkg: PackageJson | undefined;
}

/**
 * Loads plugins in order (built-ins first, then the config's list): resolve, import (in
 * parallel), check shape, API version and options, order by dependencies, then apply one at
 * a time. Each failure becomes one coded error naming the plugin; the rest go on loading.
 */
export async function loadPlugins(parts: HostParts, specs: readonly PluginSpec[], logFor: (plugin: string) => Logger): Promise<LoadReport> {
  const errors: GanetiError[] = [];
  const imported = await Promise.all(specs.map((spec) => importOne(spec).catch((e: GanetiError) => (errors.push(e), undefined))));

  const candidates = new Map<string, Candidate>();
  for (const c of imported) {
    if (!c) continue;
    const problem = checkPlugin(c);
    if (problem) {
      errors.push(problem);
      continue;
    }
    const first = candidates.get(c.plugin.name);
    if (first?.entry === c.entry) continue; // the same module listed twice
    if (first) {
      errors.push(new GanetiError('GNT_PLUGIN_DUPLICATE', { plugin: c.plugin.name, first: first.entry, second: c.entry }, { plugin: c.plugin.name }));
      continue;
    }
    candidates.set(c.plugin.name, c);
  }

  const loaded: LoadedPlugin[] = [];
  const done = new Set<string>();
  for (const c of dependencyOrder([...candidates.values()], errors)) {
    const name = c.plugin.name;
    const missing = (c.plugin.dependencies ?? []).find((d) => !done.has(d));
    if (missing !== undefined) {
      errors.push(new GanetiError('GNT_PLUGIN_DEPENDENCY_MISSING', { plugin: name, dependency: missing }, { plugin: name }));
      continue;
    }
    const log = logFor(name);
    try {
      const options = c.plugin.optionsSchema ? paramsValidator(`plugin '${name}' option`, c.plugin.optionsSchema)(c.spec.options) : c.spec.options;
      const { api, commit } = stagePluginApi(parts, name, options, log, PLUGIN_API_VERSION);
      await c.plugin.apply(api);
      const provides = commit();
      done.add(name);
      loaded.push({
        name,
        version: c.version,
        apiVersion: c.plugin.apiVersion,
        builtin: c.spec.builtin,
        entry: c.entry,
        from: c.spec.from,
        packageDir: c.packageDir,
        assets: c.pkg?.ganeti ?? {},
        provides,
      });
    } catch (e) {
      errors.push(
        e instanceof GanetiError && (e.plugin === name || e.code.startsWith('GNT_PARAM_'))
          ? Object.assign(e, { plugin: name })
          : new GanetiError('GNT_PLUGIN_APPLY_FAILED', { plugin: name, reason: describeError(e) }, { cause: e, plugin: name, hook: 'apply' }),
      );
    }
  }
  return { loaded, errors };
}

async function importOne(spec: PluginSpec): Promise<Candidate> {
  const label = spec.specifier;
  const resolved = await resolvePlugin(spec.specifier, spec.baseDir);
  if (!resolved) throw new GanetiError('GNT_PLUGIN_NOT_FOUND', { plugin: label, from: spec.from }, { plugin: label });
  let mod: { default?: unknown; plugin?: unknown };
  try {
    mod = (await import(pathToFileURL(resolved.entry).href)) as typeof mod;
  } catch (e) {
    const missing = missingPackage(e, resolved.entry);
    if (missing) throw new GanetiError('GNT_PLUGIN_DEPENDENCY_MISSING', { plugin: label, dependency: missing }, { cause: e, plugin: label });
    throw new GanetiError('GNT_PLUGIN_LOAD_FAILED', { plugin: label, reason: describeError(e) }, { cause: e, plugin: label });
  }
  const plugin = (mod.default ?? mod.plugin) as GanetiPlugin;
  const version = (plugin && typeof plugin.version === 'string' && plugin.version) || resolved.packageJson?.version || (spec.builtin ? VERSION : 'unversioned');
  return { spec, plugin, version, entry: resolved.entry, packageDir: resolved.packageDir, pkg: resolved.packageJson };
}

/** The npm package a failed import could not find, if that was the failure. */
function missingPackage(e: unknown, entry: string): string | undefined {
  const err = e as { code?: string; message?: string };
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  const m = /Cannot find (?:package|module) '([^']+)'/.exec(err.message ?? '');
  if (!m || m[1] === entry) return undefined;
  return m[1];
}

function checkPlugin(c: Candidate): GanetiError | undefined {
  const p = c.plugin as Partial<GanetiPlugin> | undefined;
  const label = typeof p?.name === 'string' && p.name ? p.name : c.spec.specifier;
  const invalid = (reason: string) => new GanetiError('GNT_PLUGIN_INVALID', { plugin: label, reason }, { plugin: label });
  if (!p || typeof p !== 'object') return invalid('its module has no default export (use definePlugin)');
  if (typeof p.name !== 'string' || !p.name) return invalid("it has no 'name'");
  if (typeof p.apply !== 'function') return invalid("it has no 'apply(host)' function");
  if (p.apiVersion !== PLUGIN_API_VERSION)
    return new GanetiError('GNT_PLUGIN_API_VERSION', { plugin: label, wanted: String(p.apiVersion), supported: String(PLUGIN_API_VERSION) }, { plugin: label });
  if (p.dependencies !== undefined && (!Array.isArray(p.dependencies) || p.dependencies.some((d) => typeof d !== 'string')))
    return invalid("'dependencies' must be a list of plugin names");
  if (p.optionsSchema !== undefined) {
    const problem = paramsSchemaProblem(p.optionsSchema);
    if (problem) return invalid(`optionsSchema: ${problem}`);
  }
  return undefined;
}

/** Stable topological order: list order, except a plugin comes after those it depends on. */
function dependencyOrder(list: Candidate[], errors: GanetiError[]): Candidate[] {
  const byName = new Map(list.map((c) => [c.plugin.name, c]));
  const out: Candidate[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: Candidate): boolean => {
    const name = c.plugin.name;
    if (state.get(name) === 'done') return true;
    if (state.get(name) === 'visiting') return false;
    state.set(name, 'visiting');
    for (const d of c.plugin.dependencies ?? []) {
      const dep = byName.get(d);
      if (dep && !visit(dep)) {
        errors.push(new GanetiError('GNT_PLUGIN_DEPENDENCY_MISSING', { plugin: name, dependency: `${d} (dependency cycle)` }, { plugin: name }));
        byName.delete(name);
        state.set(name, 'done');
        return false;
      }
    }
    state.set(name, 'done');
    if (byName.has(name)) out.push(c);
    return true;
  };
  list.forEach(visit);
  return out;
}
