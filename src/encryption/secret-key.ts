// Key material (AES keys, HKDF seeds, KEKs) lives only inside SecretKey, which redacts itself in
// every way an object gets printed: String(), template strings, JSON.stringify, util.inspect and
// console.log. The bytes sit in a KeyObject behind a #private field, so neither Object.keys, a
// spread nor inspect's property walk can reach them.
import { createSecretKey, KeyObject, randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { InvalidArgumentError } from '../util/index.js'

/** AES-256 keys, HKDF seeds and KEKs are all exactly this long. */
export const secretKeyBytes = 32

const redacted = 'SecretKey(<redacted>)'
// Standard base64 of 32 bytes: 43 significant characters and one '=' of padding. Buffer.from(…,
// 'base64') skips characters it does not know, so a typo would silently give another key.
const base64Key = /^[A-Za-z0-9+/]{43}=$/

export class SecretKey {
  readonly #key: KeyObject

  private constructor(key: KeyObject) {
    this.#key = key
  }

  /** Copies the bytes; the caller should zero its own copy (`bytes.fill(0)`) afterwards. */
  static fromBytes(bytes: Uint8Array, what: string): SecretKey {
    if (bytes.length !== secretKeyBytes) {
      throw new InvalidArgumentError(`encryption: ${what} must be ${secretKeyBytes} bytes, got ${bytes.length}`)
    }
    // An all-zero key is a placeholder left in a config, not a random key.
    if (bytes.every((b) => b === 0)) throw new InvalidArgumentError(`encryption: ${what} is all zero bytes`)
    return new SecretKey(createSecretKey(bytes))
  }

  /**
   * Wraps a KeyObject, e.g. one received by a worker thread (KeyObjects survive postMessage;
   * SecretKey's private field does not). Must be a secret key of 32 bytes.
   */
  static fromKeyObject(key: KeyObject, what: string): SecretKey {
    if (!(key instanceof KeyObject) || key.type !== 'secret' || key.symmetricKeySize !== secretKeyBytes) {
      throw new InvalidArgumentError(`encryption: ${what} must be a secret KeyObject of ${secretKeyBytes} bytes`)
    }
    return new SecretKey(key)
  }

  /** `text` is base64 of 32 random bytes (`head -c 32 /dev/urandom | base64`); whitespace around it is ignored. */
  static fromBase64(text: string, what: string): SecretKey {
    const trimmed = text.trim()
    if (!base64Key.test(trimmed)) {
      // Say what was wrong without echoing the text, which may be a real key with a typo.
      throw new InvalidArgumentError(
        `encryption: ${what} must be base64 of ${secretKeyBytes} bytes (44 characters ending in '='), got ${trimmed.length} characters`,
      )
    }
    const bytes = Buffer.from(trimmed, 'base64')
    try {
      return SecretKey.fromBytes(bytes, what)
    } finally {
      bytes.fill(0)
    }
  }

  /** A fresh random key (data-key seeds, tests). */
  static generate(): SecretKey {
    const bytes = randomBytes(secretKeyBytes)
    try {
      return new SecretKey(createSecretKey(bytes))
    } finally {
      bytes.fill(0)
    }
  }

  /** For the ciphers of this layer: createCipheriv and hkdfSync take a KeyObject directly. */
  keyObject(): KeyObject {
    return this.#key
  }

  toString(): string {
    return redacted
  }

  toJSON(): string {
    return redacted
  }

  [inspect.custom](): string {
    return redacted
  }
}
