import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP, isIPv4 } from 'node:net';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { GanetiError, describeError } from '../../errors/index.js';
import { computeSsconf, type FrozenConfig, type Node } from '../../config/index.js';
import { certificateDigestOfPem, generateSignedCert, type KeyAndCert } from '../../crypto/index.js';
import { setCandidateCert, shouldSelfPromote } from '../../cluster/candidates.js';
import { NODED_PORT } from '../../cluster/distribute.js';
import { joinAccept, joinHello, type JoinSession } from '../../cluster/join-client.js';
import { parseJoinToken, type JoinFiles, type JoinToken } from '../../cluster/join-token.js';
import { PROTOCOL_VERSION } from '../cluster-info.js';
import { LogicalUnit, type HookEnvValue, type HookNodes } from '../logical-unit.js';
import type { OpNodeAdd } from '../opcodes/definitions.js';
import { checkIpv4, forceNdparams, distributeNow, findNode, instancesOn, logInfo, logWarning, nodeCertDigest, pyBool, rpcNode, type NodeView } from './node-common.js';

const OP = 'OP_NODE_ADD';
const NAME_RE = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
/** How long the master waits for a joined node to answer with the cluster certificate. */
const REJOIN_WAIT_MS = 30_000;

/**
 * OP_NODE_ADD (`gnt-node add`, Ganeti's LUNodeAdd). Checks the name and addresses against
 * the configuration, that the node answers with the master's protocol version, decides
 * whether it becomes a master candidate, adds it (or, with `readd`, resets its flags), and
 * brings it in:
 * - with `join_token`, over the join protocol: the master makes the node's client
 *   certificate and sends it with the cluster certificate, the ancillary files, ssconf and
 *   (for a candidate) config.data; the node's daemon restarts as a cluster member;
 * - without, the node's daemon already serves the cluster certificate (a readd, or a node
 *   set up by hand); a candidate's client certificate digest is asked from it.
 * If the join fails after the configuration was written, the change is undone.
 */
export class NodeAddUnit extends LogicalUnit<OpNodeAdd> {
  override readonly hookPath = 'node-add';
  override readonly hookType = 'NODE' as const;
  #token: JoinToken | null = null;
  #primary = '';
  #secondary = '';
  #existing: NodeView | undefined;
  #uuid = '';
  #group = '';
  #candidate = false;
  #masterCapable = true;
  #vmCapable = true;
  #session: JoinSession | null = null;
  #ndparams: Record<string, unknown> = {};

