/**
 * CSV for the audit export. Two attacks on whoever opens it are stopped here:
 * - CSV/formula injection: a cell a spreadsheet would evaluate (starting with `=`, `+`, `-`, `@`, a tab or a carriage
 *   return, also after leading spaces, as `=HYPERLINK(…)` in a user agent) is prefixed with `'`, so it reads as text;
 * - record splitting: a line break inside a value (a reason, a user agent) is written as the two characters `\n`
 *   (`\r`), and a backslash as `\\`, so one row is always one line and a value cannot forge a row of its own.
 * Then RFC 4180 quoting: a cell with a comma, quote or leading/trailing space is quoted, quotes doubled.
 */
const FORMULA_START = /^\s*[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
  if (FORMULA_START.test(text)) text = `'${text}`;
  text = text.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  return /[",]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
