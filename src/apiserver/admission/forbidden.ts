// The 403 admission plugins answer with: kube's admission.NewForbidden wording,
// `pods "web" is forbidden: <reason>`, and several reasons as an aggregate `[a, b]`.
import { ApiError, qualifiedResource } from '../api-error.js'
import type { WriteAttempt } from '../handlers/context.js'

export function forbidden(w: WriteAttempt, reasons: string | readonly string[]): ApiError {
  const list = typeof reasons === 'string' ? [reasons] : reasons
  const reason = list.length === 1 ? (list[0] ?? '') : `[${list.join(', ')}]`
  const name = w.object?.metadata.name ?? w.name
  return new ApiError('Forbidden', `${qualifiedResource(w.resource)} ${JSON.stringify(name ?? '')} is forbidden: ${reason}`, { name: name ?? '', group: w.resource.group, kind: w.resource.resource })
}

/** A shallow JSON copy, so a plugin never edits the object another hook or retry still holds. */
export function clone<T>(value: T): T {
  return structuredClone(value)
}
