import { createPluginHost, type PluginHost } from '../../core/plugin-host/index.js';
import type { ProviderKind } from '../../core/contracts/plugin.js';
import { formatTable, type FieldDef } from '../output/table.js';
import { selectFields } from '../output/select-fields.js';

interface Row {
  plugin: string;
  version: string;
  api: number;
  source: string;
  kind: ProviderKind | null;
  provider: string | null;
  params: readonly string[] | null;
  description: string | null;
}

const FIELDS: readonly FieldDef<Row>[] = [
  { name: 'name', title: 'Plugin', doc: 'Plugin name', get: (r) => r.plugin },
  { name: 'version', title: 'Version', doc: 'Plugin version', get: (r) => r.version },
  { name: 'api', title: 'API', doc: 'Plugin API version', numeric: true, get: (r) => r.api },
  { name: 'source', title: 'Source', doc: 'Where the plugin was loaded from', get: (r) => r.source },
  { name: 'kind', title: 'Kind', doc: 'Provider kind', get: (r) => r.kind },
  { name: 'provider', title: 'Provider', doc: 'Provider name', get: (r) => r.provider },
  { name: 'params', title: 'Parameters', doc: "Provider's parameter names", get: (r) => (r.params && r.params.length === 0 ? '(none)' : r.params) },
  { name: 'description', title: 'Description', doc: 'Provider description', get: (r) => r.description },
];
const DEFAULT_FIELDS = ['name', 'version', 'kind', 'provider', 'params'];

/** One row per provider; a plugin that registered none still gets a row. */
export function pluginRows(host: PluginHost): Row[] {
  return host.plugins.flatMap((p): Row[] => {
    const base = { plugin: p.name, version: p.version, api: p.apiVersion, source: p.builtin ? 'built-in' : (p.packageDir ?? p.entry) };
    if (p.provides.length === 0) return [{ ...base, kind: null, provider: null, params: null, description: null }];
    return p.provides.map(({ kind, name }) => {
      const entry = host.registry(kind).entry(name);
      return { ...base, kind, provider: name, params: entry.paramNames, description: entry.description ?? null };
    });
  });
}

export interface ListOptions {
  output?: string;
  headers: boolean;
  separator?: string;
  json?: boolean;
}

/** The table `gnt-debug plugins` prints. */
export function pluginTable(host: PluginHost, opts: ListOptions): string[] {
  return formatTable(selectFields(FIELDS, DEFAULT_FIELDS, opts.output), pluginRows(host), { headers: opts.headers, separator: opts.separator });
}

export async function listPlugins(opts: ListOptions): Promise<void> {
  selectFields(FIELDS, DEFAULT_FIELDS, opts.output); // refuse unknown fields before loading anything
  const host = await createPluginHost();
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ plugins: pluginRows(host), errors: host.errors.map((e) => ({ code: e.code, plugin: e.plugin ?? null, message: e.message })) }, null, 2)}\n`,
    );
  } else {
    const lines = pluginTable(host, opts);
    if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
    for (const e of host.errors) process.stderr.write(`${e.toLine()}\n`);
  }
  if (host.errors.length) process.exitCode = 1;
}
