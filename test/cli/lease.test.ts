// lease grant | list | timetolive | keep-alive | revoke: IDs printed and taken in hexadecimal,
// etcdctl's texts, json and table output, and keep-alive renewing every TTL/3 on a fake clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FakeClock } from '../../src/index.js'
import { Capture, cliDb, ok } from './harness.js'

const grantedId = (stdout: string): string => {
  const id = /^lease ([0-9a-f]{16}) granted with TTL\(60s\)\n$/.exec(stdout)?.[1]
  assert.ok(id !== undefined, `grant output: ${stdout}`)
  return id
}

test('grant, list, timetolive --keys, revoke: hex IDs and etcdctl texts', async (t) => {
  const { etchctl } = cliDb(t)
  const id = grantedId(ok(await etchctl(['lease', 'grant', '60'])).stdout)
  ok(await etchctl(['put', 'k1', 'v', '--lease', id]))
  ok(await etchctl(['put', 'k2', 'v', `--lease=${id}`]))
  assert.equal(ok(await etchctl(['lease', 'list'])).stdout, `found 1 leases\n${id}\n`)
  assert.match(ok(await etchctl(['lease', 'timetolive', id])).stdout, new RegExp(`^lease ${id} granted with TTL\\(60s\\), remaining\\((59|60)s\\)\\n$`))
  assert.match(ok(await etchctl(['lease', 'timetolive', id, '--keys'])).stdout, /, attached keys\(\[k1 k2\]\)\n$/)
  assert.equal(ok(await etchctl(['lease', 'revoke', id])).stdout, `lease ${id} revoked\n`)
  assert.equal(ok(await etchctl(['get', 'k', '--prefix'])).stdout, '', 'revoke deleted the keys')
  assert.equal(ok(await etchctl(['lease', 'timetolive', id])).stdout, `lease ${id} already expired\n`)
  assert.equal(ok(await etchctl(['lease', 'list'])).stdout, 'found 0 leases\n')
  const again = await etchctl(['lease', 'revoke', id])
  assert.equal(again.code, 1)
  assert.equal(again.stderr, `Error: etcdserver: requested lease not found (lease=${id}) (NotFound)\n`)
})

test('lease json and table output', async (t) => {
  const { etchctl } = cliDb(t)
  const grant = JSON.parse(ok(await etchctl(['lease', 'grant', '60', '-w', 'json'])).stdout) as { ID: number; TTL: number; revision: number }
  assert.equal(grant.TTL, 60)
  assert.equal(grant.revision, 1)
  const hex = grant.ID.toString(16).padStart(16, '0')
  ok(await etchctl(['put', 'a', 'b', '--lease', hex]))
  const ttl = JSON.parse(ok(await etchctl(['lease', 'timetolive', hex, '--keys', '-w', 'json'])).stdout) as Record<string, unknown>
  assert.equal(ttl['id'], grant.ID)
  assert.equal(ttl['granted-ttl'], 60)
  assert.deepEqual(ttl['keys'], [Buffer.from('a').toString('base64')])
  assert.deepEqual(JSON.parse(ok(await etchctl(['lease', 'list', '-w', 'json'])).stdout), { revision: 2, leases: [{ id: grant.ID }] })
  const table = ok(await etchctl(['lease', 'list', '-w', 'table'])).stdout.split('\n')
  assert.equal(table[1], '|        ID        | GRANTED TTL | REMAINING TTL |')
  assert.match(table[3] ?? '', new RegExp(`^\\| ${hex} \\|          60 \\|            (59|60) \\|$`))
})

test('keep-alive --once renews; a missing lease is an error', async (t) => {
  const { etchctl } = cliDb(t)
  const id = grantedId(ok(await etchctl(['lease', 'grant', '60'])).stdout)
  assert.equal(ok(await etchctl(['lease', 'keep-alive', '--once', id])).stdout, `lease ${id} keepalived with TTL(60)\n`)
  const gone = await etchctl(['lease', 'keep-alive', '--once', '123abc'])
  assert.equal(gone.code, 1)
  assert.match(gone.stderr, /^Error: etcdserver: requested lease not found .*\(NotFound\)\n$/)
})

test('keep-alive renews every TTL/3 until the signal, and ends when the lease is revoked', async (t) => {
  const { etchctl } = cliDb(t)
  const clock = new FakeClock()
  const id = grantedId(ok(await etchctl(['lease', 'grant', '60'], { clock })).stdout)
  const stdout = new Capture()
  const stop = new AbortController()
  const line = `lease ${id} keepalived with TTL(60)\n`
  const count = (s: string): number => s.split(line).length - 1
  const running = etchctl(['lease', 'keep-alive', id], { clock, stdout, signal: stop.signal })
  await stdout.until((s) => count(s) === 1)
  clock.advance(19_999)
  assert.equal(count(stdout.text), 1, 'not before TTL/3')
  clock.advance(1)
  await stdout.until((s) => count(s) === 2)
  // 100 s later the lease still lives: each renewal restarted its 60 s.
  for (let i = 0; i < 5; i++) {
    clock.advance(20_000)
    await stdout.until((s) => count(s) === 3 + i)
  }
  stop.abort()
  assert.equal(ok(await running).stdout, line.repeat(7))
  ok(await etchctl(['lease', 'revoke', id], { clock }))
  assert.equal(ok(await etchctl(['lease', 'keep-alive', id], { clock })).stdout, `lease ${id} expired or revoked.\n`)
})

test('lease argument errors', async (t) => {
  const { etchctl } = cliDb(t)
  const cases: Array<[string[], RegExp]> = [
    [['lease', 'grant'], /^Error: lease grant command needs TTL argument\n/],
    [['lease', 'grant', 'ten'], /^Error: bad TTL "ten": expecting a decimal integer\n/],
    [['lease', 'revoke'], /^Error: lease revoke command needs 1 argument\n/],
    [['lease', 'revoke', 'xyz'], /^Error: bad lease ID "xyz", expecting ID in hex\n/],
    [['put', 'k', 'v', '--lease', '0x12'], /^Error: bad lease ID "0x12", expecting ID in hex\n/],
    [['lease', 'timetolive', 'ffffffffffffffff'], /^Error: bad lease ID .*below 2\^53\n/],
    [['lease'], /^Error: lease needs a subcommand\n/],
    [['lease', 'renew', '1'], /^Error: unknown command "renew" for "etchctl lease"\n/],
  ]
  for (const [argv, message] of cases) {
    const r = await etchctl(argv)
    assert.equal(r.code, 1, argv.join(' '))
    assert.match(r.stderr, message, argv.join(' '))
  }
})
