// A self-contained HTML page (inline SVG, no scripts) showing the smallest failing part of a
// history: one lane per client, a bar from invoke to return per operation, the ops that could
// not be explained in red, the order the search found before failing, and the model state there.
import { writeFileSync } from 'node:fs'
import type { Violation } from './check.js'
import { describeKv, describeOperation, type History, operationAt } from './history.js'
import type { WatchRecord, WatchResponseRecord } from './watch-history.js'

// Past this many ops the page keeps the failing ops, what overlaps them and the last placed ones.
const SHOWN_OPS_MAX = 60
const PLACED_TAIL = 20
// Responses of the watcher at fault drawn on either side of the failing one.
const WATCH_CONTEXT = 3
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

interface WatchLane {
  name: string
  record: WatchRecord
  /** Indices of the responses drawn. */
  shown: number[]
  failing: Set<number>
}

/** The watcher of a watch violation, with the responses around the failing one. */
function watchLane(violation: Violation, watches: readonly WatchRecord[] | undefined): WatchLane | undefined {
  const v = violation.watch
  const record = v === undefined ? undefined : watches?.[v.watcher]
  if (v === undefined || record === undefined) return undefined
  const at = v.responses[0] ?? record.responses.length - 1
  const shown = record.responses.map((_, i) => i).filter((i) => Math.abs(i - at) <= WATCH_CONTEXT)
  return { name: `watch ${record.client}`, record, shown, failing: new Set(v.responses) }
}

const describeResponse = (r: WatchResponseRecord): string =>
  `@${r.revision}${r.canceled === true ? ` canceled ${r.cancelReason ?? ''}` : ''}: ` +
  (r.events.length === 0 ? '(no events)' : r.events.map((e) => `${e.type} ${e.key} ${describeKv(e.kv)}${e.prevKv === undefined ? '' : ` prev ${describeKv(e.prevKv)}`}`).join('; '))

export function renderTimeline(history: History, violation: Violation, watches?: readonly WatchRecord[]): string {
  const shown = focusOps(history, violation)
  const ops = shown.map((i) => ({ i, op: operationAt(history, i) }))
  const lane = watchLane(violation, watches)
  const laneTimes = lane === undefined ? [] : lane.shown.map((i) => lane.record.responses[i]?.time ?? lane.record.call)
  // The x axis is the order of events, not their time: bars of a quick burst stay readable.
  const finite = ops.flatMap(({ op }) => (Number.isFinite(op.return) ? [op.call, op.return] : [op.call]))
  const times = [...new Set([...finite, ...laneTimes])].sort((a, b) => a - b)
  const x = (t: number): number => LEFT_PX + STEP_PX * (Number.isFinite(t) ? times.indexOf(t) : times.length)
  const clients = [...new Set(ops.map(({ op }) => op.client))].sort()
  if (lane !== undefined) clients.push(lane.name)
  const order = new Map(violation.linearized.map((i, n) => [i, n + 1]))
  const failing = new Set(violation.failing)
  const width = LEFT_PX + STEP_PX * (times.length + 2)
  const height = LANE_PX * clients.length + 20

  const lanes = clients.map((c, l) => `<text x="4" y="${l * LANE_PX + 24}" class="lane">${escape(c)}</text>`)
  const bars: string[] = ops.map(({ i, op }) => {
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
  const rows: string[] = ops.map(({ i, op }) => {
    const cls = failing.has(i) ? ' class="failing"' : ''
    return `<tr${cls}><td>#${i}</td><td>${order.get(i) ?? ''}</td><td>${escape(op.client)}</td><td>${op.call}</td><td>${op.return}</td><td>${escape(describeOperation(op))}</td></tr>`
  })
  if (lane !== undefined) {
    const l = clients.length - 1
    for (const i of lane.shown) {
      const r = lane.record.responses[i]
      if (r === undefined) continue
      const cls = lane.failing.has(i) ? 'bar failing' : 'bar placed'
      bars.push(
        `<g><title>${escape(`response ${i} ${describeResponse(r)}`)}</title>` +
          `<rect x="${x(r.time) - 6}" y="${l * LANE_PX + 10}" width="12" height="18" rx="2" class="${cls}"/>` +
          `<text x="${x(r.time) - 5}" y="${l * LANE_PX + 8}" class="label">r${i}</text></g>`,
      )
      const fail = lane.failing.has(i) ? ' class="failing"' : ''
      rows.push(`<tr${fail}><td>r${i}</td><td></td><td>${escape(lane.name)}</td><td>${r.time}</td><td>${r.time}</td><td>${escape(describeResponse(r))}</td></tr>`)
    }
  }
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
<h1>${violation.watch === undefined ? 'Not linearizable' : 'Watch violation'}: ${escape(violation.kind)}</h1>
<p>${escape(violation.message)}</p>
<p>Keys: ${escape(violation.keys.join(', '))}. Showing ${shown.length} of the ${violation.ops.length} operations of the failing part${hidden > 0 ? ` (${hidden} far from the failure hidden)` : ''}.
Bars run from invoke to return, in event order (not to scale); dashed bars have an unknown outcome and never return.
Red: could not take effect. Green: placed, with its place in the order the search found before it got stuck.
${lane === undefined ? '' : `The last lane is the watcher at fault: one mark per response (r0, r1, ...), the response at fault in red; the writes are the ones the failing event is about.`}</p>
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
export function writeTimeline(history: History, violation: Violation, path: string, watches?: readonly WatchRecord[]): void {
  writeFileSync(path, renderTimeline(history, violation, watches))
}
