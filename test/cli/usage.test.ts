// Bad command lines: etcdctl-like "Error: ..." messages with a usage hint on stderr, exit code 1,
// never a stack trace; help and version on stdout with exit code 0.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cliDb, ok, runCli } from './harness.js'

test('usage errors: message, hint, exit 1, nothing on stdout', async (t) => {
  const { etchctl } = cliDb(t)
  ok(await etchctl(['put', 'k', 'v']))
  const cases: Array<[string[], string]> = [
    [['bogus'], 'Error: unknown command "bogus" for "etchctl"\nRun \'etchctl --help\' for usage.\n'],
    [['get', '--bogus', 'k'], "Error: unknown flag: --bogus\nRun 'etchctl get --help' for usage.\n"],
    [['get'], "Error: get command needs one argument as key and an optional argument as range_end\nRun 'etchctl get --help' for usage.\n"],
    [['get', 'a', 'b', 'c'], "Error: get command needs one argument as key and an optional argument as range_end\nRun 'etchctl get --help' for usage.\n"],
    [['get', 'k', '--prefix', '--from-key'], "Error: `--prefix` and `--from-key` cannot be set at the same time, choose one\nRun 'etchctl get --help' for usage.\n"],
    [['get', 'k', 'z', '--prefix'], "Error: too many arguments, only accept one argument when `--prefix` or `--from-key` is set\nRun 'etchctl get --help' for usage.\n"],
    [['get', 'k', '--keys-only', '--count-only'], "Error: `--keys-only` and `--count-only` cannot be set at the same time, choose one\nRun 'etchctl get --help' for usage.\n"],
    [['get', 'k', '--limit', '-1'], "Error: flag needs an argument: --limit (write a value starting with '-' as --limit=-value)\nRun 'etchctl get --help' for usage.\n"],
    [['get', 'k', '--limit'], "Error: flag needs an argument: --limit\nRun 'etchctl get --help' for usage.\n"],
    [['get', 'k', '-w'], "Error: flag needs an argument: --write-out\nRun 'etchctl get --help' for usage.\n"],
    [['get', 'k', '--prefix=yes'], "Error: Option '--prefix' does not take an argument\nRun 'etchctl get --help' for usage.\n"],
    [['get', 'k', '--limit=-1'], 'Error: bad limit "-1": must be at least 0\nRun \'etchctl get --help\' for usage.\n'],
    [['get', 'k', '--order', 'UP'], "Error: bad sort order UP\nRun 'etchctl get --help' for usage.\n"],
    [['get', 'k', '-w', 'yaml'], 'Error: unknown output format "yaml" (use simple, json or table)\nRun \'etchctl get --help\' for usage.\n'],
    [['put', 'k', 'v', 'w'], "Error: put command needs 1 argument and input from stdin or 2 arguments\nRun 'etchctl put --help' for usage.\n"],
    [['put', 'k', 'v', '--ignore-value'], "Error: put command needs only 1 argument when 'ignore-value' is set\nRun 'etchctl put --help' for usage.\n"],
    [['del'], "Error: del command needs one argument as key and an optional argument as range_end\nRun 'etchctl del --help' for usage.\n"],
    [['put', 'k', 'v', '--durability', 'lazy'], "Error: bad --durability \"lazy\" (use strict or relaxed)\nRun 'etchctl put --help' for usage.\n"],
    [['endpoint', 'stats'], 'Error: unknown command "stats" for "etchctl endpoint"\nRun \'etchctl endpoint --help\' for usage.\n'],
    [['endpoint', 'status', 'extra'], "Error: endpoint status command does not accept arguments\nRun 'etchctl endpoint status --help' for usage.\n"],
  ]
  for (const [argv, stderr] of cases) {
    const r = await etchctl(argv)
    assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 1, stdout: '', stderr }, argv.join(' '))
  }
})

test('help and version', async () => {
  const global = ok(await runCli([]))
  assert.match(global.stdout, /^NAME:\n\tetchctl - /)
  for (const name of ['get', 'put', 'del', 'txn', 'watch', 'compaction', 'lease grant', 'lease keep-alive', 'endpoint status', 'defrag', 'check', 'reencrypt', 'snapshot save', 'snapshot restore', 'snapshot status']) {
    assert.match(global.stdout, new RegExp(`\\n\\t${name} +\\S`), name)
  }
  assert.equal(ok(await runCli(['--help'])).stdout, global.stdout)
  const get = ok(await runCli(['get', '--help'])).stdout
  assert.match(get, /USAGE:\n\tetchctl get \[options\] <key> \[range_end\]\n/)
  assert.match(get, /--sort-by=TARGET/)
  assert.equal(ok(await runCli(['help', 'get'])).stdout, get)
  assert.match(ok(await runCli(['lease', '--help'])).stdout, /etchctl lease keep-alive/)
  assert.match(ok(await runCli(['version'])).stdout, /^etchctl version: \d+\.\d+\.\d+\n/)
})

test('global flags may stand before or after the command', async (t) => {
  const { db } = cliDb(t)
  ok(await runCli(['put', '--db', db, 'k', 'v', '--create']))
  assert.equal(ok(await runCli(['-w', 'json', '--db', db, 'get', 'k'])).stdout.startsWith('{"header"'), true)
  assert.equal(ok(await runCli(['get', 'k', `--db=${db}`, '--write-out=table'])).stdout.startsWith('+-----+'), true)
  assert.equal(ok(await runCli(['--db', db, 'put', '--', 'dash', '-value'])).stdout, 'OK\n')
  assert.equal(ok(await runCli(['--db', db, 'get', 'dash', '--print-value-only'])).stdout, '-value\n')
})
