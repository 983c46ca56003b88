import { createInterface } from 'node:readline';

/**
 * Ganeti's AskUser for a yes/no question: prints `<text> y/[n]/?: ` and reads one answer
 * from stdin; anything but y/yes (including end of input, e.g. no terminal) means no.
 */
export async function askUser(text: string): Promise<boolean> {
  process.stderr.write(`${text} y/[n]/?: `);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const line = await new Promise<string | null>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(null));
    });
    if (line === null) process.stderr.write('\n');
    return line !== null && /^\s*y(es)?\s*$/i.test(line);
  } finally {
    rl.close();
  }
}
