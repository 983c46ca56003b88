import type { JobStatus, OpStatus, QueuedOpcodeData } from './types.js';

/**
 * A job's status from its opcodes' statuses, left to right (interfaces §11): the first
 * opcode in error, canceling or canceled decides; all success means success; otherwise the
 * first waiting or running opcode decides; else the job is queued.
 */
export function jobStatus(opStatuses: readonly OpStatus[]): JobStatus {
  let allSuccess = true;
  let active: JobStatus | undefined;
  for (const s of opStatuses) {
    if (s === 'error' || s === 'canceling' || s === 'canceled') return s;
    if (s !== 'success') allSuccess = false;
    if (active === undefined && (s === 'waiting' || s === 'running')) active = s;
  }
  if (allSuccess) return 'success';
  return active ?? 'queued';
}

/** Opcodes' description fields (Ganeti's OP_DSC_FIELD) used in job summaries. */
const DESCRIPTION_FIELD: Readonly<Record<string, string>> = Object.freeze({
  OP_TEST_DELAY: 'duration',
  OP_INSTANCE_CREATE: 'instance_name',
  OP_INSTANCE_REMOVE: 'instance_name',
  OP_INSTANCE_STARTUP: 'instance_name',
  OP_INSTANCE_SHUTDOWN: 'instance_name',
  OP_INSTANCE_REBOOT: 'instance_name',
  OP_INSTANCE_MIGRATE: 'instance_name',
  OP_INSTANCE_FAILOVER: 'instance_name',
  OP_NODE_ADD: 'node_name',
  OP_NODE_REMOVE: 'node_name',
  OP_GROUP_ADD: 'group_name',
  OP_NETWORK_ADD: 'network_name',
  OP_NETWORK_REMOVE: 'network_name',
  OP_NETWORK_SET_PARAMS: 'network_name',
  OP_NETWORK_CONNECT: 'network_name',
  OP_NETWORK_DISCONNECT: 'network_name',
});

/** Description fields that are floats in Ganeti: a whole number still prints as `5.0`. */
const FLOAT_FIELDS: ReadonlySet<string> = new Set(['duration']);

/** `TEST_DELAY(5.0)`: the OP_ID without `OP_`, plus the description field's value as Ganeti prints it. */
export function opSummary(input: { readonly OP_ID: string; readonly [k: string]: unknown }): string {
  const name = input.OP_ID.replace(/^OP_/, '');
  const field = DESCRIPTION_FIELD[input.OP_ID];
  if (field === undefined || input[field] === undefined || input[field] === null) return name;
  const v = input[field];
  if (typeof v === 'number' && FLOAT_FIELDS.has(field) && Number.isInteger(v)) return `${name}(${v}.0)`;
  return `${name}(${typeof v === 'string' ? v : JSON.stringify(v)})`;
}

export const jobSummary = (ops: readonly Pick<QueuedOpcodeData, 'input'>[]): string[] => ops.map((o) => opSummary(o.input));
