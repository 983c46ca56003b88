import { createConnection, type Socket } from 'node:net';

/** LUXI's end-of-message byte (interfaces §6). */
export const ETX = 0x03;

/**
 * A LUXI connection at the byte level, as a foreign client sees the daemon: bytes go out
 * exactly as given, and each answer comes back as the raw bytes of one frame, terminator
 * included. No ganeti-ts code is involved on this side of the socket.
 */
export class RawLuxi {
  #buffer = Buffer.alloc(0);
  #frames: Buffer[] = [];
  #waiting: { resolve(frame: Buffer): void; reject(e: Error): void } | null = null;
  #closed: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      for (let end = this.#buffer.indexOf(ETX); end !== -1; end = this.#buffer.indexOf(ETX)) {
        this.#frames.push(this.#buffer.subarray(0, end + 1));
        this.#buffer = this.#buffer.subarray(end + 1);
      }
      this.#deliver();
    });
    const closed = (why: string) => {
      this.#closed ??= new Error(why);
      this.#deliver();
    };
    socket.on('error', (e) => closed(`connection error: ${e.message}`));
    socket.on('close', () => closed('connection closed by the server'));
  }

  static connect(socketPath: string): Promise<RawLuxi> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(socketPath);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new RawLuxi(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Writes the bytes as they are. */
  send(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** The next answer frame (with its 0x03), or a rejection after `timeoutMs`. */
  next(timeoutMs = 10_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = null;
        reject(new Error(`no LUXI answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting = {
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#deliver();
    });
  }

  /** Sends `bytes` and returns the raw answer and its decoded JSON (the bytes before 0x03). */
  async request(bytes: string | Buffer, timeoutMs?: number): Promise<{ raw: Buffer; reply: { success: unknown; result: unknown } & Record<string, unknown> }> {
    this.send(bytes);
    const raw = await this.next(timeoutMs);
    return { raw, reply: JSON.parse(raw.subarray(0, -1).toString('utf8')) as { success: unknown; result: unknown } };
  }

  close(): void {
    this.socket.destroy();
  }

  #deliver(): void {
    const w = this.#waiting;
    if (!w) return;
    const frame = this.#frames.shift();
    if (frame) {
      this.#waiting = null;
      w.resolve(frame);
    } else if (this.#closed) {
      this.#waiting = null;
      w.reject(this.#closed);
    }
  }
}

/**
 * A request as Ganeti 3.0's Python client puts it on the wire (lib/luxi.py FormatRequest,
 * lib/serializer.py DumpJson): `json.dumps` of `{"method", "args", "version"}` in that
 * order with Python's default separators, a trailing newline, then 0x03. `argsJson` is the
 * args list already written in Python's spelling (e.g. `0.0` for a float).
 */
export function pythonRequest(method: string, argsJson: string, version = 3000000): string {
  return `{"method": "${method}", "args": ${argsJson}, "version": ${version}}\n\u0003`;
}
