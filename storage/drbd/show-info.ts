/**
 * What `drbdsetup show <minor>` (DRBD 8.4) says about a configured minor: the local backing
 * and meta devices and the two network addresses. Only these matter for deciding whether an
 * existing minor is ours. The output is drbd.conf syntax:
 *
 * ```
 * resource resource0 {
 *     net { ... }
 *     _remote_host { address ipv4 192.0.2.2:11000; }
 *     _this_host {
 *         address ipv4 192.0.2.1:11000;
 *         volume 0 { device minor 0; disk "/dev/xenvg/x.data"; meta-disk "/dev/xenvg/x.meta" [ 0 ]; ... }
 *     }
 * }
 * ```
 */
export interface ShowInfo {
  readonly localDev?: string;
  readonly metaDev?: string;
  readonly metaIndex?: number;
  /** `[host, port]` */
  readonly localAddr?: readonly [string, number];
  readonly remoteAddr?: readonly [string, number];
}

const unquote = (v: string): string => (v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);

function parseAddress(rest: string): [string, number] | undefined {
  const m = /^(?:ipv4|ipv6|ssocks|sdp)?\s*\[?([0-9a-fA-F.:]+?)\]?:(\d+)$/.exec(rest.trim());
  return m ? [m[1]!, Number(m[2])] : undefined;
}

export function parseShow(text: string): ShowInfo {
  const out: { -readonly [K in keyof ShowInfo]: ShowInfo[K] } = {};
  const stack: string[] = [];
  // Comments run to the end of the line; statements end with ';', sections open with '{'.
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    if (line.endsWith('{')) {
      stack.push(line.slice(0, -1).trim().split(/\s+/)[0]!);
      continue;
    }
    if (line === '}') {
      stack.pop();
      continue;
    }
    const stmt = /^([\w-]+)\s+(.*?);$/.exec(line);
    if (!stmt) continue;
    const [, key, value] = stmt as unknown as [string, string, string];
    const section = stack.join('/');
    if (key === 'address' && section === 'resource/_this_host') out.localAddr = parseAddress(value);
    else if (key === 'address' && section === 'resource/_remote_host') out.remoteAddr = parseAddress(value);
    else if (section === 'resource/_this_host/volume') {
      if (key === 'disk' && value !== 'none') out.localDev = unquote(value);
      else if (key === 'meta-disk' && value !== 'internal') {
        const m = /^("[^"]*"|\S+)(?:\s*\[\s*(\d+)\s*\])?$/.exec(value);
        if (m) {
          out.metaDev = unquote(m[1]!);
          if (m[2] !== undefined) out.metaIndex = Number(m[2]);
        }
      }
    }
  }
  return out;
}
