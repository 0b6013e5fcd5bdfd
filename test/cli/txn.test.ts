// txn from stdin and interactively: the branch taken, etcdctl's SUCCESS/FAILURE output, the json
// shape with etcd's oneof wrapper, and bad input refused before anything is written.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cliDb, ok, typedStdin, Capture } from './harness.js'

test('txn from stdin: compares decide, success requests run, output as etcdctl', async (t) => {
  const { etchctl } = cliDb(t)
  ok(await etchctl(['put', 'k', 'v1']))
  const input = 'mod("k") = "2"\n\nput k v2\nget k\n\nget k\n\n'
  assert.equal(ok(await etchctl(['txn'], { stdin: input })).stdout, 'SUCCESS\n\nOK\n\nk\nv2\n')
  // The same txn again: k's mod revision is now 3, so the failure branch runs.
  assert.equal(ok(await etchctl(['txn'], { stdin: input })).stdout, 'FAILURE\n\nk\nv2\n')
  const del = 'value("k") = "v2"\n\ndel k --prev-kv\n\n\n'
  assert.equal(ok(await etchctl(['txn'], { stdin: del })).stdout, 'SUCCESS\n\n1\nk\nv2\n')
})

test('txn -w json: header, succeeded, responses in etcd oneof form', async (t) => {
  const { etchctl } = cliDb(t)
  const r = ok(await etchctl(['txn', '-w', 'json'], { stdin: 'version("a") = "0"\n\nput a 1\n\n\n' }))
  assert.deepEqual(JSON.parse(r.stdout), { header: { revision: 2 }, succeeded: true, responses: [{ Response: { response_put: { header: { revision: 2 } } } }] })
  const f = ok(await etchctl(['txn', '-w', 'json'], { stdin: 'version("a") = "0"\n\n\nget a --keys-only\n\n' }))
  assert.deepEqual(JSON.parse(f.stdout), {
    header: { revision: 2 },
    responses: [{ Response: { response_range: { header: { revision: 2 }, kvs: [{ key: 'YQ==', create_revision: 2, mod_revision: 2, version: 1 }], count: 1 } } }],
  })
})

test('txn -i prompts for each section and runs without waiting for the end of input', async (t) => {
  const { etchctl } = cliDb(t)
  const stdin = typedStdin()
  const stdout = new Capture()
  const running = etchctl(['txn', '-i'], { stdin, stdout })
  await stdout.until((s) => s.includes('compares:\n'))
  stdin.write('create("n") = "0"\n\n')
  await stdout.until((s) => s.includes('success requests (get, put, del):\n'))
  stdin.write('put n 1\n\n')
  await stdout.until((s) => s.includes('failure requests (get, put, del):\n'))
  stdin.write('\n')
  const r = ok(await running)
  assert.equal(r.stdout, 'compares:\nsuccess requests (get, put, del):\nfailure requests (get, put, del):\nSUCCESS\n\nOK\n')
  stdin.end()
})

test('bad txn input is a usage error with exit 1, and nothing is written', async (t) => {
  const { etchctl } = cliDb(t)
  ok(await etchctl(['put', 'k', 'v']))
  const bad = await etchctl(['txn'], { stdin: 'mod("k") = "2"\n\nput k\n\n\n' })
  assert.equal(bad.code, 1)
  assert.equal(bad.stderr, "Error: invalid txn request: put k (put command needs 1 argument and input from stdin or 2 arguments)\nRun 'etchctl txn --help' for usage.\n")
  const malformed = await etchctl(['txn'], { stdin: 'mod(k) = 2\n\n\n\n' })
  assert.equal(malformed.code, 1)
  assert.match(malformed.stderr, /^Error: malformed comparison: mod\(k\) = 2\n/)
  assert.equal(ok(await etchctl(['get', 'k', '-w', 'json'])).stdout.includes('"revision":2'), true, 'still at revision 2')
  const dup = await etchctl(['txn'], { stdin: '\nput a 1\nput a 2\n\n\n' })
  assert.equal(dup.code, 1)
  assert.match(dup.stderr, /^Error: etcdserver: duplicate key given in txn request .*\(Invalid\)\n$/)
  const args = await etchctl(['txn', 'extra'])
  assert.equal(args.code, 1)
  assert.match(args.stderr, /^Error: txn command does not accept argument\n/)
})
