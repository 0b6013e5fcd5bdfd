// Text tables as etcdctl draws them (olekukonko/tablewriter: +---+ borders, centred upper-case
// headers, right-aligned numbers) and byte sizes as etcdctl prints them (go-humanize's SI units).

export type Align = 'left' | 'right'

/** Column alignment from the cells: numeric columns right, others left, as tablewriter's default. */
function alignments(rows: readonly (readonly string[])[], columns: number): Align[] {
  return Array.from({ length: columns }, (_, c) => {
    const cells = rows.map((r) => r[c] ?? '').filter((s) => s !== '')
    return cells.length > 0 && cells.every((s) => /^-?[\d.]+( [kMGTPE]?B)?$/.test(s)) ? 'right' : 'left'
  })
}

const pad = (text: string, width: number, align: Align): string =>
  align === 'right' ? text.padStart(width) : text.padEnd(width)

function centre(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2)
  return `${' '.repeat(left)}${text}`.padEnd(width)
}

/** The table's lines (no trailing newline). Cells must be single-line printable text. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)))
  const align = alignments(rows, header.length)
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`
  const line = (cells: readonly string[], format: (cell: string, c: number) => string): string =>
    `| ${cells.map(format).join(' | ')} |`
  return [
    rule,
    line(header, (h, c) => centre(h.toUpperCase(), widths[c] ?? 0)),
    rule,
    ...rows.map((r) => line(header.map((_, c) => r[c] ?? ''), (cell, c) => pad(cell, widths[c] ?? 0, align[c] ?? 'left'))),
    rule,
  ]
}

const SI_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']

/** go-humanize's Bytes(): "20 kB", "1.5 MB", "7 B" (powers of 1000, one decimal below 10). */
export function humanBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`
  const exponent = Math.min(Math.floor(Math.log(bytes) / Math.log(1000)), SI_UNITS.length - 1)
  const value = Math.floor((bytes / 1000 ** exponent) * 10 + 0.5) / 10
  const shown = value < 10 ? value.toFixed(1) : value.toFixed(0)
  return `${shown} ${SI_UNITS[exponent] ?? 'B'}`
}
