import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ganetiPaths } from '../../core/paths.js';
import { GanetiError } from '../../core/errors/index.js';
import { RpcClient } from '../../core/rpc/index.js';
import { luxiClient } from '../common/luxi.js';
import { onlineNodes, type OnlineNode } from '../common/online-nodes.js';

/** ssh's exit code when it cannot reach the host: what a node we cannot reach "returns". */
const UNREACHABLE = 255;
const RULE = '------------------------------------------------';

async function selectNodes(o: { node?: string[]; nodegroup?: string }, filterMaster: boolean): Promise<OnlineNode[]> {
  const client = luxiClient();
  try {
    return await onlineNodes(client, { ...(o.node ? { names: o.node } : {}), ...(o.nodegroup !== undefined ? { group: o.nodegroup } : {}), filterMaster });
  } finally {
    client.close();
  }
}

/**
 * `gnt-cluster command [-n node]... [-g group] [-M] [--failure-only] CMD...`: runs the command
 * on each online node, one after another, the master last, over the node RPC (run_command,
 * which only the master's certificate may call) where Ganeti uses ssh; prints Ganeti's
 * blocks (`node: <name>`, the output, `return code = N`).
 */
export async function clusterCommand(args: string[], o: { node?: string[]; nodegroup?: string; showMachineNames?: boolean; failureOnly?: boolean }): Promise<void> {
  const command = args.join(' ');
  const nodes = await selectNodes(o, false);
  const ordered = [...nodes.filter((n) => !n.master), ...nodes.filter((n) => n.master)];
  const rpc = await RpcClient.fromPaths(ganetiPaths());
  try {
    for (const node of ordered) {
      const r = await rpc.callNode<[number | null, string]>('run_command', { name: node.name, address: node.address }, [command]);
      const [code, output] = r.success ? [r.payload[0] ?? UNREACHABLE, r.payload[1]] : [UNREACHABLE, r.error];
      if (o.failureOnly && code === 0) continue;
      let out = `${RULE}\n`;
      // -M: Python's splitlines(), each line prefixed with the node name
      if (o.showMachineNames) for (const line of output === '' ? [] : output.replace(/\n$/, '').split('\n')) out += `${node.name}: ${line}\n`;
      else out += `node: ${node.name}\n${output}\n`;
      process.stdout.write(`${out}return code = ${code}\n`);
    }
  } finally {
    rpc.close();
  }
}

/**
 * `gnt-cluster copyfile [-n node]... [-g group] FILE`: sends the file (content, mode, owner,
 * times) to the same path on every other online node with upload_file. A node that refuses
 * or cannot be reached is reported on stderr; the exit code stays 0, as in Ganeti.
 */
export async function clusterCopyFile(file: string, o: { node?: string[]; nodegroup?: string }): Promise<void> {
  const path = resolve(file);
  if (!existsSync(path)) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `No such filename '${file}'` });
  const nodes = await selectNodes(o, true);
  if (nodes.length === 0) return;
  const rpc = await RpcClient.fromPaths(ganetiPaths());
  try {
    const results = await rpc.call('upload_file', nodes.map((n) => ({ name: n.name, address: n.address })), [path]);
    for (const r of results) if (!r.success) process.stderr.write(`Copy of file ${path} to node ${r.node} failed: ${r.error}\n`);
  } finally {
    rpc.close();
  }
}
