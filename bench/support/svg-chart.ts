// A small SVG writer for the bench's charts: line charts (x/y, linear or log axes) and grouped bar
// charts. No dependency and no network, so `npm run bench` draws its own figures anywhere.
//
// Layout: a fixed canvas; the plot area is the rectangle with class "plot" (its x, y, width and
// height are the bounds every mark stays within: the unit test checks that), axes on its left
// and bottom edges, ticks and grid lines, the legend to the right of the plot. Values that cannot
// be drawn (NaN, infinite, <= 0 on a log axis) are left out rather than drawn at the edge.

export interface Axis {
  label: string
  log?: boolean
  /** Tick positions to use instead of computed ones (e.g. the concurrencies measured). */
  ticks?: readonly number[]
  /** Formats a tick's label; default: compact number. */
  format?: (v: number) => string
}

export interface Series {
  name: string
  points: ReadonlyArray<readonly [number, number]>
  /** Dashed line and hollow markers: a second statistic of the same contender (p99 next to p50). */
  dashed?: boolean
  /** Fixed colour, so a contender keeps its colour across charts; default: the palette. */
  color?: string
}

export interface LineChart {
  title: string
  /** A small line under the plot: where the figures come from (date, commit, machine). */
  note?: string
  x: Axis
  y: Axis
  series: readonly Series[]
}

export interface BarChart {
  title: string
  /** As LineChart's. */
  note?: string
  categories: readonly string[]
  y: Axis
  series: ReadonlyArray<{ name: string; values: readonly number[]; color?: string }>
}

const WIDTH = 760
const HEIGHT = 420
const PLOT = { x: 80, y: 48, width: 470, height: 300 }
const LEGEND_X = PLOT.x + PLOT.width + 24
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f']

export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;')
}

/** 1.2k, 35M, 0.25: short labels for ticks. */
export function compactNumber(v: number): string {
  const a = Math.abs(v)
  if (a >= 1e9) return `${trim(v / 1e9)}G`
  if (a >= 1e6) return `${trim(v / 1e6)}M`
  if (a >= 1e3) return `${trim(v / 1e3)}k`
  return trim(v)
}

const trim = (v: number): string => String(Number(v.toPrecision(3)))
const num = (v: number): string => String(Math.round(v * 10) / 10)

interface Scale {
  /** Data value -> pixel offset along the axis, 0..length. */
  map(v: number): number
  ticks: number[]
  drawable(v: number): boolean
}

/** A 1-2-5 step giving about `count` ticks over [lo, hi]. */
function niceStep(lo: number, hi: number, count: number): number {
  const raw = (hi - lo) / count
  const power = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw
}

/** Ticks every `step` within [lo, hi]. */
function linearTicks(lo: number, hi: number, step: number): number[] {
  const ticks: number[] = []
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)))
  return ticks
}

/** Decades, with 2 and 5 in between when the range spans fewer than three decades. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = []
  const dense = Math.log10(hi / lo) < 3
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of dense ? [1, 2, 5] : [1]) {
      const t = m * 10 ** e
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(Number(t.toPrecision(12)))
    }
  }
  return ticks
}

/** The smallest tick value >= v: the next 1-2-5 step (dense) or the next decade. */
function nextLogTick(v: number, dense: boolean): number {
  const e = Math.floor(Math.log10(v))
  for (const m of dense ? [1, 2, 5, 10] : [1, 10]) {
    const t = Number((m * 10 ** e).toPrecision(12))
    if (t >= v * (1 - 1e-9)) return t
  }
  return 10 ** (e + 1)
}

