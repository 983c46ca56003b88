import { isIP } from 'node:net';
import { GanetiError } from '../errors/index.js';
import type { Params, ParamsSchema } from '../contracts/params.js';
import type { PluginHost } from '../plugin-host/host.js';
import { paramsValidator } from '../plugin-host/params.js';

/**
 * The checks of cluster-level parameters, shared by `gnt-cluster init` (init.ts) and
 * `gnt-cluster modify` (OP_CLUSTER_SET_PARAMS): one rule each, so both refuse the same values
 * with the same words. `what` names the caller in messages ('cluster init', an opcode name).
 */

export const invalidParam = (what: string, field: string, problem: string) => new GanetiError('GNT_OPCODE_INVALID', { opcode: what, field, problem });

const BE_SCHEMA: ParamsSchema = {
  type: 'object',
  properties: {
    minmem: { type: 'integer', minimum: 1 },
    maxmem: { type: 'integer', minimum: 1 },
    vcpus: { type: 'integer', minimum: 1 },
    auto_balance: { type: 'boolean' },
    always_failover: { type: 'boolean' },
    spindle_use: { type: 'integer', minimum: 0 },
  },
};
// Ganeti's NIC_VALID_MODES for cluster defaults (pool/ext belong to networks, not -N).
const NIC_SCHEMA: ParamsSchema = {
  type: 'object',
  properties: { mode: { enum: ['bridged', 'routed', 'openvswitch'] }, link: { type: 'string' }, vlan: { type: 'string' } },
};
/** Node parameters and their types (Ganeti's NDS_PARAMETER_TYPES). */
export const ND_SCHEMA: ParamsSchema = {
  type: 'object',
  properties: {
    oob_program: { type: 'string' },
    spindle_count: { type: 'integer', minimum: 1 },
    exclusive_storage: { type: 'boolean' },
    ovs: { type: 'boolean' },
    ovs_name: { type: 'string' },
    ovs_link: { type: 'string' },
    ssh_port: { type: 'integer', minimum: 1, maximum: 65535 },
    cpu_speed: { type: 'number', exclusiveMinimum: 0 },
  },
};
const checkBe = paramsValidator('backend parameters', BE_SCHEMA);
const checkNic = paramsValidator('NIC parameters', NIC_SCHEMA);
const checkNd = paramsValidator('node parameters', ND_SCHEMA);

export const HOST_NAME_RE = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;

export function checkHostName(what: string, field: string, name: string): void {
  if (!HOST_NAME_RE.test(name)) throw invalidParam(what, field, `'${name}' is not a valid host name`);
}

/** At least one, each registered by a plugin (GNT_PROVIDER_UNKNOWN lists the known ones). */
export function checkEnabledHypervisors(host: PluginHost, what: string, list: readonly string[]): void {
  if (list.length === 0) throw invalidParam(what, 'enabled hypervisors', 'must name at least one hypervisor');
  for (const hv of list) host.hypervisors.entry(hv);
}

export function checkEnabledDiskTemplates(host: PluginHost, what: string, list: readonly string[]): void {
  if (list.length === 0) throw invalidParam(what, 'enabled disk templates', 'must name at least one disk template');
  for (const t of list) host.storage.entry(t);
}

/** -H may only set parameters of enabled hypervisors. */
export function checkHvParamsEnabled(what: string, hvparams: Readonly<Record<string, Params>>, enabled: readonly string[]): void {
  for (const hv of Object.keys(hvparams)) if (!enabled.includes(hv)) throw invalidParam(what, 'hypervisor parameters', `hypervisor '${hv}' is not enabled`);
}

/** Ganeti's _PrepareFileStorage: an absolute folder when a file-based template is enabled. */
export function checkFileStorageDir(what: string, dir: string | undefined, templates: readonly string[]): void {
  if (dir === undefined) return;
  if (templates.some((t) => t === 'file' || t === 'sharedfile') && dir === '') throw invalidParam(what, 'file storage dir', 'must not be empty');
  if (dir !== '' && !dir.startsWith('/')) throw invalidParam(what, 'file storage dir', `'${dir}' is not an absolute path`);
}

export function checkCandidatePoolSize(what: string, n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw invalidParam(what, 'candidate pool size', 'must be a positive integer');
}

/** max_running_jobs / max_tracked_jobs: positive integers (Ganeti's ht.TPositiveInt). */
export function checkJobLimit(what: string, field: string, n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw invalidParam(what, field, 'must be a positive integer');
}

