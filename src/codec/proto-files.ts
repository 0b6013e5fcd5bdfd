// Loading .proto files with protobufjs: the only I/O in the codec, done once when a registry or
// the envelope type is built. Imports resolve against the importing file's directory first, then
// the include directories (the shipped proto/ is always one, so user schemas can import
// "etchlog/meta/v1/meta.proto").
import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import type { Root } from 'protobufjs'
import { InvalidArgumentError } from '../util/index.js'

/** proto/ at the package root, found from this module so it works from any working directory. */
export const shippedProtoDir: string = fileURLToPath(new URL('../../proto/', import.meta.url))

/** Loads `files` (absolute, or relative to an include directory) into `root`. */
export function loadProtoFiles(root: Root, files: readonly string[], includeDirs: readonly string[] = []): void {
  const dirs = [...includeDirs, shippedProtoDir]
  const find = (origin: string | null, target: string): string => {
    if (isAbsolute(target)) return target
    const candidates = [...(origin ? [join(dirname(origin), target)] : []), ...dirs.map((d) => join(d, target))]
    return candidates.find((c) => existsSync(c)) ?? resolve(target)
  }
  root.resolvePath = (origin, target) => find(origin || null, target)
  try {
    // keepCase: field names stay as written, which are the objects' JSON names.
    root.loadSync(files.map((f) => find(null, f)), { keepCase: true })
    root.resolveAll()
  } catch (err) {
    throw new InvalidArgumentError(`codec: cannot load proto files ${files.join(', ')}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

export function newRoot(): Root {
  return new protobuf.Root()
}