  override checkArguments(): void {
    const op = this.op;
    if (!NAME_RE.test(op.node_name)) throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'node_name', problem: `'${op.node_name}' is not a valid host name` });
    if (op.node_setup) throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'node_setup', problem: 'must be false: ganeti-ts sets nodes up with a join token, not over SSH' });
    if (op.readd && op.group !== null) throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'group', problem: 'cannot be given when a node is readded' });
    if (op.primary_ip !== null && !isIP(op.primary_ip)) throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'primary_ip', problem: `'${op.primary_ip}' is not an IP address` });
    if (op.secondary_ip !== null) checkIpv4(OP, 'secondary_ip', op.secondary_ip);
    this.#ndparams = op.ndparams ? forceNdparams(OP, op.ndparams) : {};
    this.#token = op.join_token === null ? null : parseJoinToken(op.join_token);
  }

  async #resolve(family: number): Promise<string> {
    if (this.op.primary_ip !== null) return this.op.primary_ip;
    try {
      return (await lookup(this.op.node_name, { family: family === 10 ? 6 : 4 })).address;
    } catch (e) {
      throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'primary_ip', problem: `is not given and '${this.op.node_name}' does not resolve (${describeError(e)})` });
    }
  }

  override async checkPrereq(): Promise<void> {
    const data = this.#data();
    const op = this.op;
    const master = data.nodes[data.cluster.master_node]!;
    const name = op.node_name;
    this.#existing = findNode(data, name);
    if (this.#existing && this.#existing.name !== name) this.#existing = undefined; // short names do not count here
    if (op.readd && name === master.name) throw new GanetiError('GNT_NODE_STATE', { node: name, problem: 'it is the master node and cannot be readded' });
    if (!op.readd && this.#existing) throw new GanetiError('GNT_NODE_EXISTS', { node: name });
    if (op.readd && !this.#existing) throw new GanetiError('GNT_NODE_UNKNOWN', { field: 'node_name', name });

    this.#primary = await this.#resolve(data.cluster.primary_ip_family);
    if (op.secondary_ip === null && data.cluster.primary_ip_family === 10)
      throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'secondary_ip', problem: 'must be given (a valid IPv4 address) when the primary address is IPv6' });
    this.#secondary = op.secondary_ip ?? this.#primary;
    if (!isIPv4(this.#secondary)) checkIpv4(OP, 'secondary_ip', this.#secondary);

    for (const n of Object.values(data.nodes)) {
      if (op.readd && n.name === name) {
        if (n.secondary_ip !== this.#secondary) throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'secondary_ip', problem: `the readded node must keep its secondary address ${n.secondary_ip}` });
        continue;
      }
      if (n.primary_ip === this.#primary || n.secondary_ip === this.#primary) throw new GanetiError('GNT_NODE_IP_CONFLICT', { field: 'primary_ip', ip: this.#primary, node: n.name });
      if (n.primary_ip === this.#secondary || n.secondary_ip === this.#secondary) throw new GanetiError('GNT_NODE_IP_CONFLICT', { field: 'secondary_ip', ip: this.#secondary, node: n.name });
    }

    const old = this.#existing;
    this.#masterCapable = op.master_capable ?? old?.master_capable ?? true;
    this.#vmCapable = op.vm_capable ?? old?.vm_capable ?? true;
    if (old && !this.#vmCapable && instancesOn(data, old.uuid).length > 0)
      throw new GanetiError('GNT_NODE_STATE', { node: name, problem: 'it is readded with vm_capable false but holds instances' });

    // single-homed (secondary = primary) or dual-homed, like the master
    const masterSingle = master.secondary_ip === master.primary_ip;
    if (masterSingle !== (this.#secondary === this.#primary))
      throw new GanetiError('GNT_OPCODE_INVALID', {
        opcode: OP,
        field: 'secondary_ip',
        problem: masterSingle ? 'the master has no secondary ip but the new node has one' : "the master has a secondary ip but the new node doesn't have one",
      });

    this.#group = old?.group ?? this.#lookupGroup(data);
    this.#uuid = old?.uuid ?? randomUUID();
    this.#candidate = this.#masterCapable && shouldSelfPromote(data, old ? [old.uuid] : []);
    await this.#checkNode();
  }

  #lookupGroup(data: FrozenConfig): string {
    const groups = Object.values(data.nodegroups);
    if (this.op.group === null) return (groups.find((g) => g.name === 'default') ?? groups.sort((a, b) => a.name.localeCompare(b.name))[0])!.uuid;
    const g = groups.find((x) => x.name === this.op.group || x.uuid === this.op.group);
    if (!g) throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'group', problem: `names no node group ('${this.op.group}')` });
    return g.uuid;
  }

  /** Reachability and protocol version: the join hello, or the version RPC. */
  async #checkNode(): Promise<void> {
    const name = this.op.node_name;
    let version: unknown;
    if (this.#token) {
      this.#session = await joinHello({ name, address: this.#primary, port: NODED_PORT }, this.#token);
      version = this.#session.hello.protocol;
      if (this.#session.hello.name !== name)
        throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'node_name', problem: `is '${name}' but the node at ${this.#primary} calls itself '${this.#session.hello.name}'` });
    } else {
      const [r] = await (await this.ctx.rpc()).call('version', [{ name, address: this.#primary, port: NODED_PORT }]);
      if (!r || !r.success)
        throw new GanetiError('GNT_NODE_UNREACHABLE', {
          node: name,
          reason: `${r?.success === false ? r.error : 'no answer'} (a node waiting in ganeti-noded --join needs --join-token)`,
        });
      version = r.payload;
    }
    if (version !== PROTOCOL_VERSION) throw new GanetiError('GNT_NODE_VERSION', { node: name, master: String(PROTOCOL_VERSION), found: String(version) });
  }

  override hooksEnv(): Record<string, HookEnvValue> {
    return {
      OP_TARGET: this.op.node_name,
      NODE_NAME: this.op.node_name,
      NODE_PIP: this.#primary,
      NODE_SIP: this.#secondary,
      MASTER_CAPABLE: pyBool(this.#masterCapable),
      VM_CAPABLE: pyBool(this.#vmCapable),
    };
  }

  override hooksNodes(): HookNodes {
    const others = Object.keys(this.#data().nodes).filter((u) => u !== this.#uuid);
    return { pre: others, post: [...others, this.#uuid] };
  }

  async exec(): Promise<null> {
    const config = this.ctx.config!;
    const before = this.#data();
    const op = this.op;
    const rpc = await this.ctx.rpc();
    if (op.readd) logInfo(this.ctx, 'Readding a node, the offline/drained flags were reset');
    if (this.#candidate) logInfo(this.ctx, 'Node will be a master candidate');

    let clientCert: KeyAndCert | null = null;
    let digest: string | null = null;
    if (this.#session) {
      clientCert = await generateSignedCert(this.ctx.host.paths.serverPem, { commonName: op.node_name, keyType: 'ec' }); // as init's (core/cluster/init.ts)
      digest = await certificateDigestOfPem(clientCert.certPem);
    } else if (this.#candidate) {
      digest = await nodeCertDigest(rpc, { name: op.node_name, primary_ip: this.#primary, offline: false });
    }

    const node: Omit<Node, 'uuid' | 'serial_no' | 'ctime' | 'mtime'> & { uuid: string } = {
      uuid: this.#uuid,
      tags: [...(this.#existing?.tags ?? [])],
      name: op.node_name,
      primary_ip: this.#primary,
      secondary_ip: this.#secondary,
      master_candidate: this.#candidate,
      offline: false,
      drained: false,
      group: this.#group,
      master_capable: this.#masterCapable,
      vm_capable: this.#vmCapable,
      ndparams: Object.fromEntries(Object.entries(this.#ndparams).filter(([, v]) => v !== null && v !== 'default')),
      powered: true,
      ...(op.hv_state ? { hv_state_static: structuredClone(op.hv_state) as Node['hv_state_static'] } : {}),
      ...(op.disk_state ? { disk_state_static: structuredClone(op.disk_state) as Node['disk_state_static'] } : {}),
    };
    await config.update((txn) => {
      if (this.#existing) Object.assign(txn.edit('nodes', this.#uuid), node);
      else txn.add('nodes', node);
      setCandidateCert(txn, this.#uuid, this.#candidate ? digest : null);
    });

    if (this.#session && clientCert) {
      try {
        await joinAccept(this.#session, await this.#joinFiles(clientCert), computeSsconf(config.data));
      } catch (e) {
        await this.#undo(before);
        throw e;
      }
      await this.#waitForDaemon(rpc);
    }
    if (op.readd && !this.#candidate && !this.#session) {
      const [r] = await rpc.call('node_demote_from_mc', [rpcNode(node)]);
      if (r && !r.success) logWarning(this.ctx, `Node failed to demote itself from master candidate status: ${r.error}`);
    }
    await distributeNow(this.ctx, rpc);
    return null;
  }

  /** What the joining node gets: the cluster and its own certificate, and the master's ancillary files. */
  async #joinFiles(client: KeyAndCert): Promise<JoinFiles> {
    const p = this.ctx.host.paths;
    const opt = (file: string) => readFile(file, 'utf8').catch(() => undefined);
    const files: Record<string, string | undefined> = {
      'server.pem': await readFile(p.serverPem, 'utf8'),
      'client.pem': client.keyPem + client.certPem,
      'hmac.key': await opt(p.hmacKey),
      'cluster-domain-secret': await opt(p.clusterDomainSecret),
      'rapi.pem': await opt(p.rapiPem),
      ...(this.#candidate ? { 'config.data': await readFile(p.configData, 'utf8') } : {}),
    };
    return Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined)) as unknown as JoinFiles;
  }

  /** Puts the node (and its certificate digest) back as it was before this job. */
  async #undo(before: FrozenConfig): Promise<void> {
    const old = before.nodes[this.#uuid];
    await this.ctx.config!.update((txn) => {
      if (old) Object.assign(txn.edit('nodes', this.#uuid), structuredClone(old));
      else txn.remove('nodes', this.#uuid);
      setCandidateCert(txn, this.#uuid, before.cluster.candidate_certs[this.#uuid] ?? null);
    });
  }

  /** The joined node restarts its daemon with the cluster certificate: wait until it answers. */
  async #waitForDaemon(rpc: Awaited<ReturnType<typeof this.ctx.rpc>>): Promise<void> {
    const end = Date.now() + REJOIN_WAIT_MS;
    let last = '';
    for (;;) {
      const [r] = await rpc.call('version', [{ name: this.op.node_name, address: this.#primary, port: NODED_PORT }], [], { timeoutMs: 5000 });
      if (r?.success) return;
      last = r && !r.success ? r.error : 'no answer';
      if (Date.now() > end) break;
      await sleep(200, undefined, { signal: this.ctx.signal });
    }
    logWarning(this.ctx, `node ${this.op.node_name} joined but its daemon does not answer with the cluster certificate yet: ${last}`);
  }

  #data(): FrozenConfig {
    if (!this.ctx.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    return this.ctx.config.data;
  }
}
