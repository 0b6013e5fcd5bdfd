// One etchctl invocation's surroundings: the streams, the global flags, and the store, opened on
// demand (snapshot status and restore never open one) and closed when the command ends, so
// queued writes are committed before the process exits.
import type { Readable, Writable } from 'node:stream'
import { encryption, openStore, systemClock, type Clock, type Durability, type OpenStoreOptions, type Store } from '../index.js'
import type { globalOptions, Values } from './args.js'
import { checkDbPath, explainOpenError, type OpenMode } from './db-path.js'
import { UsageError } from './errors.js'
import { Output, parseOutputFormat } from './output.js'
import { RemoteStore } from './remote-store.js'

export interface CliIo {
  stdin: Readable
  stdout: Writable
  stderr: Writable
  /** ETCHLOG_DB and the variables an encryption config names. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>
  /** Aborting ends watch, lease keep-alive and an interactive txn (the bin aborts on SIGINT). */
  signal?: AbortSignal
  /** Time for leases, keep-alive intervals and watch progress. Default: the system clock. */
  clock?: Clock
  /** More openStore options (tests shorten intervals with them). */
  storeOptions?: Omit<OpenStoreOptions, 'path' | 'durability' | 'transformer' | 'clock'>
}

export const defaultDbPath = './data/etchlog.db'

export class Session {
  readonly out: Output
  readonly dbPath: string
  readonly clock: Clock
  readonly signal: AbortSignal
  private readonly durability: Durability | undefined
  // The open store, if a command asked for one; closed by close().
  private store: Store | undefined
  // The loaded encryption config, if --encryption-config was given and a command needed it.
  private config: encryption.EncryptionConfig | undefined

  constructor(
    readonly io: CliIo,
    private readonly globals: Values<typeof globalOptions>,
  ) {
    this.out = new Output(parseOutputFormat(globals['write-out']), io.stdout, globals.hex === true)
    const env = io.env ?? process.env
    const fromEnv = env['ETCHLOG_DB']
    this.dbPath = globals.db ?? (fromEnv === undefined || fromEnv === '' ? defaultDbPath : fromEnv)
    const durability = globals.durability
    if (durability !== undefined && durability !== 'strict' && durability !== 'relaxed') {
      throw new UsageError(`bad --durability "${durability}" (use strict or relaxed)`)
    }
    this.durability = durability
    this.clock = io.clock ?? systemClock
    // A signal that never fires when the caller gave none, so commands need not check.
    this.signal = io.signal ?? new AbortController().signal
  }

  get env(): Readonly<Record<string, string | undefined>> {
    return this.io.env ?? process.env
  }

  /**
   * The store on --db. `existing`: the file must be there (a read of a mistyped path should not
   * create an empty database); `create`: a write that could start a database, made if missing
   * only with --create (a mistyped path must not become a new database); `read`: must exist and
   * is opened read-only, so a read never writes the file (nor expires leases there).
   */
  async openStore(mode: OpenMode): Promise<Store> {
    if (this.store !== undefined) return this.store
    const endpoints = this.globals.endpoints
    if (endpoints !== undefined && endpoints !== '') {
      // --endpoints: etcd v3 gRPC to the first endpoint instead of the file (remote-store.ts); it
      // answers the calls commands make, so it stands in for the Store.
      this.store = new RemoteStore(endpoints.split(',')[0] as string) as unknown as Store
      return this.store
    }
    checkDbPath(this.dbPath, mode, this.globals.create === true)
    const config = this.encryptionConfig()
    const transformer = config === undefined ? undefined : encryption.createTransformer(config)
    this.store = await this.open({
      ...this.io.storeOptions,
      path: this.dbPath,
      clock: this.clock,
      ...(this.durability === undefined ? {} : { durability: this.durability }),
      ...(transformer === undefined ? {} : { transformer }),
      ...(mode === 'read' && this.dbPath !== ':memory:' ? { readOnly: true } : {}),
    })
    return this.store
  }

  private async open(options: OpenStoreOptions): Promise<Store> {
    try {
      return await openStore(options)
    } catch (err) {
      throw explainOpenError(this.dbPath, err)
    }
  }

  /** The --encryption-config, loaded once (keys read from their files or variables). */
  encryptionConfig(): encryption.EncryptionConfig | undefined {
    const path = this.globals['encryption-config']
    if (path === undefined) return undefined
    this.config ??= encryption.loadEncryptionConfig(path, { env: this.env })
    return this.config
  }

  async close(): Promise<void> {
    const store = this.store
    this.store = undefined
    await store?.close()
  }
}
