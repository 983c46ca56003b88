/**
 * The mirror operations of drbd (StorageMirror): network disconnect/reconnect for migration
 * and replace-disks, local disk replacement, and resync control.
 */
import { GanetiError, type DiskSpec, type StorageMirror } from '../../core/index.js';
import { detachCmd, disconnectCmd, pauseSyncCmd, resumeSyncCmd, type NetEnd } from './commands.js';
import {
  assembleLocal, assembleNet, checkMetaSize, childPaths, configuredStatus, initMeta, minorStatus, netEnd, readProcDrbd, retry, runAll, setMinorSyncParams,
  show, unusedMinor,
} from './device.js';
import { drbdEnd } from './dyn-params.js';
import { TEMPLATE } from './logical-id.js';
import { drbdParams } from './params.js';
import { isInUse } from './proc-drbd.js';

/** How long a disconnect may take to show as StandAlone (Ganeti's net reconfiguration timeout). */
const NET_RECONFIG_TIMEOUT_MS = 60_000;

function requireNet(spec: DiskSpec, action: string): NetEnd {
  const net = netEnd(drbdEnd(spec));
  if (!net) throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: spec.uuid, reason: `${action} needs local-ip and remote-ip in dyn_params` });
  return net;
}

const stateError = (spec: DiskSpec, minor: number, action: string, state: string) =>
  new GanetiError('GNT_DRBD_STATE', { disk: spec.uuid, minor: String(minor), action, state });

export const drbdMirror: StorageMirror = {
  async disconnectNet(disk, ctx) {
    const { minor } = drbdEnd(disk);
    const net = requireNet(disk, 'disconnecting');
    await configuredStatus(ctx, disk, minor, 'disconnect it');
    // A disconnect can be lost when the peer disconnects at the same moment: repeat it until
    // the device is StandAlone.
    let lastError = '';
    const standalone = await retry(ctx, async () => {
      if ((await minorStatus(ctx, minor))?.cstate === 'StandAlone') return true;
      const r = await ctx.run(disconnectCmd(net));
      if (!r.ok) lastError = r.all.trim();
      return (await minorStatus(ctx, minor))?.cstate === 'StandAlone';
    }, 200, NET_RECONFIG_TIMEOUT_MS);
    if (!standalone) throw stateError(disk, minor, 'disconnect', `still not StandAlone after ${NET_RECONFIG_TIMEOUT_MS / 1000} s${lastError ? ` (${lastError})` : ''}`);
  },

  async attachNet(disk, multimaster, ctx) {
    const end = drbdEnd(disk);
    const net = requireNet(disk, 'attaching the network');
    const status = await configuredStatus(ctx, disk, end.minor, 'connect it');
    if (status.cstate !== 'StandAlone') throw stateError(disk, end.minor, 'attach the network', `it is ${status.cstate}, not StandAlone`);
    await assembleNet(ctx, disk, end, net, drbdParams(disk.params), multimaster);
  },

  async addChildren(disk, children, ctx) {
    const { minor } = drbdEnd(disk);
    const params = drbdParams(disk.params);
    await configuredStatus(ctx, disk, minor, 'add local disks');
    const paths = childPaths(disk, children);
    if (!paths) throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: disk.uuid, reason: 'adding children needs the data and meta devices' });
    const info = await show(ctx, minor);
    if (info.localDev !== undefined) throw stateError(disk, minor, 'add local disks', `it is already attached to ${info.localDev}`);
    await checkMetaSize(ctx, disk, paths.meta);
    // drbdmeta refuses a minor in use, and ours is: name a free one.
    await initMeta(ctx, unusedMinor(await readProcDrbd(ctx), disk), paths.meta);
    await assembleLocal(ctx, disk, minor, paths.data, paths.meta, params);
  },

  async removeChildren(disk, _children, ctx) {
    const { minor } = drbdEnd(disk);
    await configuredStatus(ctx, disk, minor, 'remove local disks');
    // Already diskless: nothing to detach.
    if ((await show(ctx, minor)).localDev === undefined) return;
    await runAll(ctx, [detachCmd(minor)]);
  },

  async setSyncParams(disk, params, ctx) {
    const { minor } = drbdEnd(disk);
    if (!isInUse(await minorStatus(ctx, minor))) return [`drbd${minor} is not assembled on node ${ctx.nodeName}; resync parameters not set`];
    return setMinorSyncParams(ctx, minor, drbdParams({ ...disk.params, ...params }));
  },

  async pauseResumeSync(disk, pause, ctx) {
    const { minor } = drbdEnd(disk);
    await configuredStatus(ctx, disk, minor, pause ? 'pause its resync' : 'resume its resync');
    await runAll(ctx, [pause ? pauseSyncCmd(minor) : resumeSyncCmd(minor)]);
  },
};
