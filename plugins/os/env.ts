/**
 * The environment of an OS script (interfaces §1.4-1.5). Ganeti resets it: only these
 * variables and `PATH=/sbin:/bin:/usr/sbin:/usr/bin`. Values are strings; indices start at 0.
 * Which variables exist depends on the API version in use: OS_VARIANT from 15, OSP_* from 20.
 */
import { pyStr, type OsCall, type OsInstance, type Params } from '../../core/index.js';

export const SCRIPT_PATH = '/sbin:/bin:/usr/sbin:/usr/bin';


/** OS_API_VERSION, OS_NAME, OS_VARIANT, DEBUG_LEVEL and OSP_* (what `verify` gets too). */
export function coreEnv(call: OsCall, osparams: Params): Record<string, string> {
  const env: Record<string, string> = {
    PATH: SCRIPT_PATH,
    OS_API_VERSION: String(call.os.api_version),
    OS_NAME: call.os.name,
    DEBUG_LEVEL: String(call.debug_level),
  };
  if (call.os.api_version >= 15) env['OS_VARIANT'] = call.os.variant;
  if (call.os.api_version >= 20) for (const [k, v] of Object.entries(osparams)) env[`OSP_${k.toUpperCase().replace(/-/g, '_')}`] = pyStr(v);
  return env;
}

/** The core variables plus the instance's: INSTANCE_*, HYPERVISOR, DISK_*, NIC_*. */
export function instanceEnv(call: OsCall, inst: OsInstance): Record<string, string> {
  const env = coreEnv(call, inst.osparams);
  Object.assign(env, {
    INSTANCE_NAME: inst.name,
    INSTANCE_OS: inst.os,
    INSTANCE_UUID: inst.uuid,
    INSTANCE_CTIME: String(inst.ctime),
    INSTANCE_MTIME: String(inst.mtime),
    INSTANCE_PRIMARY_NODE: inst.primary_node,
    INSTANCE_SECONDARY_NODES: inst.secondary_nodes.join(' '),
    HYPERVISOR: inst.hypervisor,
  });
  for (const [k, v] of Object.entries(inst.beparams)) env[`INSTANCE_BE_${k}`] = pyStr(v);
  for (const [k, v] of Object.entries(inst.hvparams)) env[`INSTANCE_HV_${k}`] = pyStr(v);

  env['DISK_COUNT'] = String(inst.disks.length);
  inst.disks.forEach((d, i) => {
    const p = `DISK_${i}_`;
    env[`${p}ACCESS`] = d.mode;
    env[`${p}UUID`] = d.uuid;
    env[`${p}SIZE`] = String(d.size);
    if (d.dev_path) env[`${p}PATH`] = d.dev_path;
    if (d.uri) env[`${p}URI`] = d.uri;
    if (d.name) env[`${p}NAME`] = d.name;
    if (d.frontend_type) env[`${p}FRONTEND_TYPE`] = d.frontend_type;
    env[`${p}BACKEND_TYPE`] = d.backend_type;
  });

  env['NIC_COUNT'] = String(inst.nics.length);
  inst.nics.forEach((n, i) => {
    const p = `NIC_${i}_`;
    env[`${p}MAC`] = n.mac;
    env[`${p}UUID`] = n.uuid;
    if (n.name) env[`${p}NAME`] = n.name;
    if (n.ip) env[`${p}IP`] = n.ip;
    env[`${p}MODE`] = n.mode;
    if (n.mode === 'bridged' && n.bridge) env[`${p}BRIDGE`] = n.bridge;
    if (n.link) env[`${p}LINK`] = n.link;
    if (n.frontend_type) env[`${p}FRONTEND_TYPE`] = n.frontend_type;
    const net = n.network;
    if (net) {
      env[`${p}NETWORK_NAME`] = net.name;
      env[`${p}NETWORK_UUID`] = net.uuid;
      env[`${p}NETWORK_TAGS`] = net.tags.join(' ');
      if (net.subnet) env[`${p}NETWORK_SUBNET`] = net.subnet;
      if (net.gateway) env[`${p}NETWORK_GATEWAY`] = net.gateway;
      if (net.subnet6) env[`${p}NETWORK_SUBNET6`] = net.subnet6;
      if (net.gateway6) env[`${p}NETWORK_GATEWAY6`] = net.gateway6;
      if (net.mac_prefix) env[`${p}NETWORK_MAC_PREFIX`] = net.mac_prefix;
    }
  });
  return env;
}