function scale(axis: Axis, values: readonly number[], length: number, zeroBased: boolean): Scale {
  const log = axis.log === true
  const drawable = (v: number): boolean => Number.isFinite(v) && (!log || v > 0)
  const seen = [...values, ...(axis.ticks ?? [])].filter(drawable)
  let lo = seen.length === 0 ? 1 : Math.min(...seen)
  let hi = seen.length === 0 ? 10 : Math.max(...seen)
  if (log) {
    // Pad to the surrounding 1-2-5 steps so points do not sit on the frame.
    lo = lo / 1.25
    hi = hi * 1.25
  } else {
    if (zeroBased) lo = Math.min(0, lo)
    if (hi === lo) hi = lo + 1
    hi += (hi - lo) * 0.05
  }
  // A linear axis ends on whole steps, so its top and bottom carry a tick.
  const step = log ? 0 : niceStep(lo, hi, 5)
  if (!log && axis.ticks === undefined) {
    lo = Math.floor(lo / step) * step
    hi = Math.ceil(hi / step) * step
  }
  const ticks = axis.ticks !== undefined ? [...axis.ticks].filter(drawable) : log ? logTicks(lo, hi) : linearTicks(lo, hi, step)
  if (log && axis.ticks === undefined) {
    // The axis must carry a tick at or above its largest value (a top point at 39M under a last
    // tick of 20M reads as off the scale): extend it to the next step.
    const top = Math.max(...seen, lo)
    const last = ticks[ticks.length - 1]
    if (last === undefined || last < top) {
      const next = nextLogTick(top, Math.log10(hi / lo) < 3)
      ticks.push(next)
      hi = Math.max(hi, next)
    }
  }
  const f = log ? Math.log10 : (v: number) => v
  const a = f(lo)
  const b = f(hi)
  return { map: (v) => ((f(v) - a) / (b - a)) * length, ticks, drawable }
}

function frame(title: string, body: string[], note?: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PLOT.x}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<rect class="plot" x="${PLOT.x}" y="${PLOT.y}" width="${PLOT.width}" height="${PLOT.height}" fill="none" stroke="#333333"/>`,
    ...body,
    ...(note === undefined ? [] : [`<text class="note" x="8" y="${HEIGHT - 8}" font-size="10" fill="#666666">${escapeXml(note)}</text>`]),
    '</svg>',
    '',
  ].join('\n')
}

function yAxis(axis: Axis, s: Scale): string[] {
  const format = axis.format ?? compactNumber
  const out: string[] = []
  for (const t of s.ticks) {
    const y = PLOT.y + PLOT.height - s.map(t)
    out.push(`<line x1="${PLOT.x}" y1="${num(y)}" x2="${PLOT.x + PLOT.width}" y2="${num(y)}" stroke="#e0e0e0"/>`)
    out.push(`<text x="${PLOT.x - 6}" y="${num(y + 4)}" text-anchor="end">${escapeXml(format(t))}</text>`)
  }
  const cy = PLOT.y + PLOT.height / 2
  const label = `${axis.label}${axis.log === true ? ' (log scale)' : ''}`
  out.push(`<text x="18" y="${cy}" text-anchor="middle" transform="rotate(-90 18 ${cy})">${escapeXml(label)}</text>`)
  return out
}

function xLabel(axis: Axis): string {
  const label = `${axis.label}${axis.log === true ? ' (log scale)' : ''}`
  return `<text x="${PLOT.x + PLOT.width / 2}" y="${PLOT.y + PLOT.height + 40}" text-anchor="middle">${escapeXml(label)}</text>`
}

function legend(entries: ReadonlyArray<{ name: string; color: string; dashed: boolean }>, box: boolean): string[] {
  return entries.flatMap((e, i) => {
    const y = PLOT.y + 10 + i * 20
    const dash = e.dashed ? ' stroke-dasharray="6 3"' : ''
    const key = box
      ? `<rect class="legend-key" x="${LEGEND_X + 6}" y="${y - 6}" width="12" height="12" fill="${e.color}"/>`
      : `<line class="legend-key" x1="${LEGEND_X}" y1="${y}" x2="${LEGEND_X + 24}" y2="${y}" stroke="${e.color}" stroke-width="2.5"${dash}/>`
    return [key, `<text class="legend" x="${LEGEND_X + 30}" y="${y + 4}">${escapeXml(e.name)}</text>`]
  })
}

/** Colour per series: its own, else the palette; a dashed series takes the colour of the series before it. */
function colours(series: ReadonlyArray<{ color?: string; dashed?: boolean }>): string[] {
  let next = 0
  const out: string[] = []
  for (const s of series) {
    const previous = out[out.length - 1]
    if (s.color !== undefined) out.push(s.color)
    else if (s.dashed === true && previous !== undefined) out.push(previous)
    else out.push(PALETTE[next++ % PALETTE.length] as string) // index < length
  }
  return out
}

export function lineChartSvg(c: LineChart): string {
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]))
  const ys = c.series.flatMap((s) => s.points.map((p) => p[1]))
  const sx = scale(c.x, xs, PLOT.width, false)
  const sy = scale(c.y, ys, PLOT.height, true)
  const body = yAxis(c.y, sy)
  const format = c.x.format ?? compactNumber
  for (const t of sx.ticks) {
    const x = PLOT.x + sx.map(t)
    body.push(`<line x1="${num(x)}" y1="${PLOT.y + PLOT.height}" x2="${num(x)}" y2="${PLOT.y + PLOT.height + 5}" stroke="#333333"/>`)
    body.push(`<text x="${num(x)}" y="${PLOT.y + PLOT.height + 18}" text-anchor="middle">${escapeXml(format(t))}</text>`)
  }
  body.push(xLabel(c.x))
  const colour = colours(c.series)
  c.series.forEach((s, i) => {
    const color = colour[i] as string // one colour per series
    const pts = s.points.filter(([x, y]) => sx.drawable(x) && sy.drawable(y)).map(([x, y]) => [PLOT.x + sx.map(x), PLOT.y + PLOT.height - sy.map(y), x, y] as const)
    const dash = s.dashed === true ? ' stroke-dasharray="6 3"' : ''
    if (pts.length > 1) {
      body.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${pts.map(([px, py]) => `${num(px)},${num(py)}`).join(' ')}"/>`)
    }
    const fill = s.dashed === true ? `#ffffff" stroke="${color}" stroke-width="1.5` : color
    for (const [px, py, x, y] of pts) {
      body.push(`<circle class="point" cx="${num(px)}" cy="${num(py)}" r="3.5" fill="${fill}"><title>${escapeXml(`${s.name}: ${compactNumber(x)} -> ${compactNumber(y)}`)}</title></circle>`)
    }
  })
  body.push(...legend(c.series.map((s, i) => ({ name: s.name, color: colour[i] as string, dashed: s.dashed === true })), false))
  return frame(c.title, body, c.note)
}

