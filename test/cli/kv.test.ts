// put, get and del: flags, etcdctl's simple output, -w json (etcd's field names, base64 bytes)
// and -w table, values from stdin, and store errors with their code.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cliDb, ok } from './harness.js'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

test('put then get prints etcdctl simple output: OK, then key and value lines', async (t) => {
  const { etchctl } = cliDb(t)
  assert.equal(ok(await etchctl(['put', 'a', '1'])).stdout, 'OK\n')
  assert.equal(ok(await etchctl(['put', 'a', '2', '--prev-kv'])).stdout, 'OK\na\n1\n')
  assert.equal(ok(await etchctl(['get', 'a'])).stdout, 'a\n2\n')
  assert.equal(ok(await etchctl(['get', 'a', '--print-value-only'])).stdout, '2\n')
  assert.equal(ok(await etchctl(['get', 'missing'])).stdout, '')
})

test('put reads the value from stdin when it is omitted, as etcdctl (raw, newline kept)', async (t) => {
  const { etchctl } = cliDb(t)
  ok(await etchctl(['put', 'k'], { stdin: 'from stdin\n' }))
  assert.equal(ok(await etchctl(['get', 'k', '--print-value-only'])).stdout, 'from stdin\n\n')
  const binary = Buffer.from([0, 0xff, 10, 0x80])
  ok(await etchctl(['put', 'bin'], { stdin: binary }))
  const r = ok(await etchctl(['get', 'bin', '--print-value-only']))
  assert.deepEqual(r.stdoutBytes, Buffer.concat([binary, Buffer.from('\n')]), 'bytes are printed raw')
  const hex = ok(await etchctl(['get', 'bin', '--hex']))
  assert.equal(hex.stdout, '\\x62\\x69\\x6e\n\\x00\\xff\\x0a\\x80\n')
})

test('put --ignore-value, --ignore-lease and --lease take etcdctl hex lease IDs', async (t) => {
  const { etchctl } = cliDb(t)
  const grant = ok(await etchctl(['lease', 'grant', '100']))
  const id = /lease ([0-9a-f]{16}) granted/.exec(grant.stdout)?.[1]
  assert.ok(id !== undefined, grant.stdout)
  ok(await etchctl(['put', 'k', 'v1', `--lease=${id}`]))
  ok(await etchctl(['put', 'k', 'v2', '--ignore-lease']))
  ok(await etchctl(['put', 'k', '--ignore-value', '--ignore-lease', '--prev-kv']))
  const json = JSON.parse(ok(await etchctl(['get', 'k', '-w', 'json'])).stdout) as { kvs: Array<{ value: string; lease: number; version: number }> }
  assert.equal(json.kvs[0]?.value, b64('v2'))
  assert.equal(json.kvs[0]?.lease, Number.parseInt(id, 16))
  assert.equal(json.kvs[0]?.version, 3)
  const missing = await etchctl(['put', 'nope', '--ignore-value'])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /^Error: etcdserver: key not found .*\(NotFound\)\n$/)
})

test('get -w json is etcd RangeResponse: header revision, base64 bytes, zero fields left out', async (t) => {
  const { etchctl } = cliDb(t)
  ok(await etchctl(['put', 'a', 'x']))
  ok(await etchctl(['put', 'b', 'y']))
  const r = JSON.parse(ok(await etchctl(['get', 'a', '-w', 'json'])).stdout) as unknown
  assert.deepEqual(r, {
    header: { revision: 3 },
    kvs: [{ key: b64('a'), create_revision: 2, mod_revision: 2, version: 1, value: b64('x') }],
    count: 1,
  })
  const limited = JSON.parse(ok(await etchctl(['get', '', '--prefix', '--limit', '1', '--write-out=json'])).stdout) as unknown
  assert.deepEqual(limited, {
    header: { revision: 3 },
    kvs: [{ key: b64('a'), create_revision: 2, mod_revision: 2, version: 1, value: b64('x') }],
    more: true,
    count: 2,
  })
  assert.deepEqual(JSON.parse(ok(await etchctl(['get', 'zzz', '-w', 'json'])).stdout), { header: { revision: 3 } })
  const keysOnly = JSON.parse(ok(await etchctl(['get', 'b', '--keys-only', '-w', 'json'])).stdout) as { kvs: Array<Record<string, unknown>> }
  assert.equal(keysOnly.kvs[0]?.['value'], undefined, 'keys-only: no value field')
})

test('get ranges: --prefix, --from-key, range_end, --limit, --rev, --count-only, --keys-only', async (t) => {
  const { etchctl } = cliDb(t)
  for (const [k, v] of [['p/1', 'a'], ['p/2', 'b'], ['q', 'c'], ['r', 'd']]) ok(await etchctl(['put', k ?? '', v ?? '']))
  assert.equal(ok(await etchctl(['get', 'p/', '--prefix'])).stdout, 'p/1\na\np/2\nb\n')
  assert.equal(ok(await etchctl(['get', 'q', '--from-key', '--keys-only'])).stdout, 'q\n\nr\n\n', 'keys-only prints an empty value line, as etcdctl')
  assert.equal(ok(await etchctl(['get', 'p/2', 'r'])).stdout, 'p/2\nb\nq\nc\n')
  assert.equal(ok(await etchctl(['get', '', '--prefix', '--limit=2', '--print-value-only'])).stdout, 'a\nb\n')
  assert.equal(ok(await etchctl(['get', '', '--from-key', '--count-only'])).stdout, '4\n')
  assert.equal(ok(await etchctl(['get', 'p/', '--prefix', '--rev', '2'])).stdout, 'p/1\na\n')
  ok(await etchctl(['put', 'p/1', 'newer']))
  assert.equal(ok(await etchctl(['get', 'p/1', '--rev=2', '--print-value-only'])).stdout, 'a\n')
})

