/**
 * Compares a test program's dump with its fixture, line by line, and
 * describes the first difference: the case number, its inputs (the fields
 * before the first "|"), the operation whose fields differ (named from the
 * header line) and both lines with the differing fields marked.
 */
export function firstMismatch(expected: readonly string[], actual: readonly string[]): string | null {
  const header = expected[0] ?? '';
  for (let i = 0; i < expected.length; i++) {
    const want = (expected[i] ?? '').trimEnd();
    const got = actual[i]?.trimEnd();
    if (got === want) continue;
    if (got === undefined)
      return `output ended after ${actual.length} lines; expected line ${i + 1}: ${want}`;
    return describe(header, i, want, got);
  }
  return null;
}

function describe(header: string, index: number, want: string, got: string): string {
  const w = want.split(' ');
  const g = got.split(' ');
  const marks: string[] = [];
  const fields: number[] = [];
  for (let k = 0; k < Math.max(w.length, g.length); k++) {
    const a = w[k] ?? '';
    const b = g[k] ?? '';
    if (a !== b) fields.push(k);
    marks.push((a === b ? ' ' : '^').repeat(Math.max(a.length, b.length, 1)));
  }
  const inputs = w.slice(0, w.indexOf('|') < 0 ? w.length : w.indexOf('|')).join(' ');
  const section = w.slice(0, fields[0] ?? 0).filter((f) => f === '|').length;
  const sections = header.split('|').map((s) => s.trim());
  return [
    `case ${index} (line ${index + 1}) differs in section ${section} "${sections[section] ?? '?'}"`,
    `inputs:   ${inputs}`,
    `expected: ${want}`,
    `actual:   ${got}`,
    `          ${marks.join(' ')}`,
  ].join('\n');
}
