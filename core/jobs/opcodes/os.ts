import type { OpCommon, OpcodeSchema } from './common.js';

/** The fields OP_OS_DIAGNOSE can return (Ganeti's OS query fields). */
export const OS_FIELDS = Object.freeze(['name', 'valid', 'hidden', 'blacklisted', 'variants', 'parameters', 'api_versions', 'node_status', 'os_hvp', 'osparams', 'trusted'] as const);

/**
 * Ganeti's OpOsDiagnose: one row per OS found on any online vm_capable node, with the
 * `output_fields` asked for. Without `names`, and unless the fields ask about them, hidden,
 * blacklisted and invalid OSes are left out (as Ganeti's LUOsDiagnose filter does).
 */
export interface OpOsDiagnose extends OpCommon {
  readonly OP_ID: 'OP_OS_DIAGNOSE';
  readonly output_fields: readonly string[];
  readonly names: readonly string[];
}

const strings = { type: 'array', items: { type: 'string', minLength: 1 } };

export const OS_OPCODE_SCHEMAS: { readonly OP_OS_DIAGNOSE: OpcodeSchema } = Object.freeze({
  OP_OS_DIAGNOSE: { properties: { output_fields: strings, names: { ...strings, default: [] } }, required: ['output_fields'] },
});