test('get --sort-by and --order sort as etcd does', async (t) => {
  const { etchctl } = cliDb(t)
  ok(await etchctl(['put', 'b', '1']))
  ok(await etchctl(['put', 'a', '3']))
  ok(await etchctl(['put', 'c', '2']))
  const keys = async (...flags: string[]): Promise<string> =>
    ok(await etchctl(['get', '', '--prefix', '--keys-only', ...flags])).stdout.split('\n').filter((l) => l !== '').join(',')
  assert.equal(await keys('--order=DESCEND'), 'c,b,a')
  assert.equal(await keys('--sort-by=MODIFY', '--order=DESCEND'), 'c,a,b')
  assert.equal(await keys('--sort-by=VALUE', '--order=ascend'), 'b,c,a')
  assert.equal(await keys('--sort-by=CREATE'), 'b,a,c')
  const bad = await etchctl(['get', 'a', '--sort-by=SIZE'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /^Error: bad sort target SIZE\n/)
})

test('get -w table draws aligned columns', async (t) => {
  const { etchctl } = cliDb(t)
  ok(await etchctl(['put', 'key1', 'value']))
  ok(await etchctl(['put', 'k2', 'a\nb']))
  assert.equal(
    ok(await etchctl(['get', 'k', '--prefix', '-w', 'table'])).stdout,
    [
      '+------+--------+-----------------+--------------+---------+-------+',
      '| KEY  | VALUE  | CREATE REVISION | MOD REVISION | VERSION | LEASE |',
      '+------+--------+-----------------+--------------+---------+-------+',
      '| k2   | a\\x0ab |               3 |            3 |       1 |       |',
      '| key1 | value  |               2 |            2 |       1 |       |',
      '+------+--------+-----------------+--------------+---------+-------+',
      '',
    ].join('\n'),
  )
  assert.equal(ok(await etchctl(['get', 'k', '--prefix', '--count-only', '-w', 'table'])).stdout, '+-------+\n| COUNT |\n+-------+\n|     2 |\n+-------+\n')
})

test('del: count, --prev-kv, --prefix, --from-key, range_end; json with deleted and prev_kvs', async (t) => {
  const { etchctl } = cliDb(t)
  for (const k of ['a', 'b/1', 'b/2', 'c', 'd']) ok(await etchctl(['put', k, `v-${k}`]))
  assert.equal(ok(await etchctl(['del', 'a', '--prev-kv'])).stdout, '1\na\nv-a\n')
  assert.equal(ok(await etchctl(['del', 'a'])).stdout, '0\n')
  assert.deepEqual(JSON.parse(ok(await etchctl(['del', 'b/', '--prefix', '--prev-kv', '-w', 'json'])).stdout), {
    header: { revision: 8 },
    deleted: 2,
    prev_kvs: [
      { key: b64('b/1'), create_revision: 3, mod_revision: 3, version: 1, value: b64('v-b/1') },
      { key: b64('b/2'), create_revision: 4, mod_revision: 4, version: 1, value: b64('v-b/2') },
    ],
  })
  assert.equal(ok(await etchctl(['del', 'c', 'd'])).stdout, '1\n')
  assert.equal(ok(await etchctl(['del', 'a', '--from-key'])).stdout, '1\n')
  assert.equal(ok(await etchctl(['get', '', '--from-key', '--count-only'])).stdout, '0\n')
})

test('store errors print etcd wording and the code; a missing database is not created by a read', async (t) => {
  const { etchctl, db } = cliDb(t)
  const missing = await etchctl(['get', 'a'])
  assert.equal(missing.code, 1)
  assert.equal(missing.stderr, `Error: database ${db} does not exist (give --db or ETCHLOG_DB)\n`)
  for (let i = 0; i < 3; i++) ok(await etchctl(['put', 'a', String(i)]))
  ok(await etchctl(['compaction', '3']))
  const compacted = await etchctl(['get', 'a', '--rev', '2'])
  assert.equal(compacted.code, 1)
  assert.match(compacted.stderr, /^Error: etcdserver: mvcc: required revision has been compacted .*\(Expired\)\n$/)
  assert.equal(compacted.stdout, '')
})

test('ETCHLOG_DB names the database when --db is not given; strict durability is the default', async (t) => {
  const { db } = cliDb(t)
  const { runCli } = await import('./harness.js')
  ok(await runCli(['put', 'e', 'nv', '--create'], { env: { ETCHLOG_DB: db } }))
  assert.equal(ok(await runCli(['--db', db, 'get', 'e'])).stdout, 'e\nnv\n')
  const status = JSON.parse(ok(await runCli(['endpoint', 'status', '-w', 'json'], { env: { ETCHLOG_DB: db } })).stdout) as Array<{ Status: { durability: string } }>
  assert.equal(status[0]?.Status.durability, 'strict')
})
