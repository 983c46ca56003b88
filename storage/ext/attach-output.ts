/**
 * What an attach script prints (interfaces §2.3): line 1 the block device (empty when the
 * provider offers userspace access only), then one `<hypervisor>:<uri>` per line. Empty
 * lines among the URIs are dropped (Ganeti keeps the one a trailing newline makes; no
 * hypervisor can match it).
 */
import { stat } from 'node:fs/promises';

export interface AttachOutput {
  readonly devPath: string | null;
  readonly uris: string[];
}

export function parseAttachOutput(stdout: string): AttachOutput {
  const lines = stdout.split('\n').map((l) => l.replace(/\r$/, ''));
  const first = lines[0]!.trim();
  return { devPath: first === '' ? null : first, uris: lines.slice(1).map((l) => l.trim()).filter((l) => l !== '') };
}

/** Major and minor of a block device, or the reason it is not one. */
export async function blockDevice(path: string): Promise<{ major: number; minor: number } | string> {
  try {
    const st = await stat(path);
    if (!st.isBlockDevice()) return `printed ${path}, which is not a block device`;
    // Linux dev_t: major in bits 8-19, minor in bits 0-7 and 20-31
    const rdev = st.rdev;
    return { major: (rdev >> 8) & 0xfff, minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) };
  } catch (e) {
    return `printed ${path}, which cannot be examined (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
}

/** The URI for `hypervisor` without its prefix, matched case-insensitively as Ganeti does; null if none. */
export function uriFor(uris: readonly string[], hypervisor: string): string | null {
  const prefix = `${hypervisor.toLowerCase()}:`;
  const uri = uris.find((u) => u.slice(0, prefix.length).toLowerCase() === prefix);
  return uri === undefined ? null : uri.slice(prefix.length);
}
