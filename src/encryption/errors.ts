// Operating errors of the encryption layer. Messages name the storage key (printable form) and
// what went wrong, never key material or plaintext: they end up in logs and HTTP responses.
import { StorageError, describeKey } from '../util/index.js'

/**
 * A stored value could not be turned back into plaintext: tampered, truncated, moved to another
 * key, written under a provider or key that is not configured, or a key service refused to unwrap
 * its seed. Kubernetes answers 500 for an undecryptable object, hence InternalError.
 */
export class DecryptError extends StorageError {
  /** The storage key in printable form (util describeKey). */
  readonly key: string

  constructor(
    storageKey: Uint8Array,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    const key = describeKey(storageKey)
    super('InternalError', `encryption: cannot decrypt the value of key ${key}: ${reason}`, options)
    this.key = key
  }
}

/** A value could not be encrypted: only a key encryption service failing to wrap a seed does this. */
export class EncryptError extends StorageError {
  readonly key: string

  constructor(
    storageKey: Uint8Array,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    const key = describeKey(storageKey)
    super('InternalError', `encryption: cannot encrypt the value of key ${key}: ${reason}`, options)
    this.key = key
  }
}

/** A key encryption service could not wrap or unwrap a seed (it knows no storage key). */
export class KeyServiceError extends StorageError {
  constructor(message: string) {
    super('InternalError', message)
  }
}
