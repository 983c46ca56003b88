import { GanetiError } from '../errors/index.js';

/**
 * LUXI framing (interfaces §6): every message is UTF-8 JSON followed by one byte 0x03 (ETX).
 * The payload itself must never contain 0x03; JSON.stringify escapes control characters, so
 * only hand-made payloads can carry one, and those are refused.
 */
export const ETX = 0x03;
const ETX_CHAR = '\u0003';

/** The largest message a decoder accepts (without its terminator). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Frames an already serialized JSON text. Refuses a payload containing 0x03. */
export function encodeFrame(json: string): Buffer {
  if (json.includes(ETX_CHAR)) throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: 'message terminator (0x03) found in payload' });
  const body = Buffer.from(json, 'utf8');
  const out = Buffer.allocUnsafe(body.length + 1);
  body.copy(out);
  out[body.length] = ETX;
  return out;
}

/** Serializes `value` as JSON and frames it. */
export function encodeMessage(value: unknown): Buffer {
  const json = JSON.stringify(value);
  if (json === undefined) throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: 'message is not JSON-serializable' });
  return encodeFrame(json);
}

const mib = (n: number) => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`);

/**
 * Splits a byte stream into messages on 0x03. Bytes are buffered until a terminator arrives;
 * a message that grows past `maxBytes` without one is an error (GNT_LUXI_PROTOCOL), raised as
 * soon as the limit is crossed, and the decoder drops what it had buffered. 0x03 never occurs
 * inside a multi-byte UTF-8 sequence, so splitting on bytes is safe.
 */
export class FrameDecoder {
  #chunks: Buffer[] = [];
  #pending = 0;

  constructor(readonly maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  }

  /** Bytes received after the last terminator. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /**
   * Feeds a chunk and calls `onMessage` for each message it completes, in order. When the
   * limit is crossed, the messages before that point have been delivered, then this throws.
   */
  feed(chunk: Uint8Array, onMessage: (text: string) => void): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (;;) {
      const end = buf.indexOf(ETX, start);
      if (end === -1) break;
      this.#check(end - start);
      const piece = buf.subarray(start, end);
      const whole = this.#chunks.length === 0 ? piece : Buffer.concat([...this.#chunks, piece], this.#pending + piece.length);
      this.#chunks = [];
      this.#pending = 0;
      start = end + 1;
      onMessage(whole.toString('utf8'));
    }
    if (start < buf.length) {
      const rest = buf.subarray(start);
      this.#check(rest.length);
      // Copy: the caller may reuse its buffer.
      this.#chunks.push(Buffer.from(rest));
      this.#pending += rest.length;
    }
  }

  /** Feeds a chunk; returns the messages it completed, in order, as text. */
  push(chunk: Uint8Array): string[] {
    const messages: string[] = [];
    this.feed(chunk, (m) => messages.push(m));
    return messages;
  }

  /** Drops any partial message. */
  reset(): void {
    this.#chunks = [];
    this.#pending = 0;
  }

  #check(more: number): void {
    if (this.#pending + more > this.maxBytes) {
      const size = this.#pending + more;
      this.reset();
      throw new GanetiError('GNT_LUXI_PROTOCOL', {
        reason: `message larger than ${mib(this.maxBytes)} (${size} bytes received without a 0x03 terminator)`,
      });
    }
  }
}
