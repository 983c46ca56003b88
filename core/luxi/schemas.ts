import type { ErrorObject, ValidateFunction } from 'ajv';
import { lazyAjv } from '../schema/ajv.js';
import { GanetiError } from '../errors/index.js';
import type { LuxiMethod } from './methods.js';

/**
 * The positional `args` of every LUXI method (interfaces §6, Ganeti's lib/luxi.py and
 * src/Ganeti/Luxi.hs), one JSON schema each. The server checks a request against its
 * method's schema before calling the handler, then normalizes what Ganeti's daemons accept in
 * two spellings: job ids given as digit strings (Python clients pass CLI arguments through)
 * become integers, an omitted CancelJob `kill` becomes false, a null QueryJobs id list or
 * QueryFields field list stays null (meaning "all").
 *
 * Opcodes are only checked for being objects with an OP_ID here; their own fields are the
 * job queue's to validate.
 */

/** Resources Query/QueryFields accept over LUXI (Ganeti's QR_VIA_LUXI). */
export const QUERY_RESOURCES = Object.freeze(['instance', 'node', 'group', 'job', 'export', 'lock', 'network', 'filter', 'disk'] as const);
export type QueryResource = (typeof QUERY_RESOURCES)[number];

/** Tag kinds of QueryTags. */
export const TAG_KINDS = Object.freeze(['cluster', 'node', 'instance', 'nodegroup', 'network'] as const);

/** Ganeti's WaitForJobChange timeout cap, (180 - 1) // 2 seconds. */
export const WFJC_TIMEOUT_S = 89;

type Schema = Record<string, unknown>;

const jobId: Schema = { type: ['integer', 'string'], minimum: 0, pattern: '^[0-9]+$' };
const strings: Schema = { type: 'array', items: { type: 'string' } };
const opcode: Schema = { type: 'object', required: ['OP_ID'], properties: { OP_ID: { type: 'string', pattern: '^OP_[A-Z0-9_]+$' } } };
const job: Schema = { type: 'array', minItems: 1, items: opcode };

interface Arg {
  readonly name: string;
  readonly schema: Schema;
  /** How the value must look, for error messages. */
  readonly hint: string;
}

const arg = (name: string, schema: Schema, hint: string): Arg => Object.freeze({ name, schema, hint });
const JOB_ID = (name = 'job_id') => arg(name, jobId, 'a job id (a non-negative integer, or a string of digits)');

export interface LuxiMethodSpec {
  /** Ganeti's names of the positional arguments, in order. */
  readonly args: readonly Arg[];
  /** How many of them a request must give (the rest are optional). */
  readonly required: number;
}

const spec = (args: readonly Arg[], required = args.length): LuxiMethodSpec => Object.freeze({ args: Object.freeze(args), required });

export const LUXI_METHOD_SPECS: { readonly [M in LuxiMethod]: LuxiMethodSpec } = Object.freeze({
  SubmitJob: spec([arg('ops', job, 'a non-empty list of opcodes (objects with OP_ID)')]),
  SubmitJobToDrainedQueue: spec([arg('ops', job, 'a non-empty list of opcodes (objects with OP_ID)')]),
  SubmitManyJobs: spec([arg('jobs', { type: 'array', items: job }, 'a list of jobs, each a non-empty list of opcodes')]),
  WaitForJobChange: spec([
    JOB_ID(),
    arg('fields', strings, 'a list of field names'),
    arg('prev_job_info', { type: ['array', 'null'] }, 'null or the job info of the previous answer'),
    arg('prev_log_serial', { type: ['integer', 'null'], minimum: 0 }, 'null or a log serial number'),
    arg('timeout', { type: 'number', minimum: 0 }, 'a number of seconds >= 0'),
  ]),
  CancelJob: spec([JOB_ID(), arg('kill', { type: 'boolean' }, 'a boolean')], 1),
  ArchiveJob: spec([JOB_ID()]),
  AutoArchiveJobs: spec([
    arg('age', { type: 'number' }, 'an age in seconds (-1: all finished jobs)'),
    arg('timeout', { type: 'number', minimum: 0 }, 'a number of seconds >= 0'),
  ]),
  ChangeJobPriority: spec([JOB_ID(), arg('priority', { type: 'integer', minimum: -20, maximum: 19 }, 'an integer from -20 (highest) to 19 (lowest)')]),
  Query: spec([
    arg('what', { enum: [...QUERY_RESOURCES] }, `one of ${QUERY_RESOURCES.join(', ')}`),
    arg('fields', strings, 'a list of field names'),
    arg('qfilter', { type: ['array', 'null'] }, 'null or a query filter (a list)'),
  ]),
  QueryFields: spec([
    arg('what', { enum: [...QUERY_RESOURCES] }, `one of ${QUERY_RESOURCES.join(', ')}`),
    arg('fields', { type: ['array', 'null'], items: { type: 'string' } }, 'null or a list of field names'),
  ]),
  QueryJobs: spec([
    arg('job_ids', { type: ['array', 'null'], items: jobId }, 'null or a list of job ids'),
    arg('fields', strings, 'a list of field names'),
  ]),
  QueryClusterInfo: spec([]),
  QueryConfigValues: spec([arg('fields', strings, 'a list of field names')]),
  QueryTags: spec([
    arg('kind', { enum: [...TAG_KINDS] }, `one of ${TAG_KINDS.join(', ')}`),
    arg('name', { type: ['string', 'null'] }, 'a name (empty or null for the cluster)'),
  ]),
  SetDrainFlag: spec([arg('drain_flag', { type: 'boolean' }, 'a boolean')]),
});

