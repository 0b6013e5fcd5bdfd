import { StorageError, describeKey, toBytes } from '../util/index.js'

/**
 * A stored value could not be decoded: bad magic, truncated or malformed envelope, unknown kind
 * or content type, garbage body. The row is corrupt or was written by an incompatible build, so the
 * code is InternalError (Kubernetes answers 500 for an undecodable object).
 */
export class CodecError extends StorageError {
  constructor(
    readonly key: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('InternalError', `codec: cannot decode the value of key ${key}: ${reason}`, options)
  }

  static forKey(key: string | Uint8Array, reason: string, options?: { cause?: unknown }): CodecError {
    return new CodecError(describeKey(toBytes(key, 'key')), reason, options)
  }
}

/**
 * Thrown inside the decoder for a structural problem found while rebuilding an object; the
 * decoder turns it into a CodecError that names the key. Never leaves src/codec.
 */
export class CorruptValue extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options)
    this.name = 'CorruptValue'
  }
}

/**
 * Thrown while walking an object to encode it; `segments` collects the path on the way out
 * (prepended by each level), so the happy path pays nothing for path tracking.
 */
export class InvalidValue extends Error {
  readonly segments: string[] = []
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'InvalidValue'
  }

  /** Rethrows `err` with `segment` prepended when it is an InvalidValue; other errors pass through. */
  static within(err: unknown, segment: string | number): never {
    if (err instanceof InvalidValue) err.segments.unshift(String(segment))
    throw err
  }

  get path(): string {
    return this.segments.length === 0 ? '(root)' : this.segments.join('.')
  }
}
