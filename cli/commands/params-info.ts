import { pyStr } from '../common/luxi.js';
import { InfoMap } from './generic-info.js';

/**
 * Parameter and policy layouts shared by the `info` commands (Ganeti's
 * cli.FormatParamsDictInfo and cli.FormatPolicyInfo), as PrintGenericInfo input.
 */

/** Parameters Ganeti types as floats: JSON loses the `.0` of whole ones, so it is put back. */
const FLOAT_PARAMS = new Set(['cpu_speed', 'vcpu-ratio', 'spindle-ratio']);

const show = (key: string, value: unknown): string =>
  FLOAT_PARAMS.has(key) && typeof value === 'number' && Number.isInteger(value) ? `${value}.0` : pyStr(value);

const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Every parameter of `actual` (the effective values): the own value when `own` sets it,
 * else `default (<value>)`; non-empty nested dictionaries recurse. Printed with sorted keys.
 */
export function formatParamsDictInfo(own: unknown, actual: unknown): Record<string, unknown> {
  const mine = isDict(own) ? own : {};
  const out: Record<string, unknown> = {};
  for (const [key, data] of Object.entries(isDict(actual) ? actual : {})) {
    if (isDict(data) && Object.keys(data).length > 0) out[key] = formatParamsDictInfo(mine[key], data);
    else out[key] = Object.hasOwn(mine, key) ? show(key, mine[key]) : `default (${show(key, data)})`;
  }
  return out;
}

const MINMAX_KEYS = ['max', 'min'] as const;
const POLICY_PARAMETERS = ['vcpu-ratio', 'spindle-ratio'] as const;

/** A node group's instance policy: own bounds specs (or the effective ones as defaults), disk templates and ratios. */
export function formatGroupPolicyInfo(own: unknown, effective: unknown): InfoMap {
  const mine = isDict(own) ? own : {};
  const eff = isDict(effective) ? effective : {};
  const ownMinmax = Array.isArray(mine['minmax']) && mine['minmax'].length > 0 ? (mine['minmax'] as Record<string, unknown>[]) : null;
  const minmax = (ownMinmax ?? (Array.isArray(eff['minmax']) ? (eff['minmax'] as Record<string, unknown>[]) : [])).map(
    (mm, k) => new InfoMap(MINMAX_KEYS.map((key) => [`${key}/${k}`, formatParamsDictInfo(ownMinmax ? mm[key] : {}, mm[key])] as const)),
  );
  const templates = (v: unknown) => (Array.isArray(v) ? v.map(pyStr).join(', ') : pyStr(v));
  const entries: [string, unknown][] = [
    ['bounds specs', minmax],
    ['allowed disk templates', mine['disk-templates'] !== undefined && mine['disk-templates'] !== null ? templates(mine['disk-templates']) : `default (${templates(eff['disk-templates'] ?? [])})`],
  ];
  for (const key of POLICY_PARAMETERS) entries.push([key, Object.hasOwn(mine, key) ? show(key, mine[key]) : `default (${show(key, eff[key])})`]);
  return new InfoMap(entries);
}

/** Ganeti's _FmtDict for list columns: `k=v, k=v`, `(empty)` for none. */
export function formatDictColumn(value: unknown): string {
  if (!isDict(value) || Object.keys(value).length === 0) return '(empty)';
  return Object.entries(value)
    .map(([k, v]) => `${k}=${show(k, v)}`)
    .join(', ');
}

/** A list column joined with commas (Ganeti's `",".join` overrides). */
export const joinList = (value: unknown): string => (Array.isArray(value) ? value.map(pyStr).join(',') : pyStr(value));
