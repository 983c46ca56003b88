import { GanetiError } from '../../errors/index.js';
import { computeSsconf, niceSortBy, ssconfFileContent, type FrozenConfig } from '../../config/index.js';
import type { RpcNode } from '../../rpc/index.js';
import { VERSION } from '../../version.js';
import { LogicalUnit } from '../logical-unit.js';
import type { OpClusterVerify } from '../opcodes/definitions.js';
import { PROTOCOL_VERSION } from '../cluster-info.js';

/** Ganeti's NODE_MAX_CLOCK_SKEW: how far (s) a node's clock may be from the master's. */
export const NODE_MAX_CLOCK_SKEW = 150;

/** node_verify keys (core/node/misc.ts answers them). */
const NV_VERSION = 'version';
const NV_PLUGINS = 'plugins';
const NV_TIME = 'time';
const NV_SSCONF = 'ssconf';
const NV_CONFIG_SERIAL = 'config_serial';

/** A verify error: `[object type, code, description]` (Ganeti's CV_E* triples). */
type ErrorDescriptor = readonly [string, string, string];

/**
 * The codes this unit reports. Ganeti's own: ENODERPC, ENODEVERSION, ENODETIME,
 * ENODEFILECHECK (a master candidate's config.data is missing or older than the master's).
 * Ours: ENODESSCONF (the node's ssconf files differ from what the configuration says) and
 * ENODEPLUGINS (the node's plugins or their versions differ from the master's).
 * Instances (Ganeti's): EINSTANCEDOWN (admin up, not running on its primary),
 * EINSTANCEWRONGNODE (running on a node that is not its primary; here also an instance
 * running on its primary while its admin state is down or offline, which Ganeti leaves to
 * the watcher), ENODEORPHANINSTANCE (a node runs an instance the config does not know).
 */
export const CV = Object.freeze({
  ENODERPC: ['node', 'ENODERPC', 'Error during connection to the primary node of an instance'],
  ENODEVERSION: ['node', 'ENODEVERSION', 'Protocol version mismatch or Ganeti version mismatch'],
  ENODETIME: ['node', 'ENODETIME', 'Node returned invalid time'],
  ENODEFILECHECK: ['node', 'ENODEFILECHECK', 'Error retrieving the checksum of the node files'],
  ENODESSCONF: ['node', 'ENODESSCONF', 'The node has out-of-date ssconf files'],
  ENODEPLUGINS: ['node', 'ENODEPLUGINS', "The node's plugins differ from the master's"],
  EINSTANCEDOWN: ['instance', 'EINSTANCEDOWN', 'Instance not running on its primary node'],
  EINSTANCEWRONGNODE: ['instance', 'EINSTANCEWRONGNODE', 'Instance running on the wrong node'],
  ENODEORPHANINSTANCE: ['node', 'ENODEORPHANINSTANCE', 'Unknown instance running on a node'],
} as const satisfies Record<string, ErrorDescriptor>);

/** Ganeti's CV_ERROR / CV_WARNING. */
const ETYPE_ERROR = 'ERROR';
const ETYPE_WARNING = 'WARNING';

interface NodeLike {
  readonly uuid: string;
  readonly name: string;
  readonly primary_ip: string;
  readonly offline: boolean;
  readonly master_candidate: boolean;
  readonly drained: boolean;
  readonly group: string;
}

/**
 * OP_CLUSTER_VERIFY (Ganeti's LUClusterVerify with LUClusterVerifyGroup folded in): calls
 * node_verify on every online node (of `group_name`) in parallel and reports each problem as
 * Ganeti does, `  - ERROR: node <name>: <message>` (or `  - ERROR:ECODE:node:<name>:<message>`
 * with `error_codes`), through feedback. Codes in `ignore_errors` are reported as warnings.
 * The result is true when no error was reported. Offline nodes are skipped with a note.
 */
export class ClusterVerifyUnit extends LogicalUnit<OpClusterVerify> {
  override readonly requiresBgl = false;
  #bad = false;
  #groupUuid: string | null = null;

  override checkPrereq(): void {
    const data = this.#data();
    if (this.op.group_name === null) return;
    const g = Object.values(data.nodegroups).find((x) => x.name === this.op.group_name || x.uuid === this.op.group_name);
    if (!g) throw new GanetiError('GNT_CONFIG_UNKNOWN_OBJECT', { kind: 'node group', id: this.op.group_name });
    this.#groupUuid = g.uuid;
  }

