// The encryption layer's public face: other layers import from here only.
// Pure value transformer (bytes in, bytes out) plus key-source.ts, its one module doing I/O.
export { createTransformer, EncryptionTransformer } from './transformer.js'
export type { TransformedValue, ValueTransformer } from './resource-transformer.js'
export type { EncryptionConfig, NamedKey, ProviderConfig, ResourceConfig } from './config.js'
export { DecryptError, EncryptError, KeyServiceError } from './errors.js'
export { SecretKey, secretKeyBytes } from './secret-key.js'
export { LocalKeyEncryptionService } from './local-kms.js'
export type { KeyEncryptionService } from './key-encryption-service.js'
export { resolveConfigFile, type KeyRef, type ResolveOptions } from './config-file.js'
export { loadEncryptionConfig, readKeyFromEnv, readKeyFromFile, type LoadOptions } from './key-source.js'
export { seedCacheMax } from './kms-provider.js'
