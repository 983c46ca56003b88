/**
 * Parser of /proc/drbd (DRBD 8.x): the version line, then one entry a minor, e.g.
 *
 * ```
 * version: 8.4.11 (api:1/proto:86-101)
 *  0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
 *     ns:... oos:655360
 *         [======>.............] sync'ed: 37.5% (655360/1048576)K
 *         finish: 0:01:05 speed: 10,080 (10,080) K/sec
 *  3: cs:Unconfigured
 * ```
 * Continuation lines belong to the minor above them. The connection state (cs), roles (ro,
 * `st` before 8.3) and disk states (ds) give Ganeti's health view of a device.
 */
import { GanetiError } from '../../core/index.js';

/** Connection states in which a resync is going on or about to start. */
const SYNC_STATES = new Set(['WFReportParams', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID', 'SyncSource', 'SyncTarget', 'PausedSyncS', 'PausedSyncT']);

export interface DrbdVersion {
  readonly major: number;
  readonly minor: number;
  readonly point: number;
  readonly api: number;
  readonly proto: number;
}

export interface MinorStatus {
  readonly minor: number;
  /** Connection state: `Unconfigured`, `StandAlone`, `WFConnection`, `Connected`, `SyncSource`... */
  readonly cstate: string;
  readonly localRole: string | null;
  readonly peerRole: string | null;
  readonly localDisk: string | null;
  readonly peerDisk: string | null;
  /** Resync progress; 0 while a resync is starting and no figure is shown yet; null otherwise. */
  readonly syncPercent: number | null;
  /** Seconds to the end of the resync (the `finish:` figure), null when not shown. */
  readonly estimatedTime: number | null;
}

export interface ProcDrbd {
  readonly version: DrbdVersion;
  readonly minors: ReadonlyMap<number, MinorStatus>;
}

const VERSION_RE = /^version: (\d+)\.(\d+)\.(\d+)\S* \(api:(\d+)\/proto:(\d+)(?:-\d+)?\)/;
const ENTRY_RE = /^\s*(\d+): cs:(\S+)/;
const STATE_RE = /^\s*\d+:\s*cs:(\S+)\s+(?:st|ro):([^/\s]+)\/(\S+)\s+ds:([^/\s]+)\/(\S+)/;
// A kernel bug once printed "M" right before "finish:", hence the (?:\s|M).
const SYNC_RE = /\ssync'ed:\s*([0-9.]+)%.*(?:\s|M)finish: (\d+):(\d+):(\d+)\s/;

export const isInUse = (s: MinorStatus | undefined): boolean => s !== undefined && s.cstate !== 'Unconfigured';
export const isInResync = (s: MinorStatus): boolean => SYNC_STATES.has(s.cstate);

function parseEntry(minor: number, text: string, file: string): MinorStatus {
  const cs = ENTRY_RE.exec(text)![2]!;
  if (cs === 'Unconfigured')
    return { minor, cstate: cs, localRole: null, peerRole: null, localDisk: null, peerDisk: null, syncPercent: null, estimatedTime: null };
  const m = STATE_RE.exec(text);
  if (!m) throw new GanetiError('GNT_DRBD_STATUS_UNREADABLE', { file, reason: `cannot parse the entry of minor ${minor}: ${JSON.stringify(text.trim())}` });
  const base = { minor, cstate: cs, localRole: m[2]!, peerRole: m[3]!, localDisk: m[4]!, peerDisk: m[5]! };
  const sync = SYNC_RE.exec(`${text} `);
  if (sync) {
    const [h, mi, s] = [sync[2], sync[3], sync[4]].map(Number) as [number, number, number];
    return { ...base, syncPercent: Number(sync[1]), estimatedTime: h * 3600 + mi * 60 + s };
  }
  // cmdlib decides whether to wait for a resync by the percent, so a starting resync says 0.
  return { ...base, syncPercent: SYNC_STATES.has(cs) ? 0 : null, estimatedTime: null };
}

/** Parses the text of /proc/drbd (`file` names it in errors). */
export function parseProcDrbd(text: string, file = '/proc/drbd'): ProcDrbd {
  const lines = text.split('\n');
  const first = lines.find((l) => l.trim() !== '');
  const v = first === undefined ? null : VERSION_RE.exec(first.trim());
  if (!v) throw new GanetiError('GNT_DRBD_STATUS_UNREADABLE', { file, reason: `no DRBD version line (found ${JSON.stringify(first ?? '')})` });
  const version = { major: Number(v[1]), minor: Number(v[2]), point: Number(v[3]), api: Number(v[4]), proto: Number(v[5]) };
  const entries: [number, string][] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const e = ENTRY_RE.exec(line);
    if (e) entries.push([Number(e[1]), line]);
    else if (entries.length > 0) entries[entries.length - 1]![1] += ` ${line.trim()}`;
  }
  return { version, minors: new Map(entries.map(([minor, joined]) => [minor, parseEntry(minor, joined, file)])) };
}
