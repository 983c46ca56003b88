/**
 * Ganeti's default parameters (3.0 as Debian builds it: bridge xen-br0, volume group xenvg),
 * used when a cluster is initialised. Hypervisor defaults come from each hypervisor
 * provider's parameter schema (`default` keywords), not from here.
 */
export const DEFAULT_BEPARAMS = Object.freeze({ minmem: 128, maxmem: 128, vcpus: 1, auto_balance: true, always_failover: false, spindle_use: 1 });

export const DEFAULT_NDPARAMS = Object.freeze({
  oob_program: '',
  spindle_count: 1,
  exclusive_storage: false,
  ovs: false,
  ovs_name: 'switch1',
  ovs_link: '',
  ssh_port: 22,
  cpu_speed: 1.0,
});

export const DEFAULT_BRIDGE = 'xen-br0';
export const DEFAULT_VG = 'xenvg';
export const DEFAULT_NICPARAMS = Object.freeze({ mode: 'bridged', link: DEFAULT_BRIDGE, vlan: '' });
export const DEFAULT_MAC_PREFIX = 'aa:00:00';
export const DEFAULT_CANDIDATE_POOL_SIZE = 10;
export const DEFAULT_MAX_RUNNING_JOBS = 20;
export const DEFAULT_MAX_TRACKED_JOBS = 25;

const DRBD_SYNC_SPEED = 60 * 1024; // KiB/s
const access = { access: 'kernelspace' };

/** Disk parameters per template (Ganeti's diskDtDefaults). */
export const DEFAULT_DISKPARAMS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = Object.freeze({
  blockdev: {},
  diskless: {},
  drbd: {
    'data-stripes': 1,
    'metavg': DEFAULT_VG,
    'c-delay-target': 1,
    'disk-barriers': 'n',
    'disk-custom': '',
    'dynamic-resync': false,
    'c-fill-target': 0,
    'c-max-rate': DRBD_SYNC_SPEED,
    'meta-barriers': true,
    'meta-stripes': 1,
    'c-min-rate': 4 * 1024,
    'net-custom': '',
    'c-plan-ahead': 20,
    'protocol': 'C',
    'resync-rate': DRBD_SYNC_SPEED,
  },
  ext: access,
  file: {},
  plain: { stripes: 1 },
  rbd: { pool: 'rbd', ...access, 'user-id': '' },
  sharedfile: {},
  gluster: { ...access, host: '127.0.0.1', volume: 'gv0', port: 24007 },
});

const ISPEC_MIN = { 'memory-size': 128, 'cpu-count': 1, 'disk-count': 1, 'disk-size': 1024, 'nic-count': 1, 'spindle-use': 1 };
const ISPEC_MAX = { 'memory-size': 32768, 'cpu-count': 8, 'disk-count': 16, 'disk-size': 1024 * 1024, 'nic-count': 8, 'spindle-use': 12 };
const ISPEC_STD = { 'memory-size': 128, 'cpu-count': 1, 'disk-count': 1, 'disk-size': 1024, 'nic-count': 1, 'spindle-use': 1 };

export const ALL_DISK_TEMPLATES = Object.freeze(['diskless', 'file', 'sharedfile', 'plain', 'blockdev', 'drbd', 'rbd', 'ext', 'gluster']);

/** The instance policy (Ganeti's ipolicyDefaults). */
export const defaultIpolicy = () => ({
  minmax: [{ min: { ...ISPEC_MIN }, max: { ...ISPEC_MAX } }],
  std: { ...ISPEC_STD },
  'disk-templates': [...ALL_DISK_TEMPLATES],
  'vcpu-ratio': 4.0,
  'spindle-ratio': 32.0,
});

/** Monitoring collectors, active, every 5 s (interval in microseconds, as Ganeti stores it). */
export const defaultDataCollectors = (names: readonly string[]) =>
  Object.fromEntries(names.map((n) => [n, { active: true, interval: 5_000_000 }]));
