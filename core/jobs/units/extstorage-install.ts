import { GanetiError } from '../../errors/index.js';
import { niceSortBy } from '../../config/index.js';
import { ALL_SET, LogicalUnit } from '../logical-unit.js';
import type { OpExtStorageInstall } from '../opcodes/definitions.js';
import { configData, requireGroup } from './group-params.js';
import { rpcNode, type NodeView } from './node-common.js';
import { PROVIDER_NAME_RE } from '../../storage/provider-name.js';

/** `[node name, installed folder]` per node. */
export type InstallResult = [string, string][];

/**
 * OP_EXT_STORAGE_INSTALL: the provider folder goes to every online vm_capable node (of the
 * group when given) in one parallel RPC. Nodes that fail are listed in the error; the others
 * keep the new folder (it is a per-node file copy, nothing in the config changes).
 */
export class ExtStorageInstallUnit extends LogicalUnit<OpExtStorageInstall> {
  override readonly requiresBgl = false;
  #nodes: NodeView[] = [];

  override checkArguments(): void {
    if (!PROVIDER_NAME_RE.test(this.op.provider))
      throw new GanetiError('GNT_ES_INSTALL_INVALID', { provider: this.op.provider, reason: 'a provider name is one folder name (letters, digits, . _ + -)' });
    if (!this.op.files.some(([rel]) => rel === 'parameters.list'))
      throw new GanetiError('GNT_ES_INSTALL_INVALID', { provider: this.op.provider, reason: 'it has no parameters.list, so it is not an ExtStorage provider' });
  }

  override expandNames(): void {
    this.neededLocks = { node: ALL_SET };
    this.shareLocks = { node: true };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    const group = this.op.group_name === null ? null : requireGroup(data, this.op.group_name);
    this.#nodes = niceSortBy(
      Object.values(data.nodes).filter((n) => !n.offline && n.vm_capable !== false && (!group || n.group === group.uuid)),
      (n) => n.name,
    );
  }

  async exec(): Promise<InstallResult> {
    const rpc = await this.ctx.rpc();
    this.ctx.feedback(`* installing ExtStorage provider ${this.op.provider} on ${this.#nodes.length} node(s)`);
    const results = await rpc.call<string>('extstorage_install', this.#nodes.map((n) => rpcNode(n)), [this.op.provider, this.op.files], { signal: this.ctx.signal });
    const failed = results.filter((r) => !r.success).map((r) => (r.success ? '' : `${r.node} (${r.error})`));
    if (failed.length) throw new GanetiError('GNT_ES_INSTALL_FAILED', { provider: this.op.provider, nodes: failed.join('; ') });
    return results.map((r) => [r.node, r.success ? r.payload : '']);
  }
}
