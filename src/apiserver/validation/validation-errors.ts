// The typed errors a handler throws after validation, carrying what the Status needs.

import { StorageError } from '../../util/index.js'
import type { StatusCause } from './status-cause.js'

/** "Deployment.apps" for a grouped kind, "ConfigMap" for the core group (the server's wording). */
export function qualifiedKind(group: string, kind: string): string {
  return group === '' ? kind : `${kind}.${group}`
}

/** `Deployment.apps "web" is invalid: <cause>` or, for several, `…: [<cause>, <cause>]`. */
export function invalidMessage(group: string, kind: string, name: string, causes: readonly StatusCause[]): string {
  const parts = causes.map((c) => (c.field === '' ? c.message : `${c.field}: ${c.message}`))
  const list = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`
  return `${qualifiedKind(group, kind)} "${name}" is invalid: ${list}`
}

/** 422: the object breaks its schema, metadata or update rules. */
export class ObjectInvalidError extends StorageError {
  constructor(
    readonly group: string,
    readonly kind: string,
    readonly objectName: string,
    readonly causes: readonly StatusCause[],
  ) {
    super('Invalid', invalidMessage(group, kind, objectName, causes))
  }
}

/** 400: fieldValidation=Strict and the body has unknown (or duplicate) fields. */
export class StrictDecodingError extends StorageError {
  constructor(message: string) {
    super('BadRequest', message)
  }
}
