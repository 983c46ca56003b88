/**
 * A small QMP client (qemu's JSON machine protocol) on the instance's unix socket: reads the
 * greeting, negotiates capabilities, sends one command at a time and returns its `return` or
 * throws its `error`; events are kept for whoever asks. Each connection is short-lived: the
 * provider keeps no state between calls, the socket is the truth.
 */
import { createConnection, type Socket } from 'node:net';
import { GanetiError } from '../../core/index.js';

export interface QmpEvent {
  readonly event: string;
  readonly data?: Record<string, unknown>;
}

export class QmpClient {
  #buf = '';
  #waiters: ((msg: Record<string, unknown>) => void)[] = [];
  #queue: Record<string, unknown>[] = [];
  readonly events: QmpEvent[] = [];
  #closed: Error | null = null;

  private constructor(
    private readonly sock: Socket,
    readonly path: string,
  ) {
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      this.#buf += chunk;
      let nl: number;
      while ((nl = this.#buf.indexOf('\n')) >= 0) {
        const line = this.#buf.slice(0, nl).trim();
        this.#buf = this.#buf.slice(nl + 1);
        if (!line) continue;
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if ('event' in msg) {
          this.events.push(msg as unknown as QmpEvent);
          continue;
        }
        const w = this.#waiters.shift();
        if (w) w(msg);
        else this.#queue.push(msg);
      }
    });
    const fail = (e: Error) => {
      this.#closed ??= e;
      for (const w of this.#waiters.splice(0)) w({ error: { class: 'Closed', desc: e.message } });
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('QMP connection closed')));
  }

  /** Connects, waits for the greeting and negotiates capabilities. */
  static async connect(path: string, timeoutMs = 10_000): Promise<QmpClient> {
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection(path);
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error(`no QMP answer on ${path} within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    const c = new QmpClient(sock, path);
    const greeting = await c.#next(timeoutMs);
    if (!('QMP' in greeting)) throw qmpError(path, 'greeting', `unexpected greeting ${JSON.stringify(greeting)}`);
    await c.execute('qmp_capabilities');
    return c;
  }

  #next(timeoutMs: number): Promise<Record<string, unknown>> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#closed) return Promise.resolve({ error: { class: 'Closed', desc: this.#closed.message } });
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve({ error: { class: 'Timeout', desc: `no answer within ${timeoutMs} ms` } });
      }, timeoutMs);
      const done = (m: Record<string, unknown>) => {
        clearTimeout(t);
        resolve(m);
      };
      this.#waiters.push(done);
    });
  }

  /** Runs one command; its `return` value, or a GNT_KVM_QMP error with qemu's description. */
  async execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    this.sock.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    const reply = await this.#next(timeoutMs);
    if ('error' in reply) {
      const e = reply['error'] as { class?: string; desc?: string };
      throw qmpError(this.path, command, `${e.class ?? 'Error'}: ${e.desc ?? 'failed'}`);
    }
    return reply['return'] as T;
  }

  close(): void {
    this.sock.destroy();
  }
}

const qmpError = (socket: string, command: string, reason: string) => new GanetiError('GNT_KVM_QMP', { command, socket, reason });

/** One command on a fresh connection. */
export async function qmp<T = unknown>(path: string, command: string, args?: Record<string, unknown>): Promise<T> {
  const c = await QmpClient.connect(path);
  try {
    return await c.execute<T>(command, args);
  } finally {
    c.close();
  }
}
