/** Plain-text tables and number formats shared by the benchmarks. */

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
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `--name value` from argv, as a number; `fallback` when absent. Throws on a value that is not a positive number. */
export function numberArg(argv: readonly string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(argv[at + 1]);
  if (!(value > 0)) throw new Error(`${name} takes a positive number, got ${JSON.stringify(argv[at + 1])}`);
  return value;
}

/** `--name value` from argv as a string, or undefined. */
export function stringArg(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at < 0 ? undefined : argv[at + 1];
}
