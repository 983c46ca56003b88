import { deflateSync, inflateSync } from 'node:zlib';
import { isAbsolute, normalize, relative, sep } from 'node:path';
import { GanetiError, describeError } from '../errors/index.js';
import type { GanetiPaths } from '../paths.js';

/**
 * Wire encodings of RPC arguments (interfaces §9.1, Ganeti's lib/rpc/node.py and backend.py).
 *
 * ED_COMPRESS: `[0, data]` for data under 512 bytes, else `[1, base64(zlib(data, level 3))]`.
 * Data that is not valid UTF-8 is always compressed (JSON carries only text).
 *
 * Virtual paths: a path crosses the wire relative to the sender's root prefix (what Ganeti's
 * vcluster.MakeVirtualPath does), and the receiving node puts its own root in front
 * (LocalizeVirtualPath). With the default root `/` both are the identity.
 */

export const RPC_ENCODING_NONE = 0;
export const RPC_ENCODING_ZLIB_BASE64 = 1;
/** Below this size data goes uncompressed. */
export const COMPRESS_THRESHOLD = 512;

export type CompressedData = readonly [typeof RPC_ENCODING_NONE, string] | readonly [typeof RPC_ENCODING_ZLIB_BASE64, string];

const isUtf8 = (b: Buffer) => Buffer.from(b.toString('utf8'), 'utf8').equals(b);

export function compressData(data: string | Uint8Array): CompressedData {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < COMPRESS_THRESHOLD && (typeof data === 'string' || isUtf8(buf)))
    return [RPC_ENCODING_NONE, typeof data === 'string' ? data : buf.toString('utf8')];
  return [RPC_ENCODING_ZLIB_BASE64, deflateSync(buf, { level: 3 }).toString('base64')];
}

export const isCompressedData = (v: unknown): v is CompressedData =>
  Array.isArray(v) && v.length === 2 && (v[0] === RPC_ENCODING_NONE || v[0] === RPC_ENCODING_ZLIB_BASE64) && typeof v[1] === 'string';

/** Decodes an ED_COMPRESS value to bytes; GNT_RPC_ENCODING when it is malformed. */
export function decompressData(value: unknown, what = 'the data'): Buffer {
  if (!Array.isArray(value) || value.length !== 2)
    throw new GanetiError('GNT_RPC_ENCODING', { what, problem: 'expected a pair [encoding, content]' });
  const [encoding, content] = value as unknown[];
  if (typeof content !== 'string') throw new GanetiError('GNT_RPC_ENCODING', { what, problem: 'the content is not a string' });
  if (encoding === RPC_ENCODING_NONE) return Buffer.from(content, 'utf8');
  if (encoding === RPC_ENCODING_ZLIB_BASE64) {
    try {
      return inflateSync(Buffer.from(content, 'base64'));
    } catch (e) {
      throw new GanetiError('GNT_RPC_ENCODING', { what, problem: `zlib data is corrupt: ${describeError(e)}` }, { cause: e });
    }
  }
  throw new GanetiError('GNT_RPC_ENCODING', { what, problem: `unknown data encoding ${JSON.stringify(encoding)}` });
}

/** The wire form of a local path: the path under `paths.root`, absolute (`/var/lib/ganeti/...`). */
export function toVirtualPath(paths: Pick<GanetiPaths, 'root'>, local: string): string {
  if (!isAbsolute(local)) throw new GanetiError('GNT_NODED_FILE_REFUSED', { file: local, reason: 'Path is not absolute' });
  const rel = relative(paths.root, normalize(local));
  if (rel === '') return '/';
  if (rel.startsWith('..') || isAbsolute(rel)) throw new GanetiError('GNT_NODED_FILE_REFUSED', { file: local, reason: `Path is not below the root ${paths.root}` });
  return `/${rel.split(sep).join('/')}`;
}

/** The local form of a wire path on this node: under this node's root; `..` cannot leave it. */
export function localizeVirtualPath(paths: Pick<GanetiPaths, 'under'>, virtual: string): string {
  if (typeof virtual !== 'string' || !virtual.startsWith('/')) throw new GanetiError('GNT_NODED_FILE_REFUSED', { file: String(virtual), reason: 'Path is not absolute' });
  if (virtual.includes('\0')) throw new GanetiError('GNT_NODED_FILE_REFUSED', { file: virtual.replace(/\0/g, '\\0'), reason: 'Path contains a NUL byte' });
  // normalize resolves `..` against `/`, so the result stays under the root
  return paths.under(normalize(virtual));
}