/** The JSON schema of a method's `args` array. */
export function argsSchema(method: LuxiMethod): Schema {
  const s = LUXI_METHOD_SPECS[method];
  return {
    type: 'array',
    ...(s.args.length ? { items: s.args.map((a) => a.schema) } : {}),
    minItems: s.required,
    maxItems: s.args.length,
  };
}

// ajv is loaded on the first request that needs it, and each method compiled on first use.
// JSON off the wire: no coercion, no defaults; tuples may have optional tails.
const getAjv = lazyAjv({ allErrors: false, coerceTypes: false, useDefaults: false, strict: true, strictTuples: false, allowUnionTypes: true });
const validators = new Map<LuxiMethod, ValidateFunction>();

function validatorFor(method: LuxiMethod): ValidateFunction {
  let v = validators.get(method);
  if (!v) {
    v = getAjv().compile(argsSchema(method));
    validators.set(method, v);
  }
  return v;
}

const toJobId = (v: unknown): unknown => (typeof v === 'string' && /^[0-9]+$/.test(v) ? Number.parseInt(v, 10) : v);

/**
 * Checks `args` against the method's schema and returns them normalized (a copy), or throws
 * GNT_LUXI_ARGS naming the argument that is wrong.
 */
export function validateLuxiArgs(method: LuxiMethod, args: unknown): unknown[] {
  const s = LUXI_METHOD_SPECS[method];
  if (!Array.isArray(args)) throw new GanetiError('GNT_LUXI_ARGS', { method, problem: `args must be a JSON array, got ${describe(args)}` });
  const check = validatorFor(method);
  if (!check(args)) throw argsError(method, s, args, check.errors?.[0]);
  const out = [...(args as unknown[])];
  s.args.forEach((a, i) => {
    if (i >= out.length) return;
    if (a.schema === jobId) out[i] = toJobId(out[i]);
    if (a.name === 'job_ids' && Array.isArray(out[i])) out[i] = (out[i] as unknown[]).map(toJobId);
  });
  if (method === 'CancelJob' && out.length === 1) out.push(false);
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

const signature = (s: LuxiMethodSpec) => `[${s.args.map((a, i) => (i < s.required ? a.name : `${a.name}?`)).join(', ')}]`;

function argsError(method: LuxiMethod, s: LuxiMethodSpec, args: unknown[], e: ErrorObject | undefined): GanetiError {
  const fail = (problem: string) => new GanetiError('GNT_LUXI_ARGS', { method, problem });
  if (!e) return fail('args are invalid');
  if (e.instancePath === '' && (e.keyword === 'minItems' || e.keyword === 'maxItems')) {
    const count = s.required === s.args.length ? `${s.args.length}` : `${s.required} to ${s.args.length}`;
    return fail(`expects ${count} argument${s.args.length === 1 ? '' : 's'} ${signature(s)}, got ${args.length}`);
  }
  const m = /^\/(\d+)(.*)$/.exec(e.instancePath);
  if (!m) return fail(e.message ?? 'args are invalid');
  const index = Number(m[1]);
  const a = s.args[index];
  const name = a ? `argument ${index} (${a.name})` : `argument ${index}`;
  const inner = m[2]!.replace(/^\//, '').replace(/\//g, '.');
  let detail = e.message ?? 'is invalid';
  if (e.keyword === 'enum') detail += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
  if (inner === '' && a) return fail(`${name} must be ${a.hint}, got ${describe(args[index])}`);
  return fail(`${name}, element ${inner}: ${detail}`);
}
