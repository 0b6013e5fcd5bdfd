// The flags of `npm start`: defaults, parsing, and refusals with a message naming the flag.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError } from '../../src/index.js'
import { defaultWorkloadOptions, parseWorkloadArgs } from '../../src/workload/index.js'

const seed = (): number => 1234

test('no flags give the defaults, with the supplied random seed', () => {
  assert.deepEqual(parseWorkloadArgs([], seed), { ...defaultWorkloadOptions, seed: 1234 })
})

test('every flag is parsed', () => {
  const argv = ['--nodes', '5', '--controllers', '40', '--duration', '2.5', '--speedup', '100', '--db', '/tmp/x.db', '--seed', '9']
  argv.push('--event-ttl', '3600', '--durability', 'relaxed', '--progress-every', '0.5')
  assert.deepEqual(parseWorkloadArgs(argv, seed), {
    nodes: 5,
    controllers: 40,
    durationSeconds: 2.5,
    speedup: 100,
    dbPath: '/tmp/x.db',
    seed: 9,
    eventTtlSeconds: 3600,
    durability: 'relaxed',
    progressEverySeconds: 0.5,
  })
  assert.equal(parseWorkloadArgs(['--help'], seed), 'help')
})

test('bad flags are refused with InvalidArgumentError naming the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--nodes', '0'], /--nodes/],
    [['--nodes', '1.5'], /--nodes/],
    [['--controllers', '2'], /--controllers/],
    [['--duration', 'abc'], /--duration/],
    [['--speedup', '-1'], /--speedup/],
    [['--durability', 'none'], /--durability/],
    [['--db', ':memory:'], /--db/],
    [['--bogus'], /bogus/],
    [['extra'], /extra/],
  ]
  for (const [argv, message] of cases) {
    assert.throws(() => parseWorkloadArgs(argv, seed), (err: unknown) => err instanceof InvalidArgumentError && message.test(err.message), argv.join(' '))
  }
})
