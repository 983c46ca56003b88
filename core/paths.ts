import { join, resolve } from 'node:path';

/**
 * Every file system path ganeti-ts uses, derived from one root prefix (`GANETI_ROOT`, default
 * `/`). Several nodes on one machine each get their own root; tests and the demo rely on it.
 * The layout under the root is Ganeti's (localstatedir=/var, sysconfdir=/etc).
 */
export interface GanetiPaths {
  readonly root: string;
  readonly dataDir: string;
  readonly confDir: string;
  readonly logDir: string;
  readonly runDir: string;
  readonly socketDir: string;
  readonly lockDir: string;
  /** LUXI socket of the master daemon. */
  readonly luxiSocket: string;
  readonly configData: string;
  readonly locksData: string;
  readonly tempresData: string;
  readonly queueDir: string;
  readonly queueArchiveDir: string;
  readonly serverPem: string;
  readonly clientPem: string;
  readonly rapiPem: string;
  readonly spicePem: string;
  readonly hmacKey: string;
  readonly clusterDomainSecret: string;
  readonly knownHosts: string;
  readonly rapiUsers: string;
  readonly hooksDir: string;
  readonly osLogDir: string;
  readonly extstorageLogDir: string;
  readonly osSearchPath: readonly string[];
  readonly extstorageSearchPath: readonly string[];
  readonly iallocatorSearchPath: readonly string[];
  readonly fileStorageDir: string;
  readonly sharedFileStorageDir: string;
  readonly glusterStorageDir: string;
  readonly instanceDir: string;
  /** Ganeti's EXPORT_DIR: one folder per instance export (`gnt-backup`). */
  readonly exportDir: string;
  readonly ssconfLock: string;
  /** `<dataDir>/ssconf_<key>` */
  ssconf(key: string): string;
  /** `<logDir>/<daemon>.log` (Ganeti names: node-daemon.log, rapi-daemon.log, ...). */
  daemonLog(daemon: string): string;
  /** Any other path under the root: `under('/srv/x')` → `<root>/srv/x`. */
  under(absolute: string): string;
}

export function ganetiPaths(root: string = process.env['GANETI_ROOT'] || '/'): GanetiPaths {
  const r = resolve(root);
  const under = (p: string) => join(r, p);
  const dataDir = under('/var/lib/ganeti');
  const logDir = under('/var/log/ganeti');
  const runDir = under('/var/run/ganeti');
  const socketDir = join(runDir, 'socket');
  const queueDir = join(dataDir, 'queue');
  return Object.freeze({
    root: r,
    dataDir,
    confDir: under('/etc/ganeti'),
    logDir,
    runDir,
    socketDir,
    lockDir: under('/var/lock'),
    luxiSocket: join(socketDir, 'ganeti-query'),
    configData: join(dataDir, 'config.data'),
    locksData: join(dataDir, 'locks.data'),
    tempresData: join(dataDir, 'tempres.data'),
    queueDir,
    queueArchiveDir: join(queueDir, 'archive'),
    serverPem: join(dataDir, 'server.pem'),
    clientPem: join(dataDir, 'client.pem'),
    rapiPem: join(dataDir, 'rapi.pem'),
    spicePem: join(dataDir, 'spice.pem'),
    hmacKey: join(dataDir, 'hmac.key'),
    clusterDomainSecret: join(dataDir, 'cluster-domain-secret'),
    knownHosts: join(dataDir, 'known_hosts'),
    rapiUsers: join(dataDir, 'rapi', 'users'),
    hooksDir: under('/etc/ganeti/hooks'),
    osLogDir: join(logDir, 'os'),
    extstorageLogDir: join(logDir, 'extstorage'),
    osSearchPath: Object.freeze([under('/srv/ganeti/os'), under('/usr/share/ganeti/os')]),
    extstorageSearchPath: Object.freeze([under('/srv/ganeti/extstorage')]),
    iallocatorSearchPath: Object.freeze([under('/usr/lib/ganeti/iallocators')]),
    fileStorageDir: under('/srv/ganeti/file-storage'),
    exportDir: under('/srv/ganeti/export'),
    sharedFileStorageDir: under('/srv/ganeti/shared-file-storage'),
    glusterStorageDir: under('/var/run/ganeti/gluster'),
    instanceDir: join(runDir, 'instances'),
    ssconfLock: under('/var/lock/ganeti-ssconf.lock'),
    ssconf: (key: string) => join(dataDir, `ssconf_${key}`),
    daemonLog: (daemon: string) => join(logDir, `${daemon}.log`),
    under,
  });
}
