// etcdctl's txn language: compares of every target, Go quoting, put/get/del lines with flags,
// sections split at empty lines, and the messages for malformed input.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { UsageError } from '../../src/cli/errors.js'
import { argify, parseCompare, parseRequestOp, parseTxnText, scanQuoted } from '../../src/cli/txn-parser.js'

test('compares: every target and operator, with etcdctl short names', () => {
  assert.deepEqual(parseCompare('mod("key1") > "0"'), { key: 'key1', target: 'MOD', result: 'GREATER', value: 0 })
  assert.deepEqual(parseCompare('m("k") = "5"'), { key: 'k', target: 'MOD', result: 'EQUAL', value: 5 })
  assert.deepEqual(parseCompare('create("k") != "2"'), { key: 'k', target: 'CREATE', result: 'NOT_EQUAL', value: 2 })
  assert.deepEqual(parseCompare('c("k") < "3"'), { key: 'k', target: 'CREATE', result: 'LESS', value: 3 })
  assert.deepEqual(parseCompare('version("k") = "1"'), { key: 'k', target: 'VERSION', result: 'EQUAL', value: 1 })
  assert.deepEqual(parseCompare('ver("k") = "0"'), { key: 'k', target: 'VERSION', result: 'EQUAL', value: 0 })
  assert.deepEqual(parseCompare('value("k") > "x y"'), { key: 'k', target: 'VALUE', result: 'GREATER', value: 'x y' })
  assert.deepEqual(parseCompare('val("k") = ""'), { key: 'k', target: 'VALUE', result: 'EQUAL', value: '' })
  assert.deepEqual(parseCompare('lease("k") = "694d7a3b"'), { key: 'k', target: 'LEASE', result: 'EQUAL', value: 0x694d7a3b })
})

test('keys and values are Go-quoted: escapes, raw strings, UTF-8', () => {
  assert.deepEqual(parseCompare('value("a\\"b\\x00\\n") = `raw \\n`'), { key: 'a"b\0\n', target: 'VALUE', result: 'EQUAL', value: 'raw \\n' })
  assert.equal(scanQuoted('"h\\u00e9\\101"')?.value, 'hé\x41')
  assert.equal(scanQuoted('"unterminated'), undefined)
  assert.deepEqual(argify(`put k "a b" 'c d' --prev-kv`), ['put', 'k', 'a b', 'c d', '--prev-kv'])
})

test('malformed compares get etcdctl messages', () => {
  const bad: Array<[string, RegExp]> = [
    ['mod "k" = "1"', /^malformed comparison: mod "k" = "1"$/],
    ['mod(k) = "1"', /^malformed comparison/],
    ['mod("k") = 1', /^malformed comparison/],
    ['mod("k") =', /^malformed comparison/],
    ['size("k") = "1"', /^malformed comparison: .* \(unknown target size\)$/],
    ['mod("k") >= "1"', /\(unknown operator >=\)$/],
    ['mod("k") = "x"', /^invalid txn compare request: mod\("k"\) = "x"$/],
    ['lease("k") = "zz"', /^invalid txn compare request/],
  ]
  for (const [line, message] of bad) assert.throws(() => parseCompare(line), (e: unknown) => e instanceof UsageError && message.test(e.message), line)
})

test('requests: put, get and del lines take their command flags', async () => {
  assert.deepEqual(await parseRequestOp('put k v --prev-kv --lease=1f'), { put: { key: 'k', value: 'v', prevKv: true, lease: 0x1f } })
  assert.deepEqual(await parseRequestOp('get p --prefix --limit 2 --keys-only'), { range: { key: 'p', prefix: true, limit: 2, keysOnly: true } })
  assert.deepEqual(await parseRequestOp('del a z --prev-kv'), { deleteRange: { key: 'a', rangeEnd: 'z', prevKv: true } })
  assert.deepEqual(await parseRequestOp('put k "two words"'), { put: { key: 'k', value: 'two words' } })
  for (const line of ['put k', 'watch k', 'get k --bogus', 'get', 'del k --prefix --from-key']) {
    await assert.rejects(parseRequestOp(line), (e: unknown) => e instanceof UsageError && /^invalid txn (compare )?request/.test(e.message), line)
  }
})

test('sections end at empty lines; a missing section is empty', async () => {
  const text = 'mod("k") = "0"\nvalue("j") = "x"\n\nput k v\nget j\n\ndel k\n\n'
  assert.deepEqual(await parseTxnText(text), {
    compare: [
      { key: 'k', target: 'MOD', result: 'EQUAL', value: 0 },
      { key: 'j', target: 'VALUE', result: 'EQUAL', value: 'x' },
    ],
    success: [{ put: { key: 'k', value: 'v' } }, { range: { key: 'j' } }],
    failure: [{ deleteRange: { key: 'k' } }],
  })
  assert.deepEqual(await parseTxnText('\nput a b\n'), { compare: [], success: [{ put: { key: 'a', value: 'b' } }], failure: [] })
  assert.deepEqual(await parseTxnText(''), { compare: [], success: [], failure: [] })
})
