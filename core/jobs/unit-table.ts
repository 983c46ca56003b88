import type { OpId, OpOf } from './opcodes/definitions.js';
import type { UnitClass } from './logical-unit.js';
import { TestDelayUnit } from './units/test-delay.js';
import { ClusterQueryUnit } from './units/cluster-query.js';
import { ClusterVerifyUnit } from './units/cluster-verify.js';
import { ClusterRedistConfUnit } from './units/cluster-redist-conf.js';
import { ClusterSetParamsUnit } from './units/cluster-set-params.js';
import { ClusterDestroyUnit } from './units/cluster-destroy.js';
import { NodeAddUnit } from './units/node-add.js';
import { NodeRemoveUnit } from './units/node-remove.js';
import { NodeSetParamsUnit } from './units/node-set-params.js';
import { NodeQueryStorageUnit } from './units/node-query-storage.js';
import { NodeModifyStorageUnit } from './units/node-modify-storage.js';
import { NodeRepairStorageUnit } from './units/node-repair-storage.js';
import { GroupAddUnit } from './units/group-add.js';
import { GroupRemoveUnit } from './units/group-remove.js';
import { GroupRenameUnit } from './units/group-rename.js';
import { GroupSetParamsUnit } from './units/group-set-params.js';
import { GroupAssignNodesUnit } from './units/group-assign-nodes.js';
import { DiskCreateUnit } from './units/disk-create.js';
import { DiskRemoveUnit } from './units/disk-remove.js';
import { DiskActivateUnit, DiskDeactivateUnit } from './units/disk-activate.js';
import { ExtStorageInstallUnit } from './units/extstorage-install.js';
import { ExtStorageDiagnoseUnit } from './units/ext-storage-diagnose.js';
import { OsDiagnoseUnit } from './units/os-diagnose.js';
import { BackupExportUnit } from './units/backup-export.js';
import { BackupRemoveUnit } from './units/backup-remove.js';
import { InstanceCreateUnit } from './units/instance-create.js';
import { InstanceRemoveUnit } from './units/instance-remove.js';
import { InstanceStartupUnit } from './units/instance-startup.js';
import { InstanceShutdownUnit } from './units/instance-shutdown.js';
import { InstanceRebootUnit } from './units/instance-reboot.js';
import { InstanceQueryDataUnit } from './units/instance-query-data.js';
import { InstanceConsoleUnit } from './units/instance-console.js';
import { InstanceActivateDisksUnit, InstanceDeactivateDisksUnit } from './units/instance-disks.js';
import { InstanceReplaceDisksUnit } from './units/instance-replace-disks.js';
import { InstanceMigrateUnit } from './units/instance-migrate.js';
import { InstanceFailoverUnit } from './units/instance-failover.js';
import { NodeEvacuateUnit, NodeMigrateUnit } from './units/node-evacuation.js';
import { InstanceMoveUnit } from './units/instance-move.js';
import { InstanceSetParamsUnit } from './units/instance-set-params.js';
import { InstanceRenameUnit } from './units/instance-rename.js';
import { InstanceReinstallUnit } from './units/instance-reinstall.js';
import { InstanceGrowDiskUnit } from './units/instance-grow-disk.js';
import { InstanceRecreateDisksUnit } from './units/instance-recreate-disks.js';
import { NetworkAddUnit } from './units/network-add.js';
import { NetworkRemoveUnit } from './units/network-remove.js';
import { NetworkSetParamsUnit } from './units/network-set-params.js';
import { NetworkConnectUnit } from './units/network-connect.js';
import { NetworkDisconnectUnit } from './units/network-disconnect.js';

/** Every opcode's logical unit; the compiler refuses an opcode without one. */
export const UNIT_TABLE: { readonly [K in OpId]: UnitClass<OpOf<K>> } = Object.freeze({
  OP_TEST_DELAY: TestDelayUnit,
  OP_CLUSTER_QUERY: ClusterQueryUnit,
  OP_CLUSTER_VERIFY: ClusterVerifyUnit,
  OP_CLUSTER_REDIST_CONF: ClusterRedistConfUnit,
  OP_CLUSTER_SET_PARAMS: ClusterSetParamsUnit,
  OP_CLUSTER_DESTROY: ClusterDestroyUnit,
  OP_NODE_ADD: NodeAddUnit,
  OP_NODE_REMOVE: NodeRemoveUnit,
  OP_NODE_SET_PARAMS: NodeSetParamsUnit,
  OP_NODE_QUERY_STORAGE: NodeQueryStorageUnit,
  OP_NODE_MODIFY_STORAGE: NodeModifyStorageUnit,
  OP_REPAIR_NODE_STORAGE: NodeRepairStorageUnit,
  OP_GROUP_ADD: GroupAddUnit,
  OP_GROUP_REMOVE: GroupRemoveUnit,
  OP_GROUP_RENAME: GroupRenameUnit,
  OP_GROUP_SET_PARAMS: GroupSetParamsUnit,
  OP_GROUP_ASSIGN_NODES: GroupAssignNodesUnit,
  OP_DISK_CREATE: DiskCreateUnit,
  OP_DISK_REMOVE: DiskRemoveUnit,
  OP_DISK_ACTIVATE: DiskActivateUnit,
  OP_DISK_DEACTIVATE: DiskDeactivateUnit,
  OP_EXT_STORAGE_INSTALL: ExtStorageInstallUnit,
  OP_EXT_STORAGE_DIAGNOSE: ExtStorageDiagnoseUnit,
  OP_OS_DIAGNOSE: OsDiagnoseUnit,
  OP_BACKUP_EXPORT: BackupExportUnit,
  OP_BACKUP_REMOVE: BackupRemoveUnit,
  OP_INSTANCE_CREATE: InstanceCreateUnit,
  OP_INSTANCE_REMOVE: InstanceRemoveUnit,
  OP_INSTANCE_STARTUP: InstanceStartupUnit,
  OP_INSTANCE_SHUTDOWN: InstanceShutdownUnit,
  OP_INSTANCE_REBOOT: InstanceRebootUnit,
  OP_INSTANCE_QUERY_DATA: InstanceQueryDataUnit,
  OP_INSTANCE_CONSOLE: InstanceConsoleUnit,
  OP_INSTANCE_ACTIVATE_DISKS: InstanceActivateDisksUnit,
  OP_INSTANCE_DEACTIVATE_DISKS: InstanceDeactivateDisksUnit,
  OP_INSTANCE_REPLACE_DISKS: InstanceReplaceDisksUnit,
  OP_INSTANCE_MIGRATE: InstanceMigrateUnit,
  OP_INSTANCE_FAILOVER: InstanceFailoverUnit,
  OP_INSTANCE_MOVE: InstanceMoveUnit,
  OP_NODE_MIGRATE: NodeMigrateUnit,
  OP_NODE_EVACUATE: NodeEvacuateUnit,
  OP_INSTANCE_SET_PARAMS: InstanceSetParamsUnit,
  OP_INSTANCE_RENAME: InstanceRenameUnit,
  OP_INSTANCE_REINSTALL: InstanceReinstallUnit,
  OP_INSTANCE_GROW_DISK: InstanceGrowDiskUnit,
  OP_INSTANCE_RECREATE_DISKS: InstanceRecreateDisksUnit,
  OP_NETWORK_ADD: NetworkAddUnit,
  OP_NETWORK_REMOVE: NetworkRemoveUnit,
  OP_NETWORK_SET_PARAMS: NetworkSetParamsUnit,
  OP_NETWORK_CONNECT: NetworkConnectUnit,
  OP_NETWORK_DISCONNECT: NetworkDisconnectUnit,
});
