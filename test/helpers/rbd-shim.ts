/**
 * A shim for the three `rbd` subcommands this kernel cannot serve (no krbd): `map`,
 * `showmapped` and `unmap`. It is a script named `rbd`, put first in PATH; every other
 * subcommand is handed to the real rbd. `map` exports the image through qemu-storage-daemon
 * (FUSE, librbd) and attaches a loop device to that file, so the device it returns is a real
 * block device holding the real image (substrate.md). `showmapped` prints the mappings in
 * rbd's formats (`--format json`: a list of {id, pool, namespace, name, snap, device}, as
 * since Ceph mimic). `unmap <device|image>` detaches the loop device, stops the daemon and
 * removes the FUSE mount it may leave behind. Shimmed calls are logged, one JSON argv a line.
 */
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';

export interface RbdMapping {
  readonly id: string;
  readonly pool: string;
  readonly name: string;
  readonly device: string;
}

export interface RbdShim {
  /** The folder to put first in PATH. */
  readonly bin: string;
  /** The argv of every shimmed call so far, in order (`['map', '-p', 'rbd', 'img']`...). */
  calls(): Promise<string[][]>;
  /** Mappings the shim holds now. */
  mappings(): Promise<RbdMapping[]>;
  /** Unmaps whatever is still mapped and removes the shim's folder. */
  cleanup(): Promise<void>;
}