  async exec(): Promise<boolean> {
    const data = this.#data();
    const skip = new Set(this.op.skip_checks);
    const all = niceSortBy(Object.values(data.nodes) as NodeLike[], (n) => n.name).filter((n) => this.#groupUuid === null || n.group === this.#groupUuid);
    const online = all.filter((n) => !n.offline);
    const masterUuid = data.cluster.master_node;
    const expectedSsconf = computeSsconf(data);
    const ssconfKeys = Object.keys(expectedSsconf).sort();

    const checks: Record<string, unknown> = { [NV_VERSION]: null, [NV_PLUGINS]: null, [NV_TIME]: null, [NV_CONFIG_SERIAL]: null };
    if (!skip.has('ssconf')) checks[NV_SSCONF] = ssconfKeys;

    this.ctx.feedback(`* Gathering data (${online.length} nodes)`);
    const rpc = await this.ctx.rpc();
    const targets: RpcNode[] = online.map((n) => ({ name: n.name, address: n.primary_ip }));
    const start = Date.now() / 1000;
    const hvs = data.cluster.enabled_hypervisors;
    const [results, lists] = targets.length
      ? await Promise.all([
          rpc.call<Record<string, unknown>>('node_verify', targets, [checks, data.cluster.cluster_name, data.cluster.hvparams], { signal: this.ctx.signal }),
          rpc.call<string[]>('instance_list', targets, [hvs, Object.fromEntries(hvs.map((h) => [h, data.cluster.hvparams[h] ?? {}]))], { signal: this.ctx.signal }),
        ])
      : [[], []];
    const end = Date.now() / 1000;

    this.ctx.feedback('* Verifying node status');
    const reference = new Map(this.ctx.host.plugins.map((p) => [p.name, p.version]));
    const byUuid = new Map(online.map((n, i) => [n.uuid, results[i]!]));
    for (const node of all) {
      if (node.offline) {
        this.ctx.feedback(`* Skipping offline node ${node.name}`);
        continue;
      }
      const r = byUuid.get(node.uuid)!;
      if (!r.success) {
        this.#error(CV.ENODERPC, node.name, `while contacting node: ${r.error}`);
        continue;
      }
      const res = r.payload && typeof r.payload === 'object' ? r.payload : {};
      if (!this.#verifyVersion(node, res)) continue;
      if (!skip.has('time')) this.#verifyTime(node, res, start, end);
      if (!skip.has('ssconf')) this.#verifySsconf(node, res, expectedSsconf, ssconfKeys);
      if (!skip.has('config') && node.master_candidate && node.uuid !== masterUuid) this.#verifyConfig(node, res, data.serial_no);
      if (!skip.has('plugins')) this.#verifyPlugins(node, res, reference);
    }

    this.ctx.feedback('* Verifying instance status');
    const running = new Map<string, string[] | null>();
    online.forEach((n, i) => {
      const r = lists[i];
      running.set(n.uuid, r?.success && Array.isArray(r.payload) ? r.payload : null);
      if (r && !r.success && byUuid.get(n.uuid)?.success) this.#error(CV.ENODERPC, n.name, `cannot list its instances: ${r.error}`);
    });
    this.#verifyInstances(data, all, running);
    return !this.#bad;
  }

  /** Ganeti's instance checks of LUClusterVerifyGroup, from each node's list of running instances. */
  #verifyInstances(data: FrozenConfig, nodes: readonly NodeLike[], running: ReadonlyMap<string, string[] | null>): void {
    const byName = new Map(Object.values(data.instances).map((i) => [i.name, i]));
    const inScope = new Set(nodes.map((n) => n.uuid));
    for (const inst of niceSortBy(Object.values(data.instances), (i) => i.name)) {
      if (!inScope.has(inst.primary_node) || inst.admin_state !== 'up') continue;
      const list = running.get(inst.primary_node);
      if (list && !list.includes(inst.name)) this.#error(CV.EINSTANCEDOWN, inst.name, `instance not running on its primary node ${data.nodes[inst.primary_node]?.name ?? inst.primary_node}`);
    }
    for (const node of nodes) {
      for (const name of running.get(node.uuid) ?? []) {
        const inst = byName.get(name);
        if (!inst) this.#error(CV.ENODEORPHANINSTANCE, node.name, `node is running unknown instance ${name}`);
        else if (inst.primary_node !== node.uuid) this.#error(CV.EINSTANCEWRONGNODE, inst.name, `instance should not run on node ${node.name}`);
        else if (inst.admin_state !== 'up') this.#error(CV.EINSTANCEWRONGNODE, inst.name, `instance should not run on node ${node.name} (its admin state is ${inst.admin_state})`);
      }
    }
  }

  #data(): FrozenConfig {
    if (!this.ctx.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    return this.ctx.config.data as FrozenConfig;
  }

  /** Ganeti's _VerifyNode version part: invalid data is ENODERPC, another protocol ENODEVERSION. */
  #verifyVersion(node: NodeLike, res: Record<string, unknown>): boolean {
    const v = res[NV_VERSION];
    if (!Array.isArray(v) || v.length !== 2) {
      this.#error(CV.ENODERPC, node.name, 'connection to node returned invalid data');
      return false;
    }
    if (v[0] !== PROTOCOL_VERSION) {
      this.#error(CV.ENODEVERSION, node.name, `incompatible protocol versions: master ${PROTOCOL_VERSION}, node ${String(v[0])}`);
      return false;
    }
    // As Ganeti: another release with the same protocol is a warning.
    if (v[1] !== VERSION) this.#error(CV.ENODEVERSION, node.name, `software version mismatch: master ${VERSION}, node ${String(v[1])}`, ETYPE_WARNING);
    return true;
  }

