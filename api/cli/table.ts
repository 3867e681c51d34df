// osctl's one table formatter: columns aligned like talosctl's (three spaces apart), whole or row by row for watches.

/** The gap between columns, as talosctl's tabwriter pads. */
const GAP = '   ';

function render(row: readonly string[], widths: readonly number[]): string {
  return row
    .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
    .join(GAP)
    .trimEnd();
}

function grow(widths: number[], rows: readonly (readonly string[])[]): void {
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
}

/** Aligns a header and rows into lines; cells never hold newlines (see {@link cell}). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  grow(widths, [header, ...rows]);
  return [header, ...rows].map((r) => render(r, widths));
}

/** A table printed as rows arrive: columns are as wide as everything shown so far, and only ever grow. */
export class StreamingTable {
  private readonly widths: number[] = [];

  constructor(private readonly header: readonly string[]) {
    grow(this.widths, [header]);
  }

  /** The header line and `rows`, aligned together (the first batch of a watch). */
  start(rows: readonly (readonly string[])[]): string[] {
    grow(this.widths, rows);
    return [this.header, ...rows].map((r) => render(r, this.widths));
  }

  /** Lines for rows that arrive later. */
  add(rows: readonly (readonly string[])[]): string[] {
    grow(this.widths, rows);
    return rows.map((r) => render(r, this.widths));
  }
}

/** A value as one table cell: newlines and tabs become spaces, absent values empty. */
export function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s =
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint'
        ? String(v)
        : JSON.stringify(v);
  return s.replace(/[\t\r\n]+/g, ' ');
}