const script = (real: string, state: string, log: string): string => `#!/bin/bash
# rbd test shim (ganeti-ts test/helpers/rbd-shim.ts): map, showmapped and unmap emulated with
# qemu-storage-daemon (FUSE) + losetup; everything else is the real rbd.
set -u
REAL='${real}'
STATE='${state}'
LOG='${log}'

json_argv() {
  local out='[' sep='' a
  for a in "$@"; do a=\${a//\\\\/\\\\\\\\}; a=\${a//\\"/\\\\\\"}; out+="$sep\\"$a\\""; sep=','; done
  printf '%s]\\n' "$out"
}

case "\${1:-}" in
  map|showmapped|unmap) json_argv "$@" >> "$LOG" ;;
  *) exec "$REAL" "$@" ;;
esac

sub=$1; shift
pool='' image='' id='' format=plain
while [ $# -gt 0 ]; do
  case "$1" in
    -p|--pool) pool=$2; shift 2 ;;
    --pool=*) pool=\${1#*=}; shift ;;
    --id|--user) id=$2; shift 2 ;;
    --id=*|--user=*) id=\${1#*=}; shift ;;
    --format) format=$2; shift 2 ;;
    --format=*) format=\${1#*=}; shift ;;
    --pretty-format) shift ;;
    -*) echo "rbd: unrecognised option '$1'" >&2; exit 1 ;;
    *) [ -z "$image" ] || { echo "rbd: too many arguments" >&2; exit 1; }; image=$1; shift ;;
  esac
done
case "$image" in /dev/*) ;; */*) pool=\${image%%/*}; image=\${image#*/} ;; esac
pool=\${pool:-rbd}

# Detaches the loop device, stops the daemon, drops the FUSE mount it can leave behind.
release() {
  local d=$1 dev pid i
  if [ -f "$d/mapping" ]; then dev=$(sed -n 3p "$d/mapping"); losetup -d "$dev" 2>/dev/null; fi
  if [ -f "$d/qsd.pid" ]; then
    pid=$(cat "$d/qsd.pid")
    kill "$pid" 2>/dev/null
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null
  fi
  if grep -qs " $d/export " /proc/mounts; then umount "$d/export" || umount -l "$d/export"; fi
  rm -rf "$d"
}

rows() {
  local d p i dev
  for d in "$STATE"/*; do
    [ -f "$d/mapping" ] || continue
    { read -r p; read -r i; read -r dev; } < "$d/mapping"
    printf '%s %s %s %s\\n' "\${d##*/}" "$p" "$i" "$dev"
  done | sort -n
}

case "$sub" in
  map)
    [ -n "$image" ] || { echo "rbd: image name was not specified" >&2; exit 22; }
    if ! "$REAL" info -p "$pool" "$image" \${id:+--id "$id"} >/dev/null 2>&1; then
      echo "rbd: sysfs write failed" >&2; echo "rbd: map failed: (2) No such file or directory" >&2; exit 2
    fi
    n=0; until mkdir "$STATE/$n" 2>/dev/null; do n=$((n+1)); done
    d=$STATE/$n
    : > "$d/export"
    if ! qemu-storage-daemon --blockdev "driver=rbd,node-name=r$n,pool=$pool,image=$image\${id:+,user=$id}" \\
        --export "type=fuse,id=e$n,node-name=r$n,mountpoint=$d/export,writable=on" \\
        --pidfile "$d/qsd.pid" --daemonize </dev/null >"$d/qsd.log" 2>&1; then
      cat "$d/qsd.log" >&2; release "$d"; echo "rbd: map failed: (5) Input/output error" >&2; exit 5
    fi
    if ! dev=$(losetup -f --show "$d/export" 2>"$d/losetup.err"); then
      cat "$d/losetup.err" >&2; release "$d"; echo "rbd: map failed: (5) Input/output error" >&2; exit 5
    fi
    printf '%s\\n%s\\n%s\\n' "$pool" "$image" "$dev" > "$d/mapping"
    echo "$dev"
    ;;
  showmapped)
    if [ "$format" = json ]; then
      out='[' sep=''
      while read -r n p i dev; do
        out+="$sep{\\"id\\":\\"$n\\",\\"pool\\":\\"$p\\",\\"namespace\\":\\"\\",\\"name\\":\\"$i\\",\\"snap\\":\\"-\\",\\"device\\":\\"$dev\\"}"; sep=','
      done < <(rows)
      printf '%s]\\n' "$out"
    else
      # As rbd's plain table: the namespace column is empty, so a row splits into 5 words.
      m=$(rows)
      [ -z "$m" ] && exit 0
      printf '%-4s%-12s%-11s%-40s%-6s%s\\n' id pool namespace image snap device
      while read -r n p i dev; do printf '%-4s%-12s%-11s%-40s%-6s%s\\n' "$n" "$p" "" "$i" - "$dev"; done <<< "$m"
    fi
    ;;
  unmap)
    [ -n "$image" ] || { echo "rbd: unmap requires either image name or device path" >&2; exit 22; }
    while read -r n p i dev; do
      if [ "$image" = "$dev" ] || { [ "$image" = "$i" ] && [ "$p" = "$pool" ]; }; then release "$STATE/$n"; exit 0; fi
    done < <(rows)
    case "$image" in /dev/*) echo "rbd: '$image' is not an rbd device" >&2 ;; *) echo "rbd: $pool/$image: not a mapped image or snapshot" >&2 ;; esac
    echo "rbd: unmap failed: (22) Invalid argument" >&2
    exit 22
    ;;
esac
`;

/** Writes the shim under `dir` (which the caller made and removes). */
export async function installRbdShim(dir: string): Promise<RbdShim> {
  const real = (await runChecked(['sh', '-c', 'command -v rbd'])).stdout.trim();
  const bin = join(dir, 'bin');
  const state = join(dir, 'mapped');
  const log = join(dir, 'calls.log');
  await mkdir(bin, { recursive: true });
  await mkdir(state, { recursive: true });
  await writeFile(log, '');
  await writeFile(join(bin, 'rbd'), script(real, state, log));
  await chmod(join(bin, 'rbd'), 0o755);

  const mappings = async (): Promise<RbdMapping[]> => {
    const out: RbdMapping[] = [];
    for (const id of await readdir(state).catch(() => [])) {
      const text = await readFile(join(state, id, 'mapping'), 'utf8').catch(() => null);
      if (text === null) continue;
      const [pool = '', name = '', device = ''] = text.split('\n');
      out.push({ id, pool, name, device });
    }
    return out;
  };

  return {
    bin,
    async calls() {
      const text = await readFile(log, 'utf8');
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
    },
    mappings,
    async cleanup() {
      // unmap needs no cluster: it only detaches the loop device and stops the daemon.
      for (const m of await mappings()) await run([join(bin, 'rbd'), 'unmap', m.device]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
