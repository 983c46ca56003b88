import { GanetiError } from '../../errors/index.js';
import type { ParamDict } from '../../config/index.js';
import type { InstanceView } from '../../instance/runtime.js';
import type { UnitContext } from '../logical-unit.js';
import { configData } from './group-params.js';
import { requireNode, rpcNode, runtimeOf, wireDisks, type NodeView } from './instance-common.js';
import { filledOsParams } from './instance-os.js';
import { relayExportFile } from './export-transfer.js';
import type { ExportInfo } from './export-ini.js';

/**
 * Fills a new instance's disks from an export (gnt-backup import): each dump goes through the
 * OS import script on the primary. A dump on another node is first copied into
 * `<name>.incoming` on the primary, which is removed afterwards.
 */
export async function importDisks(ctx: UnitContext, inst: InstanceView, info: ExportInfo, src: NodeView, dir: string): Promise<void> {
  const data = configData(ctx.config);
  const pnode = requireNode(data, inst.primary_node, inst.primary_node);
  const rpc = await ctx.rpc();
  const local = src.uuid === pnode.uuid;
  const staging = `${inst.name}.incoming`;
  const osInfo = { osparams: filledOsParams(data, inst.os, inst.osparams, inst.osparams_private ?? {}) as ParamDict, ctime: inst.ctime, mtime: inst.mtime };
  try {
    for (const [i] of inst.disks.entries()) {
      const dump = info.disks[i]!.dump;
      const srcFile = `${dir.replace(/\/+$/, '')}/${dump}`;
      ctx.feedback(`* importing disk/${i} from ${src.name}:${srcFile}`);
      let file = srcFile;
      if (!local) {
        file = `${staging}/${dump}`;
        await relayExportFile(ctx, src, srcFile, pnode, file);
      }
      const r = await rpc.callNode('instance_os_import', rpcNode(pnode), [runtimeOf(ctx, data, inst), wireDisks(ctx, data, inst, pnode), osInfo, i, file], { signal: ctx.signal });
      if (!r?.success) throw new GanetiError('GNT_INSTANCE_FAILED', { instance: inst.name, action: `import disk/${i} of`, node: pnode.name, reason: r?.error ?? 'no answer' });
    }
  } finally {
    if (!local) await rpc.callNode('export_remove', rpcNode(pnode), [staging]).catch(() => undefined);
  }
}
