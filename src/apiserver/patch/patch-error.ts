// Errors of the patch engines. The code is the Kubernetes StatusReason the server answers with:
// 'Invalid' (422) when a well-formed patch cannot apply to the object, 'BadRequest' (400) when the
// patch itself is malformed, 'UnsupportedMediaType' (415) for a patch type the resource refuses,
// 'RequestEntityTooLarge' (413) for a JSON patch of more operations than the server takes.
import { StorageError, type StatusReason } from '../../util/index.js'
import type { PatchType } from './patch-type.js'
import { mediaTypeOf } from './patch-type.js'

export class PatchError extends StorageError {
  constructor(code: Extract<StatusReason, 'Invalid' | 'BadRequest' | 'UnsupportedMediaType' | 'RequestEntityTooLarge'>, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }

  /** The 415 the real server gives for a content type it does not accept on this resource
   *  (strategic merge patch on a custom resource, an unknown media type). */
  static unsupported(contentType: string, accepted: readonly PatchType[]): PatchError {
    const list = accepted.map(mediaTypeOf).join(', ')
    return new PatchError(
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${list}`,
      { cause: contentType },
    )
  }
}
