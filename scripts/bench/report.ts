/**
 * What every bench section hands back: figures with their target and whether it is met, plus free-form
 * details for the JSON file. The summary table is printed from the figures alone.
 */

/** 'ratio' is one figure over another of the same run, printed as 1.23×. */
export type Unit = 'KB' | 'ms' | 'score' | 'CLS' | '/s' | 'count' | 'ratio';

/** A target such as "≤ 100 KB": the figure meets it when `value op limit`. */
export interface Target {
  readonly op: '<=' | '>=' | '=';
  readonly limit: number;
  /** Where the limit comes from, when it is derived, e.g. "2× floor". */
  readonly basis?: string;
}

export interface Figure {
  readonly section: string;
  readonly name: string;
  /** undefined when the figure could not be measured; `note` says why. */
  readonly value: number | undefined;
  readonly unit: Unit;
  readonly target?: Target;
  readonly note?: string;
}

export interface SectionResult {
  readonly figures: readonly Figure[];
  readonly details: unknown;
}

/** Builds a figure for one section; `value` undefined means not measured. */
export function figureFor(section: string) {
  return (
    name: string,
    value: number | undefined,
    unit: Unit,
    target?: Target,
    extra: { note?: string } = {},
  ): Figure => ({
    section,
    name,
    value,
    unit,
    ...(target === undefined ? {} : { target }),
    ...(extra.note === undefined ? {} : { note: extra.note }),
  });
}

/** true / false when a target applies and the figure was measured; undefined otherwise. */
export function isMet(figure: Figure): boolean | undefined {
  if (figure.target === undefined || figure.value === undefined) return undefined;
  const { op, limit } = figure.target;
  if (op === '<=') return figure.value <= limit;
  if (op === '>=') return figure.value >= limit;
  return figure.value === limit;
}

export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined) return 'n/a';
  switch (unit) {
    case 'KB':
      return `${value.toFixed(1)} KB`;
    case 'ms':
      return `${value < 100 ? value.toFixed(1) : Math.round(value).toString()} ms`;
    case 'CLS':
      return value.toFixed(4);
    case 'ratio':
      return `${value.toFixed(2)}×`;
    case '/s':
      return `${Math.round(value).toLocaleString('en-US')}/s`;
    case 'score':
    case 'count':
      return Math.round(value).toString();
  }
}

export function formatTarget(target: Target | undefined, unit: Unit): string {
  if (target === undefined) return '—';
  const op = target.op === '<=' ? '≤' : target.op === '>=' ? '≥' : '=';
  return `${op} ${formatValue(target.limit, unit)}${target.basis === undefined ? '' : ` (${target.basis})`}`;
}

export function metText(met: boolean | undefined): string {
  return met === undefined ? '—' : met ? 'yes' : 'NO';
}

/** One line per figure: "name  value  (target …, met? …)". */
export function printFigures(figures: readonly Figure[]): void {
  for (const f of figures) {
    const target =
      f.target === undefined ? '' : `  target ${formatTarget(f.target, f.unit)}, met: ${metText(isMet(f))}`;
    console.log(
      `  ${f.name.padEnd(58)} ${formatValue(f.value, f.unit).padStart(10)}${target}${f.note === undefined ? '' : `  (${f.note})`}`,
    );
  }
}

/** The final table: figure, value, target, met?. */
export function printSummary(figures: readonly Figure[]): void {
  const rows = figures.map((f) => [
    `${f.section}: ${f.name}`,
    formatValue(f.value, f.unit),
    formatTarget(f.target, f.unit),
    metText(isMet(f)),
  ]);
  const header = ['Figure', 'Value', 'Target', 'Met?'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function kb(bytes: number): number {
  return bytes / 1024;
}

export function heading(title: string): void {
  console.log(`\n== ${title} ==`);
}
