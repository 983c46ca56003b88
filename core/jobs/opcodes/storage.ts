import type { OpCommon, OpcodeSchema } from './common.js';

/** The fields OP_EXT_STORAGE_DIAGNOSE can return (Ganeti's EXTSTORAGE_FIELDS). */
export const EXT_STORAGE_FIELDS = Object.freeze(['name', 'node_status', 'nodegroup_status', 'parameters'] as const);

/**
 * Ganeti's OpExtStorageDiagnose: one row per ExtStorage provider found on any online,
 * vm_capable node, with the `output_fields` asked for; `names` restricts the providers.
 */
export interface OpExtStorageDiagnose extends OpCommon {
  readonly OP_ID: 'OP_EXT_STORAGE_DIAGNOSE';
  readonly output_fields: readonly string[];
  readonly names: readonly string[];
}

const strings = { type: 'array', items: { type: 'string', minLength: 1 } };

export const STORAGE_OPCODE_SCHEMAS: { readonly OP_EXT_STORAGE_DIAGNOSE: OpcodeSchema } = Object.freeze({
  OP_EXT_STORAGE_DIAGNOSE: { properties: { output_fields: strings, names: { ...strings, default: [] } }, required: ['output_fields'] },
});
