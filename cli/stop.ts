#!/usr/bin/env node
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';

/** `npm stop`: ends the daemons `npm start` started (SIGTERM, as an init script would). */
process.env['GANETI_ROOT'] ||= resolve('var');
const { ganetiPaths } = await import('../core/paths.js');
const paths = ganetiPaths();
for (const daemon of ['ganeti-masterd', 'ganeti-noded']) {
  const pidFile = resolve(paths.runDir, `${daemon}.pid`);
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!pid) continue;
  try {
    process.kill(pid, 'SIGTERM');
    process.stdout.write(`stopped ${daemon} (pid ${pid})\n`);
  } catch {
    await rm(pidFile, { force: true });
  }
}
