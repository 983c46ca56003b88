import { userInfo } from 'node:os';
import { run } from '../exec/index.js';

/**
 * User and group names <-> ids, as the system resolves them (NSS, through `getent`), for
 * upload_file: the master sends the owner's names, the node maps them to its own ids
 * (Ganeti's runtime.GetEnts LookupUid/LookupUser). Results are cached per process.
 */

type Db = 'passwd' | 'group';
const cache = new Map<string, { name: string; id: number } | null>();

async function getent(db: Db, key: string): Promise<{ name: string; id: number } | null> {
  const k = `${db}:${key}`;
  if (cache.has(k)) return cache.get(k)!;
  let found: { name: string; id: number } | null = null;
  const r = await run(['getent', db, key], { timeoutMs: 10_000 });
  if (r.ok) {
    const fields = r.stdout.split('\n')[0]!.split(':');
    const id = Number(fields[2]);
    if (fields[0] && Number.isInteger(id)) found = { name: fields[0], id };
  } else if (r.notFound) {
    // no getent: at least know ourselves
    const me = userInfo();
    const myId = db === 'passwd' ? me.uid : me.gid;
    if (key === String(myId) || (db === 'passwd' && key === me.username)) found = { name: db === 'passwd' ? me.username : String(me.gid), id: myId };
  }
  cache.set(k, found);
  return found;
}

/** The uid of a user name, or null when the system does not know it. */
export const lookupUid = async (name: string): Promise<number | null> => (/^\d+$/.test(name) ? null : ((await getent('passwd', name))?.id ?? null));
/** The gid of a group name, or null. */
export const lookupGid = async (name: string): Promise<number | null> => (/^\d+$/.test(name) ? null : ((await getent('group', name))?.id ?? null));
/** The name of a uid, or null. */
export const lookupUserName = async (uid: number): Promise<string | null> => (await getent('passwd', String(uid)))?.name ?? null;
/** The name of a gid, or null. */
export const lookupGroupName = async (gid: number): Promise<string | null> => (await getent('group', String(gid)))?.name ?? null;
