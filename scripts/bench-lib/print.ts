/** Plain-text tables, number formats and the argument readers shared by the benchmarks. */
import { parseArgs } from 'node:util';

/** Milliseconds with precision that suits the size: 0.123, 12.34, 252.6. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value < 1) return value.toFixed(3);
  if (value < 100) return value.toFixed(2);
  return value.toFixed(1);
}

/** A ratio as `1.23×` or `12.3×` (`digits` decimals below 10); `-` when unknown. */
export function times(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '-';
  return `${value < 10 ? value.toFixed(digits) : value.toFixed(1)}×`;
}

/** Left-aligned first column, right-aligned others, columns as wide as their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `--name value` (or `--name=value`) from argv as node:util parseArgs reads it, the one argument style of the scripts. */
export function stringArg(argv: readonly string[], name: string): string | undefined {
  const key = name.replace(/^--/, '');
  const { values } = parseArgs({ args: [...argv], options: { [key]: { type: 'string' } }, strict: false, allowPositionals: true });
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

/** `--name value` as a number; `fallback` when absent. Throws on a value that is not a positive number. */
export function numberArg(argv: readonly string[], name: string, fallback: number): number {
  const text = stringArg(argv, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${name} takes a positive number, got ${JSON.stringify(text)}`);
  return value;
}
