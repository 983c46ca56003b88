import type { OpCommon, OpcodeSchema } from './common.js';

/**
 * OP_EXT_STORAGE_INSTALL (ganeti-ts; `gnt-storage install`): copies one ExtStorage provider
 * folder to every online vm_capable node (of one node group when given), over the node RPC.
 */
export interface OpExtStorageInstall extends OpCommon {
  readonly OP_ID: 'OP_EXT_STORAGE_INSTALL';
  readonly provider: string;
  /** `[relative path, mode, base64 content]` */
  readonly files: readonly (readonly [string, number, string])[];
  readonly group_name: string | null;
}

export const STORAGE_INSTALL_OPCODE_SCHEMAS: { readonly OP_EXT_STORAGE_INSTALL: OpcodeSchema } = Object.freeze({
  OP_EXT_STORAGE_INSTALL: {
    properties: {
      provider: { type: 'string', minLength: 1 },
      files: {
        type: 'array',
        minItems: 1,
        items: { type: 'array', minItems: 3, maxItems: 3, items: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 0, maximum: 0o7777 }, { type: 'string' }] },
      },
      group_name: { type: ['string', 'null'], default: null },
    },
    required: ['provider', 'files'],
  },
});
