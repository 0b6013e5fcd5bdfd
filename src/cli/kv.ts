// put, get and del, with etcdctl's flags, checks and messages (etcdctl/ctlv3/command/
// put_command.go, get_command.go, del_command.go). The request builders are shared with txn,
// whose success and failure lines are these same commands.
import type { DeleteRangeRequest, PutRequest, RangeRequest, SortOrder, SortTarget } from '../index.js'
import { formatLeaseId, integerFlag, parseLeaseId, type Parsed } from './args.js'
import { defineCommand } from './command.js'
import { UsageError } from './errors.js'
import { objectTable, parseObjectFormat, printObjects, valueSummary } from './objects-output.js'
import { jsonDelete, jsonPut, jsonRange } from './output.js'
import { readAllStdin } from './stdin.js'

export const putOptions = {
  lease: { type: 'string' },
  'prev-kv': { type: 'boolean' },
  'ignore-value': { type: 'boolean' },
  'ignore-lease': { type: 'boolean' },
} as const

export const getOptions = {
  prefix: { type: 'boolean' },
  'from-key': { type: 'boolean' },
  limit: { type: 'string' },
  rev: { type: 'string' },
  'keys-only': { type: 'boolean' },
  'count-only': { type: 'boolean' },
  'print-value-only': { type: 'boolean' },
  'sort-by': { type: 'string' },
  order: { type: 'string' },
  'min-mod-rev': { type: 'string' },
  'max-mod-rev': { type: 'string' },
  'min-create-rev': { type: 'string' },
  'max-create-rev': { type: 'string' },
} as const

export const delOptions = {
  prefix: { type: 'boolean' },
  'from-key': { type: 'boolean' },
  'prev-kv': { type: 'boolean' },
} as const

const PUT_ARGS = 'put command needs 1 argument and input from stdin or 2 arguments'

/** etcdctl's getPutOp. `stdin` supplies the value when only the key is given (not inside a txn). */
export async function putRequest(args: Parsed<typeof putOptions>, stdin?: () => Promise<Buffer>): Promise<PutRequest> {
  const { values, positionals } = args
  const ignoreValue = values['ignore-value'] === true
  const key = positionals[0]
  if (key === undefined || positionals.length > 2) throw new UsageError(PUT_ARGS)
  if (ignoreValue && positionals.length > 1) throw new UsageError("put command needs only 1 argument when 'ignore-value' is set")
  const request: PutRequest = { key }
  if (!ignoreValue) {
    const given = positionals[1]
    if (given !== undefined) request.value = given
    else if (stdin !== undefined) request.value = await stdin()
    else throw new UsageError(PUT_ARGS)
  }
  if (values.lease !== undefined) request.lease = parseLeaseId(values.lease)
  if (values['prev-kv'] === true) request.prevKv = true
  if (ignoreValue) request.ignoreValue = true
  if (values['ignore-lease'] === true) request.ignoreLease = true
  return request
}

/** etcdctl's --prefix / --from-key handling, shared by get and del: the key and its range end. */
function keyRange(positionals: readonly string[], prefix: boolean, fromKey: boolean, what: string): { key: string; rangeEnd?: string; prefix?: true } {
  if (prefix && fromKey) throw new UsageError('`--prefix` and `--from-key` cannot be set at the same time, choose one')
  const key = positionals[0]
  if (key === undefined || positionals.length > 2) {
    throw new UsageError(`${what} command needs one argument as key and an optional argument as range_end`)
  }
  const end = positionals[1]
  if (end !== undefined) {
    if (prefix || fromKey) throw new UsageError('too many arguments, only accept one argument when `--prefix` or `--from-key` is set')
    return { key, rangeEnd: end }
  }
  // An empty key with --prefix or --from-key means every key, as in etcdctl.
  if (fromKey || (prefix && key === '')) return { key: key === '' ? '\0' : key, rangeEnd: '\0' }
  return prefix ? { key, prefix: true } : { key }
}

const sortTargets: Readonly<Record<string, SortTarget>> = { KEY: 'KEY', VERSION: 'VERSION', CREATE: 'CREATE', MODIFY: 'MOD', VALUE: 'VALUE' }

function sortOption(sortBy: string | undefined, orderText: string | undefined): { sortOrder?: SortOrder; sortTarget?: SortTarget } {
  if (sortBy === undefined && orderText === undefined) return {}
  const order = (orderText ?? '').toUpperCase()
  if (order !== '' && order !== 'ASCEND' && order !== 'DESCEND') throw new UsageError(`bad sort order ${orderText ?? ''}`)
  const target = sortBy === undefined ? 'KEY' : sortTargets[sortBy.toUpperCase()]
  if (target === undefined) throw new UsageError(`bad sort target ${sortBy ?? ''}`)
  // clientv3.WithSort: keys already come in ascending order, so KEY/ASCEND is sent as NONE.
  const sortOrder: SortOrder = order === '' || (target === 'KEY' && order === 'ASCEND') ? 'NONE' : order
  return { sortOrder, sortTarget: target }
}

