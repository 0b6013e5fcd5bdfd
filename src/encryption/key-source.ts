// The edge of the encryption layer: the only module that reads files and the environment. Keys
// are base64 of 32 random bytes (`head -c 32 /dev/urandom | base64 > key1.b64`), held in a file or
// an environment variable and never in code. Errors name the variable or file, never its contents.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { InvalidArgumentError } from '../util/index.js'
import type { EncryptionConfig } from './config.js'
import { resolveConfigFile, type KeyRef } from './config-file.js'
import type { KeyEncryptionService } from './key-encryption-service.js'
import { SecretKey } from './secret-key.js'

export interface LoadOptions {
  /** Defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Services for kms providers configured without local keks, by provider name. */
  readonly keyEncryptionServices?: Readonly<Record<string, KeyEncryptionService>>
}

/** Reads a JSON config (config-file.ts) and the keys it references; key file paths are relative to it. */
export function loadEncryptionConfig(path: string, options: LoadOptions = {}): EncryptionConfig {
  const text = readText(path, 'encryption config file')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    // The config holds references, not keys, so the parser's message may be passed on.
    throw new InvalidArgumentError(`encryption: config file ${path} is not valid JSON: ${String(error)}`)
  }
  const baseDir = dirname(resolve(path))
  const env = options.env ?? process.env
  return resolveConfigFile(json, {
    readKey: (ref, where) => readKey(ref, where, baseDir, env),
    ...(options.keyEncryptionServices === undefined ? {} : { keyEncryptionServices: options.keyEncryptionServices }),
  })
}

export function readKeyFromEnv(variable: string, env: Readonly<Record<string, string | undefined>> = process.env): SecretKey {
  const text = env[variable]
  if (text === undefined || text === '') throw new InvalidArgumentError(`encryption: environment variable ${variable} is not set`)
  return SecretKey.fromBase64(text, `the key in environment variable ${variable}`)
}

export function readKeyFromFile(path: string): SecretKey {
  return SecretKey.fromBase64(readText(path, 'key file'), `the key in file ${path}`)
}

function readKey(ref: KeyRef, where: string, baseDir: string, env: Readonly<Record<string, string | undefined>>): SecretKey {
  try {
    return 'env' in ref ? readKeyFromEnv(ref.env, env) : readKeyFromFile(resolve(baseDir, ref.file))
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error
    throw new InvalidArgumentError(`${error.message} (${where}, key ${JSON.stringify(ref.name)})`)
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error'
    throw new InvalidArgumentError(`encryption: cannot read ${what} ${path} (${code})`)
  }
}
