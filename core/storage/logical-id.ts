/**
 * Logical ids of new disks (interfaces §10.1), as Ganeti generates them: names built from a
 * unique id plus the template and index (`<uuid>.ext.disk0`), folders from the cluster's
 * storage directories. A template that core does not know gets `[template]`; its provider's
 * `create` returns the completed id, which the master records.
 */
import { join } from 'node:path';
import type { DeepReadonly, Cluster } from '../config/index.js';
import type { LogicalId } from '../contracts/storage.js';
import { GanetiError } from '../errors/index.js';

export interface NewDiskRequest {
  readonly template: string;
  readonly uuid: string;
  readonly index: number;
  /** Ganeti's disk spec keys that end up in the logical id. */
  readonly vg?: string;
  readonly provider?: string;
  readonly adopt?: string;
}

const need = (template: string, key: string, why: string): never => {
  throw new GanetiError('GNT_PARAM_MISSING', { owner: `a ${template} disk`, param: `${key} (${why})` });
};

export function newLogicalId(r: NewDiskRequest, cluster: DeepReadonly<Cluster>): LogicalId {
  const name = (tag: string) => `${r.uuid}.${tag}disk${r.index}`;
  switch (r.template) {
    case 'plain':
      return [r.vg || cluster.volume_group_name || need('plain', 'vg', 'the cluster has no volume group'), name('')];
    case 'file':
      return ['loop', join(cluster.file_storage_dir ?? need('file', 'file_storage_dir', 'the cluster has none'), name('file.'))];
    case 'sharedfile':
      return ['loop', join(cluster.shared_file_storage_dir ?? need('sharedfile', 'shared_file_storage_dir', 'the cluster has none'), name('sharedfile.'))];
    case 'gluster':
      return ['loop', join(cluster.gluster_storage_dir ?? need('gluster', 'gluster_storage_dir', 'the cluster has none'), name('gluster.'))];
    case 'blockdev':
      return ['manual', r.adopt ?? need('blockdev', 'adopt', 'the block device to use')];
    case 'rbd':
      return ['rbd', name('rbd.')];
    case 'ext':
      return [r.provider ?? need('ext', 'provider', 'the ExtStorage provider'), name('ext.')];
    default:
      return [r.template];
  }
}
