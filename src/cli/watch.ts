// watch: prints events as etcdctl does (the event type, the previous key-value with --prev-kv,
// the key-value) until Ctrl-C (the session's signal) or --max-events events, which lets tests and
// scripts take a known number of events and stop.
import type { WatchEvent, WatchRequest, WatchResponse } from '../index.js'
import { integerFlag } from './args.js'
import { defineCommand } from './command.js'
import { CommandError, UsageError } from './errors.js'
import { jsonHeader, jsonKv, type Json, type Output } from './output.js'

/** clientv3.WatchResponse through encoding/json: no json tags, so Go's field names; the event's
 *  type is etcd's enum number and left out for PUT (0), as etcdctl -w json prints it. */
function jsonWatch(response: WatchResponse, events: readonly WatchEvent[]): Json {
  return {
    Header: jsonHeader(response.revision),
    Events: events.map((e) => {
      const o: Json = {}
      if (e.type === 'DELETE') o['type'] = 1
      o['kv'] = jsonKv(e.kv)
      if (e.prevKv !== undefined) o['prev_kv'] = jsonKv(e.prevKv)
      return o
    }),
    CompactRevision: response.compactRevision ?? 0,
    Canceled: response.canceled === true,
    Created: false,
  }
}

function printEvents(out: Output, response: WatchResponse, events: readonly WatchEvent[]): void {
  if (out.format === 'json') return out.json(jsonWatch(response, events))
  for (const e of events) {
    out.line(e.type)
    if (e.prevKv !== undefined) out.kv(e.prevKv)
    out.kv(e.kv)
  }
}

export const watchCommand = defineCommand({
  name: 'watch',
  usage: 'watch [options] <key> [range_end]',
  summary: 'Watches events stream on keys or prefixes',
  options: {
    prefix: { type: 'boolean' },
    rev: { type: 'string' },
    'prev-kv': { type: 'boolean' },
    'progress-notify': { type: 'boolean' },
    'max-events': { type: 'string' },
  },
  flags: [
    '--prefix              watch on a prefix if prefix is set',
    '--rev=N               revision to start watching from (0: from now)',
    '--prev-kv             get the previous key-value pair before the event happens',
    '--progress-notify     get periodic watch progress notification from the store',
    '--max-events=N        stop after N events (etchctl only; default: until Ctrl-C)',
  ],
  async run(session, { values, positionals }) {
    const key = positionals[0]
    if (key === undefined || positionals.length > 2) throw new UsageError('watch command needs one argument as key and an optional argument as range_end')
    const rangeEnd = positionals[1]
    if (rangeEnd !== undefined && values.prefix === true) throw new UsageError('too many arguments, only accept one argument when `--prefix` is set')
    const maxEvents = integerFlag(values['max-events'], 'max-events', 1)
    const request: WatchRequest = { key, signal: session.signal }
    if (rangeEnd !== undefined) request.rangeEnd = rangeEnd
    if (values.prefix === true) request.prefix = true
    const startRevision = integerFlag(values.rev, 'rev')
    if (startRevision !== undefined) request.startRevision = startRevision
    if (values['prev-kv'] === true) request.prevKv = true
    const progress = values['progress-notify'] === true
    if (progress) request.progressNotify = true
    const store = await session.openStore('read')
    const out = session.out
    let seen = 0
    for await (const response of store.watch(request)) {
      if (response.canceled === true) {
        // Ctrl-C is the normal way to stop watching.
        if (session.signal.aborted) return 0
        const reason = response.compactRevision !== undefined ? 'etcdserver: mvcc: required revision has been compacted' : (response.cancelReason ?? 'canceled')
        session.io.stderr.write(`watch was canceled (${reason})\n`)
        throw new CommandError('watch is canceled by the server')
      }
      if (response.events.length === 0) {
        if (!progress) continue
        if (out.format === 'json') out.json(jsonWatch(response, []))
        else out.line(`progress notify: ${response.revision}`)
        continue
      }
      const events = maxEvents === undefined ? response.events : response.events.slice(0, maxEvents - seen)
      printEvents(out, response, events)
      seen += events.length
      if (maxEvents !== undefined && seen >= maxEvents) return 0
    }
    return 0
  },
})
