// snapshot save | status | restore: a consistent copy of the database with a SHA-256 checksum
// beside it (src/snapshot.ts), its status, and a restore into a new file. status and restore
// read files only and never open a store.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { restoreSnapshot, saveSnapshot, snapshotStatus, type SnapshotStatus } from '../index.js'
import { expectPositionals } from './args.js'
import { defineCommand } from './command.js'
import { CommandError, UsageError } from './errors.js'
import type { Output } from './output.js'
import { humanBytes } from './table.js'

/** etcdctl's snapshot.Status json (hash, revision, totalKey, totalSize), plus etchlog's extras. */
function jsonSnapshot(s: SnapshotStatus): Record<string, unknown> {
  return { hash: s.sha256, revision: s.revision, totalKey: s.keys, totalSize: s.bytes, compactRevision: s.compactRevision, totalRows: s.rows }
}

function printStatus(out: Output, s: SnapshotStatus): void {
  const row = [s.sha256, String(s.revision), String(s.keys), humanBytes(s.bytes), String(s.compactRevision), String(s.rows)]
  if (out.format === 'json') out.json(jsonSnapshot(s))
  else if (out.format === 'table') out.table(['hash', 'revision', 'total keys', 'total size', 'compact revision', 'total rows'], [row])
  else out.line(row.join(', '))
}

function mustExist(path: string): void {
  if (!existsSync(path)) throw new CommandError(`snapshot file ${path} does not exist`)
}

export const snapshotSaveCommand = defineCommand({
  name: 'snapshot save',
  usage: 'snapshot save <filename>',
  summary: 'Stores a consistent copy of the database (and <filename>.sha256) while writers go on',
  options: {},
  async run(session, { positionals }) {
    expectPositionals(positionals, 1, 1, 'snapshot save expects one argument')
    const path = positionals[0] ?? ''
    const store = await session.openStore('read')
    const status = await saveSnapshot(store, path)
    if (session.out.format === 'json') session.out.json(jsonSnapshot(status))
    else session.out.line(`Snapshot saved at ${path}`)
  },
})

export const snapshotStatusCommand = defineCommand({
  name: 'snapshot status',
  usage: 'snapshot status <filename>',
  summary: 'Gets the checksum, revision, total keys and size of a snapshot (checks the checksum)',
  options: {},
  async run(session, { positionals }) {
    expectPositionals(positionals, 1, 1, 'snapshot status requires exactly one argument')
    const path = positionals[0] ?? ''
    mustExist(path)
    printStatus(session.out, snapshotStatus(path))
  },
})

export const snapshotRestoreCommand = defineCommand({
  name: 'snapshot restore',
  usage: 'snapshot restore <filename> (--output PATH | --data-dir DIR)',
  summary: 'Restores a snapshot into a new database file, after checking its checksum',
  options: { output: { type: 'string' }, 'data-dir': { type: 'string' } },
  flags: ['--output=PATH     the new database file (must not exist)', '--data-dir=DIR    a folder: the database is DIR/etchlog.db'],
  async run(session, { positionals, values }) {
    expectPositionals(positionals, 1, 1, 'snapshot restore requires exactly one argument')
    const path = positionals[0] ?? ''
    const output = values.output
    const dataDir = values['data-dir']
    if ((output === undefined) === (dataDir === undefined)) throw new UsageError('snapshot restore needs exactly one of --output and --data-dir')
    const target = output ?? join(dataDir ?? '', 'etchlog.db')
    mustExist(path)
    const status = restoreSnapshot(path, target)
    if (session.out.format === 'json') session.out.json({ ...jsonSnapshot(status), output: target })
    else session.out.line(`Restored snapshot ${path} (revision ${status.revision}, ${status.keys} keys) to ${target}`)
  },
})