/** etcdctl's getGetOp. */
export function rangeRequest(args: Parsed<typeof getOptions>): RangeRequest {
  const { values } = args
  if (values['keys-only'] === true && values['count-only'] === true) {
    throw new UsageError('`--keys-only` and `--count-only` cannot be set at the same time, choose one')
  }
  const request: RangeRequest = {
    ...keyRange(args.positionals, values.prefix === true, values['from-key'] === true, 'get'),
    ...sortOption(values['sort-by'], values.order),
  }
  const numbers = [
    ['limit', 'limit'],
    ['rev', 'revision'],
    ['min-mod-rev', 'minModRevision'],
    ['max-mod-rev', 'maxModRevision'],
    ['min-create-rev', 'minCreateRevision'],
    ['max-create-rev', 'maxCreateRevision'],
  ] as const
  for (const [flag, field] of numbers) {
    const n = integerFlag(values[flag], flag)
    if (n !== undefined) request[field] = n
  }
  if (values['keys-only'] === true) request.keysOnly = true
  if (values['count-only'] === true) request.countOnly = true
  return request
}

/** etcdctl's getDelOp. */
export function deleteRequest(args: Parsed<typeof delOptions>): DeleteRangeRequest {
  const { values } = args
  const request: DeleteRangeRequest = keyRange(args.positionals, values.prefix === true, values['from-key'] === true, 'del')
  if (values['prev-kv'] === true) request.prevKv = true
  return request
}

export const putCommand = defineCommand({
  name: 'put',
  usage: 'put [options] <key> <value>  (<value> can also be given from stdin)',
  summary: 'Puts the given key into the store',
  options: putOptions,
  flags: [
    '--lease=ID        lease ID (in hexadecimal) to attach to the key',
    '--prev-kv         return the previous key-value pair before modification',
    '--ignore-value    update the key using its current value',
    '--ignore-lease    update the key using its current lease',
  ],
  async run(session, args) {
    const request = await putRequest(args, () => readAllStdin(session.io.stdin, PUT_ARGS))
    const store = await session.openStore('create')
    const { key, value, ...options } = request
    const response = await store.put(key, value, options)
    if (session.out.format === 'json') session.out.json(jsonPut(response))
    else session.out.put(response)
  },
})

export const getCommand = defineCommand({
  name: 'get',
  usage: 'get [options] <key> [range_end]',
  summary: 'Gets the key or a range of keys',
  options: { ...getOptions, output: { type: 'string', short: 'o' } },
  flags: [
    '-o, --output=FORMAT    decode stored Kubernetes objects and print them as json or yaml (a List for several keys)',
    '--prefix               get keys with matching prefix',
    '--from-key             get keys that are greater than or equal to the given key (byte order)',
    '--limit=N              maximum number of results',
    '--rev=N                revision to read at (0: the current one)',
    '--keys-only            get only the keys',
    '--count-only           get only the count',
    '--print-value-only     only write values when using the "simple" output format',
    '--sort-by=TARGET       sort target: CREATE, KEY, MODIFY, VALUE or VERSION',
    '--order=ORDER          order of results: ASCEND or DESCEND',
    '--min-mod-rev=N, --max-mod-rev=N, --min-create-rev=N, --max-create-rev=N   filters',
  ],
  async run(session, args) {
    const request = rangeRequest(args)
    const valueOnly = args.values['print-value-only'] === true
    const objects = parseObjectFormat(args.values.output)
    if (objects !== undefined && (request.keysOnly === true || request.countOnly === true)) {
      throw new UsageError('-o json|yaml prints objects: it cannot go with --keys-only or --count-only')
    }
    const store = await session.openStore('read')
    const response = await store.range(request)
    const out = session.out
    if (objects !== undefined) return printObjects(out, response, objects, request.rangeEnd === undefined && request.prefix !== true)
    if (out.format === 'json') return out.json(jsonRange(response))
    if (out.format === 'table') {
      if (request.countOnly === true) return out.table(['count'], [[String(response.count)]])
      if (valueOnly) return out.table(['value'], response.kvs.map((kv) => [valueSummary(kv) ?? out.cell(kv.value)]))
      const withValue = request.keysOnly !== true
      const asObjects = withValue ? objectTable(response.kvs) : undefined
      if (asObjects !== undefined) return out.table(asObjects.header, asObjects.rows)
      const header = ['key', ...(withValue ? ['value'] : []), 'create revision', 'mod revision', 'version', 'lease']
      const rows = response.kvs.map((kv) => [
        out.cell(kv.key),
        ...(withValue ? [valueSummary(kv) ?? out.cell(kv.value)] : []),
        String(kv.createRevision),
        String(kv.modRevision),
        String(kv.version),
        kv.lease === 0 ? '' : formatLeaseId(kv.lease),
      ])
      return out.table(header, rows)
    }
    // etcdctl 3.4 allows --count-only only with -w fields; here simple output prints the number.
    if (request.countOnly === true) return out.line(String(response.count))
    out.range(response, valueOnly)
  },
})

export const delCommand = defineCommand({
  name: 'del',
  usage: 'del [options] <key> [range_end]',
  summary: 'Removes the specified key or range of keys [key, range_end)',
  options: delOptions,
  flags: [
    '--prefix       delete keys with matching prefix',
    '--from-key     delete keys that are greater than or equal to the given key (byte order)',
    '--prev-kv      return deleted key-value pairs',
  ],
  async run(session, args) {
    const request = deleteRequest(args)
    const store = await session.openStore('existing')
    const response = await store.deleteRange(request)
    if (session.out.format === 'json') session.out.json(jsonDelete(response))
    else session.out.deleteRange(response)
  },
})