export function barChartSvg(c: BarChart): string {
  const sy = scale(c.y, c.series.flatMap((s) => s.values), PLOT.height, true)
  const body = yAxis(c.y, sy)
  const groupWidth = PLOT.width / Math.max(1, c.categories.length)
  const barWidth = (groupWidth * 0.8) / Math.max(1, c.series.length)
  // On a log axis bars grow from the bottom of the plot; on a linear one from zero.
  const base = PLOT.y + PLOT.height
  const colour = colours(c.series)
  c.categories.forEach((name, g) => {
    const gx = PLOT.x + g * groupWidth
    body.push(`<text x="${num(gx + groupWidth / 2)}" y="${PLOT.y + PLOT.height + 18}" text-anchor="middle">${escapeXml(name)}</text>`)
    c.series.forEach((s, i) => {
      const v = s.values[g]
      if (v === undefined || !sy.drawable(v)) return
      const top = Math.max(PLOT.y, base - sy.map(v))
      const x = gx + groupWidth * 0.1 + i * barWidth
      const color = colour[i] as string // one colour per series
      body.push(`<rect class="bar" x="${num(x)}" y="${num(top)}" width="${num(barWidth - 2)}" height="${num(base - top)}" fill="${color}"><title>${escapeXml(`${s.name}, ${name}: ${compactNumber(v)}`)}</title></rect>`)
    })
  })
  body.push(...legend(c.series.map((s, i) => ({ name: s.name, color: colour[i] as string, dashed: false })), true))
  return frame(c.title, body, c.note)
}
