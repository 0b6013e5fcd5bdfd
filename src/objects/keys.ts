// Key checks like Kubernetes' PrepareKey: a key never walks out of its folder through '.' or '..'
// segments. Keys are used verbatim (no path prefix is added: the caller owns the key space).
import { InvalidArgumentError } from '../util/index.js'

/**
 * The key to read or write. `recursive` (a collection: list, count) adds a trailing '/' so that
 * listing "/pods/a" does not also return "/pods/ab".
 */
export function prepareKey(key: string, recursive: boolean): string {
  if (typeof key !== 'string') throw new InvalidArgumentError(`objects: key must be a string, got ${typeof key}`)
  if (key === '' || key === '/') throw new InvalidArgumentError(`objects: invalid key: ${JSON.stringify(key)}`)
  for (const segment of key.split('/')) {
    if (segment === '.' || segment === '..') throw new InvalidArgumentError(`objects: invalid key: ${JSON.stringify(key)} (no '.' or '..' segments)`)
  }
  return recursive && !key.endsWith('/') ? `${key}/` : key
}