  /** Ganeti's _VerifyNodeTime: the node's clock within NODE_MAX_CLOCK_SKEW of the call's window. */
  #verifyTime(node: NodeLike, res: Record<string, unknown>, start: number, end: number): void {
    const t = res[NV_TIME];
    if (!Array.isArray(t) || t.length !== 2 || typeof t[0] !== 'number' || typeof t[1] !== 'number') {
      this.#error(CV.ENODETIME, node.name, 'Node returned invalid time');
      return;
    }
    const ntime = t[0] + t[1] / 1e6;
    let diff: string | null = null;
    if (ntime < start - NODE_MAX_CLOCK_SKEW) diff = `${Math.abs(start - ntime).toFixed(1)}s`;
    else if (ntime > end + NODE_MAX_CLOCK_SKEW) diff = `${Math.abs(ntime - end).toFixed(1)}s`;
    if (diff !== null) this.#error(CV.ENODETIME, node.name, `Node time diverges by at least ${diff} from master node time`);
  }

  #verifySsconf(node: NodeLike, res: Record<string, unknown>, expected: Readonly<Record<string, string>>, keys: readonly string[]): void {
    const got = res[NV_SSCONF];
    if (!got || typeof got !== 'object') {
      this.#error(CV.ENODESSCONF, node.name, 'node did not return its ssconf values');
      return;
    }
    const values = got as Record<string, unknown>;
    const missing = keys.filter((k) => typeof values[k] !== 'string');
    const differ = keys.filter((k) => typeof values[k] === 'string' && values[k] !== ssconfFileContent(expected[k]!));
    if (missing.length) this.#error(CV.ENODESSCONF, node.name, `missing ssconf files: ${missing.join(', ')}`);
    if (differ.length) this.#error(CV.ENODESSCONF, node.name, `ssconf values out of date: ${differ.join(', ')}`);
  }

  #verifyConfig(node: NodeLike, res: Record<string, unknown>, serial: number): void {
    const s = res[NV_CONFIG_SERIAL];
    if (typeof s !== 'number') this.#error(CV.ENODEFILECHECK, node.name, 'master candidate has no readable config.data');
    else if (s < serial) this.#error(CV.ENODEFILECHECK, node.name, `config.data is out of date: serial ${s}, master has ${serial}`);
    else if (s > serial) this.#error(CV.ENODEFILECHECK, node.name, `config.data is newer than the master's: serial ${s}, master has ${serial}`);
  }

  #verifyPlugins(node: NodeLike, res: Record<string, unknown>, reference: ReadonlyMap<string, string>): void {
    const list = res[NV_PLUGINS];
    if (!Array.isArray(list)) {
      this.#error(CV.ENODEPLUGINS, node.name, 'node did not return its plugin list');
      return;
    }
    const theirs = new Map<string, string>();
    for (const p of list as { name?: unknown; version?: unknown }[]) if (p && typeof p.name === 'string') theirs.set(p.name, String(p.version));
    const problems: string[] = [];
    const missing = [...reference.keys()].filter((n) => !theirs.has(n)).sort();
    const extra = [...theirs.keys()].filter((n) => !reference.has(n)).sort();
    if (missing.length) problems.push(`plugins missing on the node: ${missing.join(', ')}`);
    if (extra.length) problems.push(`plugins not on the master: ${extra.join(', ')}`);
    for (const [name, version] of [...reference].sort(([a], [b]) => a.localeCompare(b))) {
      const v = theirs.get(name);
      if (v !== undefined && v !== version) problems.push(`plugin ${name} version mismatch: master ${version}, node ${v}`);
    }
    for (const p of problems) this.#error(CV.ENODEPLUGINS, node.name, p);
  }

  /** Ganeti's _ErrorMsg: one feedback line; ignored codes become warnings; errors mark the run bad. */
  #error(desc: ErrorDescriptor, item: string | null, message: string, type: string = ETYPE_ERROR): void {
    const [objectType, code] = desc;
    const ltype = this.op.ignore_errors.includes(code) ? ETYPE_WARNING : type;
    this.ctx.feedback(this.op.error_codes ? `  - ${ltype}:${code}:${objectType}:${item ?? ''}:${message}` : `  - ${ltype}: ${objectType} ${item ?? ''}: ${message}`);
    if (ltype === ETYPE_ERROR) this.#bad = true;
  }
}