export function checkMacPrefix(what: string, prefix: string | undefined): void {
  if (prefix !== undefined && !/^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/i.test(prefix)) throw invalidParam(what, 'mac prefix', `'${prefix}' is not three hex octets (aa:00:00)`);
}

/** A volume group name as LVM accepts it; '' means no LVM storage. */
export function checkVgName(what: string, vg: string | undefined): void {
  if (vg !== undefined && vg !== '' && !/^[a-zA-Z0-9+_.][a-zA-Z0-9+_.-]*$/.test(vg)) throw invalidParam(what, 'volume group name', `'${vg}' is not a valid LVM volume group name`);
}

/** An interface name as Linux accepts it (at most 15 characters, no '/' or blanks). */
export function checkMasterNetdev(what: string, dev: string | undefined): void {
  if (dev !== undefined && !/^[^\s/:]{1,15}$/.test(dev)) throw invalidParam(what, 'master netdev', `'${dev}' is not a valid network interface name`);
}

/** Ganeti's ValidateNetmask: a CIDR prefix length from 1 to 32 (IPv4) or 128 (IPv6). */
export function checkMasterNetmask(what: string, bits: number | undefined, ipVersion: 4 | 6): void {
  const max = ipVersion === 6 ? 128 : 32;
  if (bits !== undefined && (!Number.isInteger(bits) || bits < 1 || bits > max)) throw invalidParam(what, 'master netmask', `CIDR netmask (${bits}) not valid for IPv${ipVersion}`);
}

/**
 * The master's addresses (Ganeti's InitCluster): the primary of the cluster's IP version;
 * the secondary always IPv4, and required with an IPv6 primary (DRBD replicates over IPv4).
 */
export function checkNodeAddresses(what: string, primary: string, secondary: string | undefined, ipVersion: 4 | 6): void {
  if (isIP(primary) !== ipVersion) throw invalidParam(what, 'primary ip', `this host's IP (${primary}) is not a valid IPv${ipVersion} address`);
  if (secondary === undefined) {
    if (ipVersion === 6) throw invalidParam(what, 'secondary ip', 'when using a IPv6 primary address, a valid IPv4 address must be given as secondary');
    return;
  }
  if (isIP(secondary) !== 4) throw invalidParam(what, 'secondary ip', `secondary IP address (${secondary}) has to be a valid IPv4 address`);
}

/** Defaults a provider declares in its schema (`default` keywords). */
export const schemaDefaults = (schema: ParamsSchema): Params =>
  Object.fromEntries(Object.entries(schema.properties).filter(([, s]) => 'default' in s).map(([k, s]) => [k, (s as { default: unknown }).default]));

/**
 * Every registered hypervisor's parameters: `base` (the cluster's current values, or the
 * provider's schema defaults) with `overrides` on top, each checked by the provider's schema.
 */
export function fillHvParams(host: PluginHost, base: Readonly<Record<string, Params>>, overrides: Readonly<Record<string, Params>> = {}): Record<string, Params> {
  return Object.fromEntries(
    host.hypervisors.names().map((hv) => {
      const filled = { ...schemaDefaults(host.hypervisors.get(hv).params), ...(base[hv] ?? {}), ...(overrides[hv] ?? {}) };
      return [hv, host.hypervisors.validateParams(hv, filled, { partial: true })];
    }),
  );
}

/** `base` backend parameters with checked `overrides`; minmem must not exceed maxmem. */
export function mergeBeparams(what: string, base: Params, overrides: Params = {}): Params {
  const be = { ...base, ...checkBe(overrides) };
  if ((be['minmem'] as number) > (be['maxmem'] as number)) throw invalidParam(what, 'backend parameters', 'minmem must not be larger than maxmem');
  return be;
}

/** `base` NIC parameters with checked `overrides`; bridged and openvswitch need a link. */
export function mergeNicparams(what: string, base: Params, overrides: Params = {}): Params {
  const nic = { ...base, ...checkNic(overrides) };
  if ((nic['mode'] === 'bridged' || nic['mode'] === 'openvswitch') && !nic['link']) throw invalidParam(what, 'NIC parameters', `a ${String(nic['mode'])} NIC needs a link`);
  return nic;
}

export const mergeNdparams = (base: Params, overrides: Params = {}): Params => ({ ...base, ...checkNd(overrides) });
