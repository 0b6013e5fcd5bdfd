// --db paths that are not a database: each says what is wrong with the path, and a write on a
// path that does not exist needs --create instead of making a database and its folders quietly.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { cliDb, ok, runCli } from './harness.js'

const failure = async (argv: readonly string[]): Promise<string> => {
  const r = await runCli(argv)
  assert.equal(r.code, 1, `exit code of etchctl ${argv.join(' ')}`)
  assert.equal(r.stdout, '')
  return r.stderr
}

test('a write on a missing path needs --create, and makes nothing without it', async (t) => {
  const { dir } = cliDb(t)
  const db = join(dir, 'typo', 'etchlog.db')
  assert.match(await failure(['--db', db, 'put', 'k', 'v']), /^Error: database .*typo\/etchlog\.db does not exist: add --create to make a new database there/)
  assert.equal(existsSync(join(dir, 'typo')), false, 'no folder was made')
  ok(await runCli(['--db', db, '--create', 'put', 'k', 'v']))
  assert.equal(ok(await runCli(['--db', db, 'get', 'k'])).stdout, 'k\nv\n')
  // Once it exists, writes need no flag.
  ok(await runCli(['--db', db, 'put', 'k', 'w']))
})

test('reads of a missing path say it does not exist, even with --create', async (t) => {
  const { dir } = cliDb(t)
  assert.match(await failure(['--db', join(dir, 'nope.db'), '--create', 'get', 'k']), /^Error: database .*nope\.db does not exist \(give --db or ETCHLOG_DB\)\n$/)
})

test('a directory is named as one, with the file to give instead', async (t) => {
  const { dir } = cliDb(t)
  assert.match(await failure(['--db', dir, 'get', 'k']), /^Error: --db .* is a directory: give the database file in it \(e\.g\. --db .*etchlog\.db\)\n$/)
  assert.match(await failure(['--db', dir, '--create', 'put', 'k', 'v']), /is a directory/)
})

test('an empty file is not a database; --create makes one in it', async (t) => {
  const { dir } = cliDb(t)
  const db = join(dir, 'empty.db')
  writeFileSync(db, '')
  assert.match(await failure(['--db', db, 'get', 'k']), /^Error: database .*empty\.db is an empty file, not an etchlog database\n$/)
  assert.match(await failure(['--db', db, 'put', 'k', 'v']), /empty file, not an etchlog database \(add --create to make a new database in it\)/)
  ok(await runCli(['--db', db, '--create', 'put', 'k', 'v']))
  assert.equal(ok(await runCli(['--db', db, 'get', 'k'])).stdout, 'k\nv\n')
})

test('a file that is not SQLite, and an SQLite file that is not etchlog', async (t) => {
  const { dir } = cliDb(t)
  const text = join(dir, 'notes.txt')
  writeFileSync(text, 'hello, this is not a database\n')
  assert.match(await failure(['--db', text, 'get', 'k']), /^Error: .*notes\.txt is not an etchlog database \(not an SQLite file: its header is damaged or it is another kind of file\)\n$/)
  const other = join(dir, 'other.sqlite')
  const foreign = new Database(other)
  foreign.exec('CREATE TABLE t (x)')
  foreign.close()
  assert.match(await failure(['--db', other, 'get', 'k']), /^Error: .*other\.sqlite is an SQLite database but not an etchlog one/)
})
