/**
 * Disk parameters at their three levels (Ganeti's diskparams, design-2.1): cluster
 * `diskparams[template]`, then the node group's, then the disk's own `params`. Each level is
 * checked against the template's schema, which its storage provider declares; a template
 * whose provider is not loaded falls back to the types of Ganeti's defaults.
 *
 * Per-disk parameters may also carry keys the schema does not know when the provider says so
 * (`freeDiskParams`: ext, whose providers list their own parameters in `parameters.list`);
 * those are passed through as strings and checked on the node.
 */
import type { DeepReadonly, FrozenConfig, ParamDict } from '../config/index.js';
import type { Params, ParamsSchema } from '../contracts/params.js';
import type { PluginHost } from '../plugin-host/host.js';
import { paramsValidator } from '../plugin-host/params.js';
import { GanetiError } from '../errors/index.js';
import { DEFAULT_DISKPARAMS } from '../cluster/defaults.js';

const fallbackValidators = new Map<string, (p: Params) => Params>();

function fallbackValidator(template: string): ((p: Params) => Params) | undefined {
  const defaults = DEFAULT_DISKPARAMS[template];
  if (!defaults) return undefined;
  let v = fallbackValidators.get(template);
  if (!v) {
    const type = (x: unknown) => (typeof x === 'number' ? 'number' : typeof x === 'boolean' ? 'boolean' : 'string');
    const properties = Object.fromEntries(Object.entries(defaults).map(([k, x]) => [k, { type: type(x) }]));
    v = paramsValidator(`${template} diskparams`, { type: 'object', properties } as ParamsSchema);
    fallbackValidators.set(template, v);
  }
  return v;
}

/** Checks one level of a template's parameters (cluster or group `-D`); coerced copy. */
export function checkTemplateParams(host: PluginHost, template: string, params: Params): Params {
  if (host.storage.has(template)) return host.storage.validateParams(template, params, { partial: true });
  const v = fallbackValidator(template);
  if (!v) throw new GanetiError('GNT_PARAM_UNKNOWN', { owner: 'diskparams', param: template, known: knownTemplates(host).join(', ') });
  return v(params);
}

export function knownTemplates(host: PluginHost): string[] {
  return [...new Set([...Object.keys(DEFAULT_DISKPARAMS), ...host.storage.names()])].sort();
}

/**
 * A disk's own parameters: schema keys checked and coerced; other keys kept for a provider
 * with `freeDiskParams`, refused otherwise.
 */
export function checkDiskOwnParams(host: PluginHost, template: string, params: Params): Params {
  const provider = host.storage.entry(template).provider;
  const known = Object.keys(provider.params.properties);
  const own: Params = {};
  const free: Params = {};
  for (const [k, v] of Object.entries(params)) (known.includes(k) ? own : free)[k] = v;
  const checked = Object.keys(own).length ? host.storage.validateParams(template, own, { partial: true }) : {};
  const extra = Object.keys(free);
  if (extra.length && !provider.freeDiskParams)
    throw new GanetiError('GNT_PARAM_UNKNOWN', { owner: `disk template '${template}'`, param: extra[0]!, known: known.join(', ') || '(none)' });
  // ext parameters reach the scripts as strings (EXTP_<NAME>)
  return { ...checked, ...Object.fromEntries(extra.map((k) => [k, String(free[k])])) };
}

/** Defaults of the template's schema (`default` keywords), then Ganeti's built-in defaults. */
function schemaDefaults(host: PluginHost, template: string): Params {
  const out: Params = { ...(DEFAULT_DISKPARAMS[template] ?? {}) };
  if (host.storage.has(template)) {
    for (const [k, s] of Object.entries(host.storage.get(template).params.properties)) if ('default' in s && !(k in out)) out[k] = s['default'];
  }
  return out;
}

/** The filled parameters of a disk of `template` on a node of `groupUuid`. */
export function filledDiskParams(host: PluginHost, data: FrozenConfig, groupUuid: string | null, template: string, own: DeepReadonly<ParamDict>): Params {
  const cluster = data.cluster.diskparams?.[template] ?? {};
  const group = groupUuid ? (data.nodegroups[groupUuid]?.diskparams?.[template] ?? {}) : {};
  return structuredClone({ ...schemaDefaults(host, template), ...cluster, ...group, ...own }) as Params;
}
