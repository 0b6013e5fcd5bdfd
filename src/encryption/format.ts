// The stored value's header (docs/encryption-format.md). An encrypted value starts with
//   etch:enc:<provider>:v1:<name>:
// in ASCII, followed by the provider's binary body. Example: `etch:enc:aesgcm:v1:key2:` then a
// nonce, the ciphertext and the tag. A value that does not start with `etch:enc:` is plaintext.
// The header names provider and key so a value stays readable after the key list is rotated.

/** Every encrypted (or escaped) value starts with these bytes. */
export const magic = Buffer.from('etch:enc:', 'latin1')

/**
 * Provider names as they appear in stored values. PERSISTED: DO-NOT-RENAME; add a new name for a
 * new body layout instead of changing one.
 */
export const providerTokens = {
  identity: 'identity',
  aesgcm: 'aesgcm',
  aesgcmHkdf: 'aesgcm-hkdf',
  kms: 'kms',
} as const

export type ProviderType = keyof typeof providerTokens
export type ProviderToken = (typeof providerTokens)[ProviderType]

/** Body layout version. PERSISTED: DO-NOT-RENUMBER. */
export const formatVersion = 'v1'

/** Key names and kms provider names: short, printable, no ':' (the header's separator). */
export const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const nameBytesMax = 64
const tokenBytesMax = 16
const colon = 0x3a

/** `etch:enc:<token>:v1:` plus `<name>:` for every provider but identity (which has no keys). */
export function headerBytes(token: ProviderToken, name: string | undefined): Buffer {
  const tail = name === undefined ? '' : `${name}:`
  return Buffer.from(`etch:enc:${token}:${formatVersion}:${tail}`, 'latin1')
}

export type ParsedHeader =
  | { kind: 'plain' }
  | { kind: 'malformed'; reason: string }
  /** `name` is '' for identity; `bodyOffset` is the first byte after the header. */
  | { kind: 'sealed'; provider: string; version: string; name: string; bodyOffset: number }

export function startsWithMagic(bytes: Uint8Array): boolean {
  if (bytes.length < magic.length) return false
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false
  return true
}

/**
 * Reads the header from the first byte on, never looking past the final ':', so the header is
 * self-delimiting: no two different headers can be prefixes of one another. The AAD relies on
 * that (gcm.ts). Tokens are bounded, so a value of garbage costs at most ~100 byte comparisons.
 */
export function parseHeader(stored: Uint8Array): ParsedHeader {
  if (!startsWithMagic(stored)) return { kind: 'plain' }
  const provider = readToken(stored, magic.length, tokenBytesMax)
  if (provider === undefined) return { kind: 'malformed', reason: 'malformed header: no provider name' }
  const version = readToken(stored, provider.next, tokenBytesMax)
  if (version === undefined) return { kind: 'malformed', reason: 'malformed header: no format version' }
  if (provider.text === providerTokens.identity) {
    return { kind: 'sealed', provider: provider.text, version: version.text, name: '', bodyOffset: version.next }
  }
  const name = readToken(stored, version.next, nameBytesMax)
  if (name === undefined) return { kind: 'malformed', reason: 'malformed header: no key name' }
  return { kind: 'sealed', provider: provider.text, version: version.text, name: name.text, bodyOffset: name.next }
}

/** The printable token starting at `start` and ending before a ':', or undefined. */
function readToken(bytes: Uint8Array, start: number, lengthMax: number): { text: string; next: number } | undefined {
  const end = Math.min(bytes.length, start + lengthMax + 1)
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number
    if (b === colon) {
      if (i === start) return undefined
      // Printable ASCII, at most a few dozen bytes: char codes beat copying into a Buffer to decode it.
      return { text: String.fromCharCode.apply(null, bytes.subarray(start, i) as unknown as number[]), next: i + 1 }
    }
    if (b < 0x21 || b > 0x7e) return undefined
  }
  return undefined
}
