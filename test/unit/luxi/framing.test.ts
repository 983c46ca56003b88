import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_MESSAGE_BYTES, ETX, FrameDecoder, encodeFrame, encodeMessage } from '../../../core/luxi/framing.js';
import { GanetiError } from '../../../core/errors/index.js';

const isProtocol = (re: RegExp) => (e: unknown) => e instanceof GanetiError && e.code === 'GNT_LUXI_PROTOCOL' && re.test(e.message);

describe('LUXI framing: encode', () => {
  test('JSON followed by one 0x03 byte', () => {
    const buf = encodeMessage({ method: 'QueryJobs', args: [[1], ['id']], version: 3010000 });
    assert.equal(buf.toString('latin1'), '{"method":"QueryJobs","args":[[1],["id"]],"version":3010000}\x03');
    assert.equal(buf.at(-1), ETX);
    assert.equal(buf.indexOf(ETX), buf.length - 1);
  });

  test('UTF-8 payloads are encoded as bytes', () => {
    const buf = encodeFrame('"Grüße 日本"');
    assert.deepEqual(buf, Buffer.concat([Buffer.from('"Grüße 日本"', 'utf8'), Buffer.from([3])]));
  });

  test('a raw 0x03 in the payload is refused', () => {
    assert.throws(() => encodeFrame('{"a":"x\u0003y"}'), isProtocol(/terminator \(0x03\) found in payload/));
  });

  test('a 0x03 character in a value is escaped by JSON and goes through', () => {
    const buf = encodeMessage({ text: 'x\u0003y' });
    assert.equal(buf.indexOf(ETX), buf.length - 1);
    assert.equal(buf.subarray(0, -1).toString(), '{"text":"x\\u0003y"}');
  });

  test('a value JSON cannot express is refused', () => {
    assert.throws(() => encodeMessage(undefined), isProtocol(/not JSON-serializable/));
  });
});

describe('LUXI framing: decode', () => {
  test('a message split over several chunks, even inside a multi-byte character', () => {
    const d = new FrameDecoder();
    const bytes = encodeMessage({ m: 'Grüße' });
    const cut = bytes.indexOf(Buffer.from('ü')) + 1; // in the middle of ü
    assert.deepEqual(d.push(bytes.subarray(0, 3)), []);
    assert.deepEqual(d.push(bytes.subarray(3, cut)), []);
    assert.equal(d.pendingBytes, cut);
    assert.deepEqual(d.push(bytes.subarray(cut)), ['{"m":"Grüße"}']);
    assert.equal(d.pendingBytes, 0);
  });

  test('several messages in one chunk, and the start of the next', () => {
    const d = new FrameDecoder();
    const chunk = Buffer.concat([encodeMessage(1), encodeMessage('two'), encodeMessage([3]), Buffer.from('{"fo')]);
    assert.deepEqual(d.push(chunk), ['1', '"two"', '[3]']);
    assert.deepEqual(d.push(Buffer.from('ur":4}\x03')), ['{"four":4}']);
  });

  test('byte by byte', () => {
    const d = new FrameDecoder();
    const bytes = Buffer.concat([encodeMessage({ a: 1 }), encodeMessage({ b: 2 })]);
    const out: string[] = [];
    for (const b of bytes) out.push(...d.push(Buffer.from([b])));
    assert.deepEqual(out, ['{"a":1}', '{"b":2}']);
  });

  test('empty messages (two terminators in a row) come out as empty strings', () => {
    const d = new FrameDecoder();
    assert.deepEqual(d.push(Buffer.from('\x03\x03')), ['', '']);
  });

  test('a message of exactly the limit is accepted, one byte more is refused at once', () => {
    const d = new FrameDecoder(8);
    assert.deepEqual(d.push(Buffer.from('12345678\x03')), ['12345678']);
    assert.deepEqual(d.push(Buffer.from('1234')), []);
    assert.throws(() => d.push(Buffer.from('56789')), isProtocol(/larger than 8 bytes \(9 bytes received without a 0x03 terminator\)/));
    // the decoder dropped the oversized data and reads on
    assert.equal(d.pendingBytes, 0);
    assert.deepEqual(d.push(Buffer.from('ok\x03')), ['ok']);
  });

  test('messages before an oversized one are delivered before the error', () => {
    const d = new FrameDecoder(4);
    const got: string[] = [];
    assert.throws(() => d.feed(Buffer.from('ab\x03cdefgh'), (m) => got.push(m)), isProtocol(/larger than 4 bytes/));
    assert.deepEqual(got, ['ab']);
  });

  test('the default limit is 64 MiB and is named in the error', () => {
    assert.equal(DEFAULT_MAX_MESSAGE_BYTES, 64 * 1024 * 1024);
    const d = new FrameDecoder();
    const mib = Buffer.alloc(1024 * 1024, 0x20);
    for (let i = 0; i < 64; i++) d.push(mib);
    assert.throws(() => d.push(Buffer.from(' ')), isProtocol(/larger than 64 MiB/));
  });

  test('a bad limit is refused', () => {
    assert.throws(() => new FrameDecoder(0), RangeError);
  });
});
