/**
 * Ganeti's query language (`gnt-* list -F`, interfaces §13.1; doc/design-query2.rst): a
 * text filter turned into the JSON filter form Query takes.
 *
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | '(' expr ')' | atom
 *   atom    := FIELD                       → ['?', FIELD] (the field is true)
 *            | FIELD op VALUE              → [op, FIELD, VALUE] (op: == != < <= > >=)
 *            | FIELD '=~' /regex/[i]       → ['=~', FIELD, regex]
 *            | VALUE 'in' FIELD            → ['=[]', FIELD, VALUE] (list contains)
 *            | VALUE 'not' 'in' FIELD      → ['!', ['=[]', FIELD, VALUE]]
 *   VALUE   := "string" | 'string' | number | true | false
 *
 * Names given without -F keep their meaning (one `==` each), except that a name with glob
 * characters matches by pattern, as Ganeti's list commands do.
 */
import { GanetiError } from '../errors/index.js';

type Tok = { kind: 'word' | 'str' | 'num' | 'op' | 'regex' | 'lp' | 'rp'; text: string; value?: unknown };

const bad = (text: string, problem: string) => new GanetiError('GNT_QUERY_FILTER', { reason: `${problem} in '${text}'` });

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')') { out.push({ kind: c === '(' ? 'lp' : 'rp', text: c }); i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        s += text[j++];
      }
      if (j >= text.length) throw bad(text, 'an unterminated string');
      out.push({ kind: 'str', text: s, value: s });
      i = j + 1;
      continue;
    }
    const op = /^(==|!=|<=|>=|=~|<|>)/.exec(text.slice(i));
    if (op) {
      out.push({ kind: 'op', text: op[1]! });
      i += op[1]!.length;
      if (op[1] === '=~') {
        while (/\s/.test(text[i] ?? '')) i++;
        const re = /^\/((?:\\.|[^/\\])*)\/([i]?)/.exec(text.slice(i));
        if (!re) throw bad(text, '=~ needs a /regular expression/');
        out.push({ kind: 'regex', text: re[0], value: re[2] ? `(?i)${re[1]}` : re[1] });
        i += re[0].length;
      }
      continue;
    }
    const num = /^-?\d+(\.\d+)?(?![\w/.])/.exec(text.slice(i));
    if (num) { out.push({ kind: 'num', text: num[0], value: Number(num[0]) }); i += num[0].length; continue; }
    const word = /^[A-Za-z_][A-Za-z0-9_/.]*/.exec(text.slice(i));
    if (word) { out.push({ kind: 'word', text: word[0] }); i += word[0].length; continue; }
    throw bad(text, `an unexpected '${c}'`);
  }
  return out;
}

export function parseQlang(text: string): unknown[] {
  const toks = tokenize(text);
  let pos = 0;
  const peek = () => toks[pos];
  const isWord = (w: string, t = peek()) => t?.kind === 'word' && t.text === w;
  const value = (t: Tok | undefined): unknown => {
    if (!t) throw bad(text, 'a missing value');
    if (t.kind === 'str' || t.kind === 'num') return t.value;
    if (t.kind === 'word' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
    throw bad(text, `'${t.text}' is not a value`);
  };
  const field = (t: Tok | undefined): string => {
    if (t?.kind !== 'word' || ['and', 'or', 'not', 'in', 'true', 'false'].includes(t.text)) throw bad(text, `'${t?.text ?? 'the end'}' is not a field name`);
    return t.text;
  };
  const atom = (): unknown[] => {
    const t = toks[pos++];
    if (t?.kind === 'str' || t?.kind === 'num' || isWord('true', t) || isWord('false', t)) {
      const v = value(t);
      if (isWord('not') && isWord('in', toks[pos + 1])) {
        pos += 2;
        return ['!', ['=[]', field(toks[pos++]), v]];
      }
      if (!isWord('in')) throw bad(text, `a value must be followed by 'in FIELD'`);
      pos++;
      return ['=[]', field(toks[pos++]), v];
    }
    const name = field(t);
    const op = peek();
    if (op?.kind !== 'op') return ['?', name];
    pos++;
    if (op.text === '=~') return ['=~', name, toks[pos++]!.value];
    return [op.text, name, value(toks[pos++])];
  };
  const unary = (): unknown[] => {
    if (isWord('not')) {
      pos++;
      return ['!', unary()];
    }
    if (peek()?.kind === 'lp') {
      pos++;
      const e = or();
      if (toks[pos++]?.kind !== 'rp') throw bad(text, 'a missing )');
      return e;
    }
    return atom();
  };
  const chain = (word: string, op: string, next: () => unknown[]) => (): unknown[] => {
    const parts = [next()];
    while (isWord(word)) {
      pos++;
      parts.push(next());
    }
    return parts.length === 1 ? parts[0]! : [op, ...parts];
  };
  const and = chain('and', '&', unary);
  const or = chain('or', '|', and);
  const result = or();
  if (pos !== toks.length) throw bad(text, `'${toks[pos]!.text}' after the end of the filter`);
  return result;
}

const GLOB = /[*?[]/;

/** fnmatch's translation, anchored: `web*` → `^web.*$`. */
function globToRegex(glob: string): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end);
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return `^${re}$`;
}

/**
 * Ganeti's MakeFilter: with `force` (-F) the arguments are one qlang expression; otherwise
 * they are names, `==` each, or a pattern match for names with glob characters.
 */
export function makeFilter(args: readonly string[], force: boolean, nameField = 'name'): unknown[] | null {
  if (force) {
    if (args.length === 0) throw new GanetiError('GNT_QUERY_FILTER', { reason: '-F needs a filter expression' });
    return parseQlang(args.join(' '));
  }
  if (args.length === 0) return null;
  return ['|', ...args.map((n) => (GLOB.test(n) ? ['=~', nameField, globToRegex(n)] : ['==', nameField, n]))];
}
