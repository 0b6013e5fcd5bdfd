// The envelope interface of the kms provider, as Kubernetes' KMS v2 plugin API: a service that
// holds key-encryption keys (KEKs) and wraps/unwraps data-key seeds. LocalKeyEncryptionService
// implements it with KEKs from the config; a client of a remote KMS can implement it too (it must
// be synchronous, and is called once per new seed and once per distinct wrapped seed read).
/** What the kms provider needs from a key service; a remote KMS client implements the same. */
export interface KeyEncryptionService {
  /** Encrypts a 32-byte seed under the current KEK. Called once per seed, not per write. */
  wrap(seed: Uint8Array): Uint8Array
  /** Decrypts a seed wrapped by this service under any KEK it still knows. */
  unwrap(wrapped: Uint8Array): Uint8Array
  /** Names the current KEK. When it changes the provider draws a new seed, and values carrying an older id read as stale. */
  keyId(): string
}
