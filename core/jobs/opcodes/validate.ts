import type { ErrorObject, ValidateFunction } from 'ajv';
import { lazyAjv } from '../../schema/ajv.js';
import { GanetiError } from '../../errors/index.js';
import { COMMON_FIELDS } from './common.js';
import { OPCODE_SCHEMAS, OPCODE_IDS, type OpCode, type OpId } from './definitions.js';

// Opcodes come as JSON over LUXI/RAPI: no coercion, defaults filled as Ganeti does.
const getAjv = lazyAjv({ allErrors: false, coerceTypes: false, useDefaults: true, strict: false });
const validators = new Map<OpId, ValidateFunction>();

function validatorFor(id: OpId): ValidateFunction {
  let v = validators.get(id);
  if (!v) {
    const own = OPCODE_SCHEMAS[id];
    v = getAjv().compile({
      type: 'object',
      properties: { ...COMMON_FIELDS, ...own.properties },
      required: ['OP_ID', ...(own.required ?? [])],
      additionalProperties: false,
    });
    validators.set(id, v);
  }
  return v;
}

/**
 * Checks an opcode as submitted and returns a copy with Ganeti's defaults filled in.
 * Unknown opcodes, unknown fields and wrong types are refused naming the field.
 */
export function validateOpcode(input: unknown): OpCode {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw new GanetiError('GNT_OPCODE_INVALID', { opcode: '(none)', field: '(opcode)', problem: 'must be an object with OP_ID' });
  const id = (input as { OP_ID?: unknown }).OP_ID;
  if (typeof id !== 'string' || !(OPCODE_IDS as readonly string[]).includes(id))
    throw new GanetiError('GNT_OPCODE_UNKNOWN', { opcode: String(id), known: OPCODE_IDS.join(', ') });
  const copy = structuredClone(input) as Record<string, unknown>;
  const v = validatorFor(id as OpId);
  if (!v(copy)) throw opcodeError(id, v.errors?.[0]);
  return copy as unknown as OpCode;
}

function opcodeError(opcode: string, e: ErrorObject | undefined): GanetiError {
  if (!e) return new GanetiError('GNT_OPCODE_INVALID', { opcode, field: '(opcode)', problem: 'is invalid' });
  if (e.keyword === 'additionalProperties')
    return new GanetiError('GNT_OPCODE_INVALID', { opcode, field: String((e.params as { additionalProperty: string }).additionalProperty), problem: 'is not a field of this opcode' });
  if (e.keyword === 'required')
    return new GanetiError('GNT_OPCODE_INVALID', { opcode, field: String((e.params as { missingProperty: string }).missingProperty), problem: 'is required' });
  const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(opcode)';
  let problem = e.message ?? 'is invalid';
  if (e.keyword === 'enum') problem += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.filter((v) => v !== null).map(String).join(', ')}`;
  return new GanetiError('GNT_OPCODE_INVALID', { opcode, field, problem });
}
