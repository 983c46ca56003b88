/**
 * The fake hypervisor's only "virtual machine": one JSON file per instance, as Ganeti's
 * hv_fake keeps one file per instance under `<runDir>/fake-hv/`. A file there means "the
 * instance runs on this node"; a file under `incoming/` means "accepted, waiting for the
 * migration to finish". Each node has its own root, so two nodes on one machine never share
 * these folders.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GanetiError, describeError, type AttachedNic, type GanetiPaths, type HvDisk, type ProviderContext } from '../../core/index.js';

export const HV_NAME = 'fake';

/** What the state file of a running (or incoming) fake instance holds. */
export interface FakeInstanceState {
  readonly name: string;
  readonly uuid: string;
  /** Current memory, MiB (startup memory, then whatever ballooning set). */
  readonly memory: number;
  readonly vcpus: number;
  /** `shutdown` only when someone edits the file to simulate a guest that powered itself off. */
  readonly state: 'running' | 'shutdown';
  readonly paused: boolean;
  /** ISO 8601 times. */
  readonly started: string;
  readonly reboots: number;
  readonly rebooted: string | null;
  readonly disks: readonly HvDisk[];
  /** The NICs as connected, so stop disconnects exactly what start connected. */
  readonly nics: readonly AttachedNic[];
  /** Set on the source by `migrate`, until the migration is finalized. */
  readonly migration?: {
    readonly target: string;
    readonly ip: string;
    readonly live: boolean;
    readonly started: string;
  };
}

export const stateDir = (paths: GanetiPaths): string => join(paths.runDir, 'fake-hv');
export const incomingDir = (paths: GanetiPaths): string => join(stateDir(paths), 'incoming');

const STATE_SUFFIX = '.json';

/** Instance names become file names: refuse anything that could leave the folder. */
function fileName(instance: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(instance) || instance.length > 255 - STATE_SUFFIX.length) {
    throw new GanetiError('GNT_HV_FAILED', { hypervisor: HV_NAME, action: `use instance name '${instance}'`, reason: 'it cannot name a state file' });
  }
  return instance + STATE_SUFFIX;
}

export const statePath = (paths: GanetiPaths, instance: string): string => join(stateDir(paths), fileName(instance));
export const incomingPath = (paths: GanetiPaths, instance: string): string => join(incomingDir(paths), fileName(instance));

const isNotFound = (e: unknown): boolean => (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';

const fail = (action: string, e: unknown): GanetiError =>
  e instanceof GanetiError ? e : new GanetiError('GNT_HV_FAILED', { hypervisor: HV_NAME, action, reason: describeError(e) }, { cause: e });

/** Parses and checks a state document (a state file, or migration info from another node). */
export function parseState(text: string, where: string): FakeInstanceState {
  let s: Partial<FakeInstanceState>;
  try {
    s = JSON.parse(text) as Partial<FakeInstanceState>;
  } catch (e) {
    throw fail(`read ${where}`, e);
  }
  const ok =
    s !== null &&
    typeof s === 'object' &&
    typeof s.name === 'string' &&
    typeof s.memory === 'number' &&
    typeof s.vcpus === 'number' &&
    (s.state === 'running' || s.state === 'shutdown') &&
    Array.isArray(s.disks) &&
    Array.isArray(s.nics);
  if (!ok) throw fail(`read ${where}`, 'it is not a fake instance state document');
  return s as FakeInstanceState;
}

/** The state in `path`, or null when there is none. */
export async function readState(path: string): Promise<FakeInstanceState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (isNotFound(e)) return null;
    throw fail(`read ${path}`, e);
  }
  return parseState(text, path);
}

/**
 * Writes `state` to `path` atomically (temp file in the same folder, then rename), so a
 * reader sees the old file or the new one, never half of one. No fsync: the run dir holds
 * runtime state only (tmpfs on a real node), like Ganeti's.
 */
export async function writeState(path: string, state: FakeInstanceState): Promise<void> {
  const dir = join(path, '..');
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o640, flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw fail(`write ${path}`, e);
  }
}

/** Removes a state file; a missing one is fine (idempotent). */
export async function removeState(path: string): Promise<void> {
  try {
    await rm(path, { force: true });
  } catch (e) {
    throw fail(`remove ${path}`, e);
  }
}

/** Names of the instances with a state file on this node (not the incoming ones). */
export async function listStates(paths: GanetiPaths): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(stateDir(paths), { withFileTypes: true });
  } catch (e) {
    if (isNotFound(e)) return [];
    throw fail('list instances', e);
  }
  return entries
    .filter((d) => d.isFile() && !d.name.startsWith('.') && d.name.endsWith(STATE_SUFFIX))
    .map((d) => d.name.slice(0, -STATE_SUFFIX.length))
    .sort();
}

export const notRunning = (instance: string, ctx: ProviderContext): GanetiError =>
  new GanetiError('GNT_HV_INSTANCE_NOT_RUNNING', { hypervisor: HV_NAME, instance, node: ctx.nodeName });

/** The state of an instance that runs here (not shut down), or GNT_HV_INSTANCE_NOT_RUNNING. */
export async function runningState(instance: string, ctx: ProviderContext): Promise<FakeInstanceState> {
  const state = await readState(statePath(ctx.paths, instance));
  if (!state || state.state !== 'running') throw notRunning(instance, ctx);
  return state;
}
