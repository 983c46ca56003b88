/**
 * The OS settings of the cluster that `gnt-os modify` changes through OP_CLUSTER_SET_PARAMS:
 * per-OS hypervisor parameters (`os_hvp`), per-OS parameters (`osparams`, and private ones
 * in `osparams_private_cluster`), and the hidden and blacklisted OS lists, changed by
 * `[["add"|"remove", os], ...]` as Ganeti's DDM_ADD/DDM_REMOVE lists.
 */
import { GanetiError } from '../errors/index.js';
import type { Params } from '../contracts/params.js';
import type { PluginHost } from '../plugin-host/host.js';

type Dict = Readonly<Record<string, unknown>>;
export type OsListChange = readonly [action: 'add' | 'remove', os: string];

export interface OsSettingsChanges {
  readonly os_hvp: Readonly<Record<string, Readonly<Record<string, Dict>>>> | null;
  readonly osparams: Readonly<Record<string, Dict>> | null;
  readonly osparams_private_cluster: Readonly<Record<string, Dict>> | null;
  readonly hidden_os: readonly OsListChange[] | null;
  readonly blacklisted_os: readonly OsListChange[] | null;
}

export interface OsSettings {
  os_hvp: Record<string, Record<string, Params>>;
  osparams: Record<string, Params>;
  osparams_private_cluster: Record<string, Params>;
  hidden_os: string[];
  blacklisted_os: string[];
}

/** A parameter set with its changes: `null` or `"default"` removes a key (Ganeti's use_none). */
function updated(old: Params | undefined, changes: Dict): Params {
  const out: Record<string, unknown> = { ...(old ?? {}) };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === 'default') delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Per-OS dictionaries updated; an OS left with no parameters is dropped. */
function perOs(current: Readonly<Record<string, Params>>, changes: Readonly<Record<string, Dict>>): Record<string, Params> {
  const out: Record<string, Params> = { ...current };
  for (const [os, ch] of Object.entries(changes)) {
    const p = updated(current[os], ch);
    if (Object.keys(p).length) out[os] = p;
    else delete out[os];
  }
  return out;
}

function list(current: readonly string[], changes: readonly OsListChange[], what: string, warn: (m: string) => void): string[] {
  const out = [...current];
  for (const [action, os] of changes) {
    const i = out.indexOf(os);
    if (action === 'add' && i < 0) out.push(os);
    else if (action === 'remove') {
      if (i >= 0) out.splice(i, 1);
      else warn(`OS ${os} not found in the ${what} list, cannot remove`);
    }
  }
  return out;
}

/** The new settings (only those asked for), checked: os_hvp hypervisors must exist and their parameters pass their schema. */
export function applyOsSettings(host: PluginHost, current: OsSettings, op: OsSettingsChanges, warn: (m: string) => void): Partial<OsSettings> {
  const out: Partial<OsSettings> = {};
  if (op.os_hvp !== null) {
    const hvp: Record<string, Record<string, Params>> = structuredClone(current.os_hvp ?? {});
    for (const [os, byHv] of Object.entries(op.os_hvp)) {
      const mine: Record<string, Params> = hvp[os] ?? {};
      for (const [hv, ch] of Object.entries(byHv)) {
        if (!host.hypervisors.has(hv)) throw new GanetiError('GNT_PARAM_INVALID', { owner: `os_hvp of OS ${os}`, param: hv, problem: `is not a known hypervisor (known: ${host.hypervisors.names().join(', ')})` });
        const p = updated(mine[hv], ch);
        host.hypervisors.validateParams(hv, p, { partial: true });
        if (Object.keys(p).length) mine[hv] = p;
        else delete mine[hv];
      }
      if (Object.keys(mine).length) hvp[os] = mine;
      else delete hvp[os];
    }
    out.os_hvp = hvp;
  }
  if (op.osparams !== null) out.osparams = perOs(current.osparams ?? {}, op.osparams);
  if (op.osparams_private_cluster !== null) out.osparams_private_cluster = perOs(current.osparams_private_cluster ?? {}, op.osparams_private_cluster);
  if (op.hidden_os !== null) out.hidden_os = list(current.hidden_os ?? [], op.hidden_os, 'hidden', warn);
  if (op.blacklisted_os !== null) out.blacklisted_os = list(current.blacklisted_os ?? [], op.blacklisted_os, 'blacklisted', warn);
  return out;
}
