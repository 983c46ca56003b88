/**
 * Ganeti's "nice sort" (utils.NiceSort, Ganeti.Utils.niceSort): names are split into runs of
 * digits and of non-digits; digit runs compare as numbers, other runs as strings, a digit run
 * before a non-digit run. So `node2` sorts before `node10`.
 */
type Part = { num: true; digits: string } | { num: false; text: string };

function parts(s: string): Part[] {
  const out: Part[] = [];
  const re = /(\d+)|(\D+)/g;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (m[1] !== undefined) out.push({ num: true, digits: m[1].replace(/^0+(?=\d)/, '') });
    else out.push({ num: false, text: m[2]! });
  }
  return out;
}

function comparePart(a: Part, b: Part): number {
  if (a.num && b.num) {
    if (a.digits.length !== b.digits.length) return a.digits.length - b.digits.length;
    return a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0;
  }
  if (a.num !== b.num) return a.num ? -1 : 1;
  const x = (a as { text: string }).text;
  const y = (b as { text: string }).text;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function niceCompare(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = comparePart(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

export const niceSort = (names: Iterable<string>): string[] => [...names].sort(niceCompare);

export function niceSortBy<T>(items: Iterable<T>, key: (item: T) => string): T[] {
  return [...items]
    .map((item) => ({ k: parts(key(item)), item }))
    .sort((a, b) => {
      for (let i = 0; i < Math.min(a.k.length, b.k.length); i++) {
        const c = comparePart(a.k[i]!, b.k[i]!);
        if (c !== 0) return c;
      }
      return a.k.length - b.k.length;
    })
    .map((x) => x.item);
}
