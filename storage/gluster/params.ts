/**
 * The gluster disk parameters (Ganeti's diskparams for gluster): where the volume's server
 * listens and the volume's name, plus the access mode. Checked here because they end up in
 * the mount argv and the qemu URI.
 */
import { isIP } from 'node:net';
import type { DiskSpec, ParamsSchema } from '../../core/index.js';
import { invalidDisk } from './logical-id.js';

export const ACCESS_MODES = Object.freeze(['kernelspace', 'userspace'] as const);
export type AccessMode = (typeof ACCESS_MODES)[number];

export const GLUSTER_PARAMS: ParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', default: '127.0.0.1', description: 'Gluster server to mount the volume from (name or IP address)' },
    volume: { type: 'string', default: 'gv0', description: 'Gluster volume holding the disk files' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 24007, description: 'glusterd port of the server' },
    access: {
      type: 'string',
      enum: [...ACCESS_MODES],
      default: 'kernelspace',
      description: 'kernelspace: the hypervisor opens the file on the FUSE mount; userspace: kvm opens gluster:// through gfapi',
    },
  },
};

export interface GlusterVolume {
  readonly host: string;
  readonly volume: string;
  readonly port: number;
  readonly access: AccessMode;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const VOLUME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The disk's volume parameters, checked; a missing parameter takes Ganeti's default. */
export function glusterVolume(spec: DiskSpec): GlusterVolume {
  const { host = '127.0.0.1', volume = 'gv0', port = 24007, access = 'kernelspace' } = spec.params;
  if (typeof host !== 'string' || !(isIP(host) || HOSTNAME.test(host))) throw invalidDisk(spec.uuid, `parameter 'host' ${JSON.stringify(host)} is not a host name or IP address`);
  if (typeof volume !== 'string' || !VOLUME.test(volume)) throw invalidDisk(spec.uuid, `parameter 'volume' ${JSON.stringify(volume)} is not a valid volume name`);
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) throw invalidDisk(spec.uuid, `parameter 'port' must be a port number (1-65535), not ${JSON.stringify(port)}`);
  if (!ACCESS_MODES.includes(access as AccessMode))
    throw invalidDisk(spec.uuid, `parameter 'access' must be ${ACCESS_MODES.join(' or ')}, not ${JSON.stringify(access)}`);
  return { host, volume, port: port as number, access: access as AccessMode };
}
