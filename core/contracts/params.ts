/**
 * Provider parameters are declared as a JSON schema (draft-07, checked with ajv): an object
 * schema whose `properties` are the parameter names. Unknown names are always refused, so
 * `additionalProperties` must be `false` or absent (the host sets it to false).
 *
 * Values may arrive as strings from the command line (`-H kvm:acpi=false`); the host coerces
 * them to the declared type, as Ganeti does for hvparams, and refuses what does not convert.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface ParamsSchema {
  readonly type: 'object';
  readonly properties: { readonly [param: string]: JsonSchema & { readonly description?: string } };
  readonly required?: readonly string[];
  readonly additionalProperties?: false;
}

export type Params = Record<string, unknown>;

/** The empty schema, for providers that take no parameters. */
export const NO_PARAMS: ParamsSchema = Object.freeze({ type: 'object', properties: Object.freeze({}) });
