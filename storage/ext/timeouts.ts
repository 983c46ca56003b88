/**
 * How long each ExtStorage script may run before it is killed with its process group. Ganeti
 * has no such limit; a hung provider would then hold the node daemon's RPC (and the job's
 * locks) forever. Data-moving actions get 5 minutes, mapping and metadata 1 minute; the
 * plugin option `timeouts` ({action: seconds}) changes them.
 */
import type { ParamsSchema } from '../../core/index.js';
import { OPTIONAL_SCRIPTS, REQUIRED_SCRIPTS, type ExtAction } from './scripts.js';

export type ExtTimeouts = Readonly<Record<ExtAction, number>>;

export const DEFAULT_TIMEOUTS: ExtTimeouts = Object.freeze({
  create: 300,
  remove: 300,
  grow: 300,
  snapshot: 300,
  attach: 60,
  detach: 60,
  open: 60,
  close: 60,
  setinfo: 60,
  verify: 60,
});

const seconds = { type: 'number', exclusiveMinimum: 0, description: 'seconds' };

export const OPTIONS_SCHEMA: ParamsSchema = Object.freeze({
  type: 'object',
  additionalProperties: false,
  properties: {
    timeouts: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries([...REQUIRED_SCRIPTS, ...OPTIONAL_SCRIPTS].map((a) => [a, seconds])),
      description: 'seconds each ExtStorage script may run, by action (defaults: 300 create/remove/grow/snapshot, 60 the others)',
    },
  },
});

export const resolveTimeouts = (given: unknown): ExtTimeouts => ({ ...DEFAULT_TIMEOUTS, ...((given ?? {}) as Partial<Record<ExtAction, number>>) });
