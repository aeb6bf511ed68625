import type { CellResult } from './cell.js';

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[^\t\n\r\x20-\uffff]/g, '');
}

/** JUnit XML, the format CI systems display: one test case a cell, its failures as the message. */
export function junit(name: string, results: readonly CellResult[]): string {
  const failed = results.filter((r) => r.status !== 'pass').length;
  const time = results.reduce((t, r) => t + r.seconds, 0);
  const cases = results.map((r) => {
    const head = `  <testcase classname="${xml(name)}.${xml(r.machine)}" name="${xml(r.guest)}" time="${r.seconds}">`;
    const body =
      r.status === 'pass'
        ? ''
        : `\n    <failure message="${xml(r.failures[0] ?? r.status)}" type="${r.status}">${xml(r.failures.join('\n'))}</failure>`;
    return `${head}${body}\n    <system-out>${xml(`artifacts: ${r.artifacts}`)}</system-out>\n  </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="${xml(name)}" tests="${results.length}" failures="${failed}" errors="0" time="${time.toFixed(1)}">\n${cases.join('\n')}\n</testsuite>\n`;
}

/** The table printed on the terminal. */
export function table(results: readonly CellResult[], rerun: (cell: string) => string): string {
  const rows = results.map((r) => [
    r.name,
    r.status.toUpperCase(),
    `${r.seconds} s`,
    Object.entries(r.captured)
      .map(([k, v]) => `${k}=${v ?? '-'}`)
      .join(' '),
  ]);
  const header = ['cell', 'result', 'time', 'captured'];
  const width = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cols: string[]) =>
    cols
      .map((c, k) => c.padEnd(width[k]))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const r of results) {
    if (r.status === 'pass') continue;
    out.push('', `${r.name}: ${r.status}`);
    for (const f of r.failures) out.push(`  ${f}`);
    out.push(`  artifacts: ${r.artifacts}`, `  rerun: ${rerun(r.name)}`);
  }
  return `${out.join('\n')}\n`;
}
