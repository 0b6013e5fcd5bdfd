// Number formats for the workload's progress line and summary: one rule everywhere, so that a
// column never mixes 0.642 with 1.402 and 149.6 with 300. Counts are exact integers with
// thousands separators; measured values (rates, latencies) have three significant digits, and
// from 100 up are whole numbers with separators (12,345 ops/s).

/** An exact count: 40277 -> "40,277". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

/** A measured value to `digits` significant digits: 0.6423 -> "0.642", 0.86 -> "0.860", 149.6 -> "150". */
export function formatMeasure(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n)
  if (n === 0) return '0'
  if (Math.abs(n) >= 10 ** (digits - 1)) return formatCount(n)
  // toPrecision may round up into the next decade (99.96 -> "100.0"): that is still `digits` digits.
  const text = n.toPrecision(digits)
  return text.includes('e') ? String(Number(text)) : text
}

/** Columns padded to their widest cell: the first left-aligned (names), the rest right-aligned (numbers). */
export function renderColumns(rows: readonly (readonly string[])[], gap = '  '): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(gap).trimEnd())
}
