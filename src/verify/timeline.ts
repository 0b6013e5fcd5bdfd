// A self-contained HTML page (inline SVG, no scripts) showing the smallest failing part of a
// history: one lane per client, a bar from invoke to return per operation, the ops that could
// not be explained in red, the order the search found before failing, and the model state there.
import { writeFileSync } from 'node:fs'
import type { Violation } from './check.js'
import { describeOperation, type History, operationAt } from './history.js'

// Past this many ops the page keeps the failing ops, what overlaps them and the last placed ones.
const SHOWN_OPS_MAX = 60
const PLACED_TAIL = 20
const STEP_PX = 22
const LANE_PX = 30
const LEFT_PX = 110

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The ops to draw: all of the part when small, else a window around the failure. */
export function focusOps(history: History, violation: Violation): number[] {
  if (violation.ops.length <= SHOWN_OPS_MAX) return violation.ops
  const keep = new Set([...violation.failing, ...violation.linearized.slice(-PLACED_TAIL)])
  const from = Math.min(...violation.failing.map((i) => operationAt(history, i).call))
  const to = Math.max(...violation.failing.map((i) => operationAt(history, i).return))
  for (const i of violation.ops) {
    const op = operationAt(history, i)
    if (keep.size < SHOWN_OPS_MAX && op.call <= to && op.return >= from) keep.add(i)
  }
  return violation.ops.filter((i) => keep.has(i))
}

export function renderTimeline(history: History, violation: Violation): string {
  const shown = focusOps(history, violation)
  const ops = shown.map((i) => ({ i, op: operationAt(history, i) }))
  // The x axis is the order of events, not their time: bars of a quick burst stay readable.
  const finite = ops.flatMap(({ op }) => (Number.isFinite(op.return) ? [op.call, op.return] : [op.call]))
  const times = [...new Set(finite)].sort((a, b) => a - b)
  const x = (t: number): number => LEFT_PX + STEP_PX * (Number.isFinite(t) ? times.indexOf(t) : times.length)
  const clients = [...new Set(ops.map(({ op }) => op.client))].sort()
  const order = new Map(violation.linearized.map((i, n) => [i, n + 1]))
  const failing = new Set(violation.failing)
  const width = LEFT_PX + STEP_PX * (times.length + 2)
  const height = LANE_PX * clients.length + 20

  const lanes = clients.map((c, l) => `<text x="4" y="${l * LANE_PX + 24}" class="lane">${escape(c)}</text>`)
  const bars = ops.map(({ i, op }) => {
    const l = clients.indexOf(op.client)
    const x0 = x(op.call)
    const unknown = op.outcome.status === 'unknown'
    const x1 = Math.max(x0 + 12, unknown ? x(Infinity) : x(op.return))
    const cls = failing.has(i) ? 'bar failing' : order.has(i) ? 'bar placed' : 'bar'
    const label = order.has(i) ? `#${i} (${order.get(i)})` : `#${i}`
    return (
      `<g><title>${escape(`#${i} ${op.client}: ${describeOperation(op)}`)}</title>` +
      `<rect x="${x0}" y="${l * LANE_PX + 10}" width="${x1 - x0}" height="18" rx="3" class="${cls}${unknown ? ' unknown' : ''}"/>` +
      `<text x="${x0 + 3}" y="${l * LANE_PX + 23}" class="label">${escape(label)}</text></g>`
    )
  })
  const rows = ops.map(({ i, op }) => {
    const cls = failing.has(i) ? ' class="failing"' : ''
    return `<tr${cls}><td>#${i}</td><td>${order.get(i) ?? ''}</td><td>${escape(op.client)}</td><td>${op.call}</td><td>${op.return}</td><td>${escape(describeOperation(op))}</td></tr>`
  })
  const hidden = violation.ops.length - shown.length
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>etchlog: ${escape(violation.kind)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; }
pre { background: #f4f4f4; padding: .6em; }
.lane { font: 12px monospace; }
.label { font: 10px monospace; fill: #000; pointer-events: none; }
.bar { fill: #ccc; stroke: #888; }
.bar.placed { fill: #9cd3a8; stroke: #4a8a57; }
.bar.failing { fill: #f08080; stroke: #b00; stroke-width: 2; }
.bar.unknown { stroke-dasharray: 4 3; fill-opacity: .5; }
table { border-collapse: collapse; font: 12px monospace; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
tr.failing { background: #fdd; }
</style></head><body>
<h1>Not linearizable: ${escape(violation.kind)}</h1>
<p>${escape(violation.message)}</p>
<p>Keys: ${escape(violation.keys.join(', '))}. Showing ${shown.length} of the ${violation.ops.length} operations of the failing part${hidden > 0 ? ` (${hidden} far from the failure hidden)` : ''}.
Bars run from invoke to return, in event order (not to scale); dashed bars have an unknown outcome and never return.
Red: could not take effect. Green: placed, with its place in the order the search found before it got stuck.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
${lanes.join('\n')}
${bars.join('\n')}
</svg>
<h2>Model state at the point of failure</h2>
${violation.states.length === 0 ? '<p>(not a search failure: see the revisions above)</p>' : violation.states.map((s) => `<pre>${escape(s)}</pre>`).join('\n')}
<h2>Operations</h2>
<table><tr><th>op</th><th>order</th><th>client</th><th>invoke</th><th>return</th><th>request → response</th></tr>
${rows.join('\n')}
</table>
</body></html>
`
}

/** Writes the page for a violation to `path`. */
export function writeTimeline(history: History, violation: Violation, path: string): void {
  writeFileSync(path, renderTimeline(history, violation))
}
