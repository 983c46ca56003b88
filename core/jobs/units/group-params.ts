import type { HookNodes } from '../logical-unit.js';
import { GanetiError } from '../../errors/index.js';
import type { Params } from '../../contracts/params.js';
import { paramsValidator } from '../../plugin-host/params.js';
import { ND_SCHEMA } from '../../cluster/params.js';
import type { PluginHost } from '../../plugin-host/host.js';
import { checkTemplateParams, knownTemplates } from '../../storage/disk-params.js';
import { type DeepReadonly, type FrozenConfig, type NodeGroup, type ParamDict } from '../../config/index.js';

/** What the node group units share: lookups and the checks of the parameters they store. */

/** Ganeti's VALUE_DEFAULT: in a modification, resets a parameter to the inherited value. */
export const VALUE_DEFAULT = 'default';

export type FrozenGroup = DeepReadonly<NodeGroup>;

/** The group named (or with the UUID) `name`, or undefined. */
export function lookupGroup(data: FrozenConfig, name: string): FrozenGroup | undefined {
  return data.nodegroups[name] ?? Object.values(data.nodegroups).find((g) => g.name === name);
}

/** The group, or GNT_GROUP_NOT_FOUND naming the field. */
export function requireGroup(data: FrozenConfig, name: string, field = 'group_name'): FrozenGroup {
  const g = lookupGroup(data, name);
  if (!g) throw new GanetiError('GNT_GROUP_NOT_FOUND', { field, name });
  return g;
}

/** Config data, or GNT_CLUSTER_NOT_INITIALIZED. */
/** Hooks that run on the master only, in both phases (most group and cluster opcodes). */
export function masterHookNodes(reader: { data: FrozenConfig } | null): HookNodes {
  const master = configData(reader).cluster.master_node;
  return { pre: [master], post: [master] };
}

export function configData(reader: { data: FrozenConfig } | null): FrozenConfig {
  if (!reader) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
  return reader.data;
}

const ndValidator = paramsValidator('node group ndparams', ND_SCHEMA);

/** ndparams of an opcode, typed (`spindle_count=2` from the CLI becomes 2); `default`/null kept as resets when `resets`. */
export function checkNdparams(params: ParamDict, resets = false): ParamDict {
  const { set, reset } = splitResets(params, resets);
  return { ...ndValidator(set), ...reset };
}

/** diskparams of an opcode: known templates, keys of each template's schema, typed values. */
export function checkDiskparams(host: PluginHost, dp: Record<string, ParamDict>, resets = false): Record<string, ParamDict> {
  const out: Record<string, ParamDict> = {};
  for (const [template, params] of Object.entries(dp)) {
    if (!knownTemplates(host).includes(template)) throw new GanetiError('GNT_PARAM_UNKNOWN', { owner: 'diskparams', param: template, known: knownTemplates(host).join(', ') });
    const { set, reset } = splitResets(params, resets);
    out[template] = { ...checkTemplateParams(host, template, set), ...reset };
  }
  return out;
}

const IPOLICY_KEYS = ['minmax', 'std', 'spindle-ratio', 'vcpu-ratio', 'disk-templates'];

/** A group's instance policy may only hold Ganeti's ipolicy keys. */
export function checkIpolicy(ipolicy: Params): Params {
  for (const k of Object.keys(ipolicy)) {
    if (!IPOLICY_KEYS.includes(k)) throw new GanetiError('GNT_PARAM_UNKNOWN', { owner: 'ipolicy', param: k, known: IPOLICY_KEYS.join(', ') });
  }
  return ipolicy;
}

function splitResets(params: ParamDict, resets: boolean): { set: Params; reset: Params } {
  const set: Params = {};
  const reset: Params = {};
  for (const [k, v] of Object.entries(params)) {
    if (resets && (v === VALUE_DEFAULT || v === null)) reset[k] = null;
    else set[k] = v;
  }
  return { set, reset };
}

/** Ganeti's GetUpdatedParams: `changes` over `old`, where a null value removes the key. */
export function updatedParams(old: DeepReadonly<ParamDict>, changes: ParamDict): ParamDict {
  const out: ParamDict = structuredClone(old) as ParamDict;
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Python's str() of a JSON value, as Ganeti reports changed parameters (`{'spindle_count': 2}`). */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return pyRepr(v);
}

function pyRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return pyStr(v);
}
