import { StorageError } from '../util/index.js'

/** More watchers than watchersMax are open: cancel some, or raise the limit. */
export class TooManyWatchersError extends StorageError {
  constructor(readonly watchersMax: number) {
    super('TooManyRequests', `watch: too many watchers (watchersMax ${watchersMax})`)
  }
}
