import type { JobStatus } from '../types.js';

/** Fields every opcode may carry (interfaces §6: Ganeti's OpCode base). */
export interface OpCommon {
  readonly OP_ID: string;
  readonly dry_run?: boolean;
  readonly debug_level?: number;
  /** −20 (highest) … 19 (lowest). */
  readonly priority?: number;
  /** `[job id (negative: relative within SubmitManyJobs), [final statuses]]` */
  readonly depends?: readonly (readonly [number, readonly JobStatus[]])[] | null;
  readonly comment?: string | null;
  /** `[source, text, timestamp in ns]` */
  readonly reason?: readonly (readonly [string, string, number])[];
}

/** An opcode's own fields: their JSON schemas (with Ganeti's defaults) and the required ones. */
export interface OpcodeSchema {
  readonly properties: Readonly<Record<string, object>>;
  readonly required?: readonly string[];
}

/** JSON schema of the common fields, merged into every opcode's schema. */
export const COMMON_FIELDS = Object.freeze({
  OP_ID: { type: 'string' },
  dry_run: { type: 'boolean', default: false },
  debug_level: { type: 'integer', minimum: 0, default: 0 },
  priority: { type: 'integer', minimum: -20, maximum: 19, default: 0 },
  depends: {
    anyOf: [
      { type: 'null' },
      {
        type: 'array',
        items: {
          type: 'array',
          minItems: 2,
          maxItems: 2,
          items: [{ type: 'integer' }, { type: 'array', items: { enum: ['canceled', 'success', 'error'] } }],
        },
      },
    ],
  },
  comment: { type: ['string', 'null'] },
  reason: {
    type: 'array',
    items: { type: 'array', minItems: 3, maxItems: 3, items: [{ type: 'string' }, { type: 'string' }, { type: 'number' }] },
    default: [],
  },
});

/** An opcode's own fields as JSON schema properties (merged with COMMON_FIELDS by validate.ts). */
export interface OpcodeSchema {
  readonly properties: Readonly<Record<string, object>>;
  readonly required?: readonly string[];
}
