import type { RpcCallDef } from '../rpc/calls.js';
import type { ProviderContext } from './context.js';

export type { RpcCallDef, RpcArgDef } from '../rpc/calls.js';

/**
 * A node-side RPC procedure a plugin adds (the hook-scripts plugin's `hooks_runner`, a
 * storage plugin's own calls): its declaration in Ganeti's call-table form — name, timeout
 * class, positional arguments with schemas — and the handler the node daemon runs. The
 * master's RPC client learns the same declaration, so arguments are checked on both ends.
 * The handler returns the payload (`[true, payload]` on the wire) or throws a GanetiError
 * (`[false, message]`); it gets the node's context, whose signal aborts when the caller goes.
 */
export interface RpcProcedure {
  readonly call: RpcCallDef;
  handler(args: readonly unknown[], ctx: ProviderContext): unknown;
}
