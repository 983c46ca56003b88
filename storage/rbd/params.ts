/**
 * The rbd disk parameters (Ganeti's diskparams for rbd): the pool, the access mode and the
 * Ceph client id. The master fills them from cluster and group defaults; here they are read
 * and checked again, because they end up in argv.
 */
import type { DiskSpec, ParamsSchema } from '../../core/index.js';
import { imageName, invalidDisk, isSafeName } from './logical-id.js';

export const ACCESS_MODES = Object.freeze(['kernelspace', 'userspace'] as const);
export type AccessMode = (typeof ACCESS_MODES)[number];

export const RBD_PARAMS: ParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    pool: { type: 'string', default: 'rbd', description: 'RADOS pool holding the disk images' },
    access: {
      type: 'string',
      enum: [...ACCESS_MODES],
      default: 'kernelspace',
      description: 'kernelspace: map the image as a block device (rbd map); userspace: the hypervisor opens it through librbd (kvm rbd: URI)',
    },
    'user-id': { type: 'string', default: '', description: 'Ceph client id given to rbd as --id (empty: the client.admin default)' },
  },
};

/** One disk as rbd sees it. */
export interface RbdImage {
  readonly pool: string;
  readonly name: string;
  readonly access: AccessMode;
  /** '' when rbd uses its default client id. */
  readonly userId: string;
  /** `pool/name`, for messages. */
  readonly label: string;
}

/** The disk's image and parameters, checked; a missing parameter takes Ganeti's default. */
export function rbdImage(spec: DiskSpec): RbdImage {
  const name = imageName(spec);
  const { pool = 'rbd', access = 'kernelspace', 'user-id': userId = '' } = spec.params;
  if (!isSafeName(pool)) throw invalidDisk(spec.uuid, `parameter 'pool' ${JSON.stringify(pool)} is not a valid pool name`);
  if (!ACCESS_MODES.includes(access as AccessMode))
    throw invalidDisk(spec.uuid, `parameter 'access' must be ${ACCESS_MODES.join(' or ')}, not ${JSON.stringify(access)}`);
  if (userId !== '' && !isSafeName(userId)) throw invalidDisk(spec.uuid, `parameter 'user-id' ${JSON.stringify(userId)} is not a valid Ceph client id`);
  return { pool, name, access: access as AccessMode, userId: userId as string, label: `${pool}/${name}` };
}
