import type { ErrorObject, ValidateFunction } from 'ajv';
import { lazyAjv } from '../schema/ajv.js';
import { GanetiError } from '../errors/index.js';
import type { Params, ParamsSchema } from '../contracts/params.js';

/**
 * Parameter checking with ajv. ajv is required on first use only: listing plugins or printing
 * a version never pays for it. Values are coerced to the declared types (strings from the
 * command line become numbers and booleans, as Ganeti's hvparams do) on a copy.
 */
const getAjv = lazyAjv({ allErrors: true, coerceTypes: true, strict: true, useDefaults: false });

/** Checks the shape the host relies on; returns a problem or null. Cheap, no ajv. */
export function paramsSchemaProblem(schema: unknown): string | null {
  if (!schema || typeof schema !== 'object') return 'params must be a JSON schema object';
  const s = schema as Partial<ParamsSchema> & { additionalProperties?: unknown };
  if (s.type !== 'object') return "params schema must have type 'object'";
  if (!s.properties || typeof s.properties !== 'object') return 'params schema must list its parameters in properties';
  if (s.additionalProperties !== undefined && s.additionalProperties !== false)
    return 'params schema must not allow additional properties (unknown parameters are refused)';
  return null;
}

export const paramNames = (schema: ParamsSchema): string[] => Object.keys(schema.properties).sort();

export interface ParamsValidator {
  /** Returns a coerced copy, or throws GNT_PARAM_UNKNOWN / GNT_PARAM_INVALID / GNT_PARAM_MISSING. */
  (params: Params, options?: { partial?: boolean }): Params;
}

/** Compiles `schema` for `owner` (e.g. "hypervisor 'kvm'"); compilation itself is deferred. */
export function paramsValidator(owner: string, schema: ParamsSchema): ParamsValidator {
  let validate: ValidateFunction | undefined;
  const known = paramNames(schema).join(', ');
  return (params, options) => {
    if (params === null || typeof params !== 'object' || Array.isArray(params))
      throw new GanetiError('GNT_PARAM_INVALID', { owner, param: '(all)', problem: 'must be an object of name=value pairs' });
    const check = (validate ??= getAjv().compile({ ...schema, additionalProperties: false }));
    const copy = structuredClone(params);
    if (check(copy)) return copy;
    const errors = (check.errors ?? []).filter((e) => !(options?.partial && e.keyword === 'required'));
    if (errors.length === 0) return copy;
    throw toParamError(owner, known, errors[0]!);
  };
}

function toParamError(owner: string, known: string, e: ErrorObject): GanetiError {
  if (e.keyword === 'additionalProperties') {
    const param = String((e.params as { additionalProperty: string }).additionalProperty);
    return new GanetiError('GNT_PARAM_UNKNOWN', { owner, param, known });
  }
  if (e.keyword === 'required') {
    return new GanetiError('GNT_PARAM_MISSING', { owner, param: String((e.params as { missingProperty: string }).missingProperty) });
  }
  const param = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(all)';
  let problem = e.message ?? 'is invalid';
  if (e.keyword === 'enum') problem += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
  return new GanetiError('GNT_PARAM_INVALID', { owner, param, problem });
}
