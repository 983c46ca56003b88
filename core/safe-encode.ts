/**
 * Ganeti's SafeEncode: one printable ASCII line (newlines, controls and non-ASCII escaped), as
 * hook script output and error messages are shown to admins.
 */
export function safeEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 32 || c === 127 || (c >= 128 && c < 0x100)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 127) out += ch;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return out;
}
