import { isIPv4 } from 'node:net';
import { GanetiError } from '../../errors/index.js';
import type { DeepReadonly, FrozenConfig, Node } from '../../config/index.js';
import { distributeConfig, NODED_PORT } from '../../cluster/distribute.js';
import { DEFAULT_NDPARAMS } from '../../cluster/defaults.js';
import type { RpcClient, RpcNode } from '../../rpc/index.js';
import { CRYPTO_ACTION_GET, CRYPTO_TYPE_SSL_DIGEST } from '../../node/role.js';
import { niceSortBy } from '../../config/index.js';
import type { UnitContext } from '../logical-unit.js';

/** What the node units (node-add, node-remove, node-set-params) share. */

export type NodeView = DeepReadonly<Node>;

/** Ganeti's LogInfo / LogWarning lines in the job log. */
export const logInfo = (ctx: UnitContext, msg: string): void => ctx.feedback(` - INFO: ${msg}`);
export const logWarning = (ctx: UnitContext, msg: string): void => ctx.feedback(` - WARNING: ${msg}`);

/** A node by UUID, full name, or unique short name (`node2` for `node2.example.org`). */
export function findNode(data: FrozenConfig, name: string, uuid: string | null = null): NodeView | undefined {
  if (uuid !== null) return data.nodes[uuid];
  const all = Object.values(data.nodes);
  const exact = all.find((n) => n.name === name || n.uuid === name);
  if (exact) return exact;
  const short = all.filter((n) => n.name.startsWith(`${name}.`));
  return short.length === 1 ? short[0] : undefined;
}

export function requireNode(data: FrozenConfig, name: string, uuid: string | null = null): NodeView {
  const n = findNode(data, name, uuid);
  if (!n) throw new GanetiError('GNT_NODE_UNKNOWN', { field: 'node_name', name: uuid ?? name });
  return n;
}

export const rpcNode = (n: Pick<NodeView, 'name' | 'primary_ip' | 'offline'>, offline = n.offline): RpcNode => ({ name: n.name, address: n.primary_ip, port: NODED_PORT, offline });

/** Instances that use a node (as primary node or through a disk). */
export function instancesOn(data: FrozenConfig, nodeUuid: string): string[] {
  const out = new Set<string>();
  for (const i of Object.values(data.instances)) {
    if (i.primary_node === nodeUuid) out.add(i.name);
    for (const d of i.disks) if (data.disks[d]?.nodes.includes(nodeUuid)) out.add(i.name);
  }
  return niceSortBy([...out], (x) => x);
}

/** The SHA1 digest of a node's client certificate, asked from its daemon (node_crypto_tokens). */
export async function nodeCertDigest(rpc: RpcClient, n: NodeView | { name: string; primary_ip: string; offline: boolean }): Promise<string> {
  const [r] = await rpc.call<[string, string][]>('node_crypto_tokens', [rpcNode(n, false)], [[[CRYPTO_TYPE_SSL_DIGEST, CRYPTO_ACTION_GET, null]]]);
  if (!r || !r.success) throw new GanetiError('GNT_NODE_UNREACHABLE', { node: n.name, reason: `cannot get its certificate digest: ${r?.success === false ? r.error : 'no answer'}` });
  const digest = r.payload.find(([t]) => t === CRYPTO_TYPE_SSL_DIGEST)?.[1];
  if (typeof digest !== 'string') throw new GanetiError('GNT_NODE_UNREACHABLE', { node: n.name, reason: 'its answer holds no certificate digest' });
  return digest;
}

/** Digests of the nodes to promote; a node that does not answer is left out, with a warning. */
export async function promotionDigests(ctx: UnitContext, rpc: RpcClient, nodes: readonly NodeView[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const n of nodes) {
    try {
      out.set(n.uuid, await nodeCertDigest(rpc, n));
    } catch (e) {
      logWarning(ctx, `cannot promote node ${n.name} to master candidate: ${(e as Error).message}`);
    }
  }
  return out;
}

/**
 * Sends ssconf and config.data now (the store also does after every write, in the
 * background): the job ends with the nodes in step. Failures are warnings.
 */
export async function distributeNow(ctx: UnitContext, rpc: RpcClient): Promise<void> {
  const r = await distributeConfig(ctx.host.paths, rpc, ctx.config!.data);
  for (const f of [...r.ssconf, ...r.config]) if (!f.success && !f.offline) logWarning(ctx, `Copy of configuration to node ${f.node} failed: ${f.error}`);
}

/**
 * Node parameters as Ganeti's ForceDictType takes them: only known keys (NDS_PARAMETER_TYPES),
 * strings from the command line turned into the key's type (`yes`/`no`, numbers); `default`
 * and null (reset) are kept. Returns the typed copy; GNT_OPCODE_INVALID names the key.
 */
export function forceNdparams(opcode: string, nd: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(nd)) {
    if (!Object.hasOwn(DEFAULT_NDPARAMS, k)) throw new GanetiError('GNT_OPCODE_INVALID', { opcode, field: `ndparams.${k}`, problem: `is not a node parameter (known: ${Object.keys(DEFAULT_NDPARAMS).join(', ')})` });
    const want = typeof DEFAULT_NDPARAMS[k as keyof typeof DEFAULT_NDPARAMS];
    let v = raw;
    if (typeof v === 'string' && v !== 'default') {
      if (want === 'boolean' && /^(yes|true|no|false)$/i.test(v)) v = /^(yes|true)$/i.test(v);
      else if (want === 'number' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
    }
    if (v !== null && v !== 'default' && typeof v !== want) throw new GanetiError('GNT_OPCODE_INVALID', { opcode, field: `ndparams.${k}`, problem: `must be a ${want}, got ${JSON.stringify(raw)}` });
    if (k === 'spindle_count' || k === 'ssh_port') if (typeof v === 'number' && !Number.isInteger(v)) throw new GanetiError('GNT_OPCODE_INVALID', { opcode, field: `ndparams.${k}`, problem: 'must be an integer' });
    out[k] = v;
  }
  return out;
}

/** Ganeti's GetUpdatedParams: `default` or null removes a key, anything else sets it. */
export function updatedParams(old: Readonly<Record<string, unknown>>, upd: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...old };
  for (const [k, v] of Object.entries(upd)) {
    if (v === null || v === 'default') delete out[k];
    else out[k] = v;
  }
  return out;
}

export const checkIpv4 = (opcode: string, field: string, ip: string): void => {
  if (!isIPv4(ip)) throw new GanetiError('GNT_OPCODE_INVALID', { opcode, field, problem: `(${ip}) needs to be a valid IPv4 address` });
};

export const pyBool = (b: boolean | null | undefined): string => (b === null || b === undefined ? 'None' : b ? 'True' : 'False');
