// The PatchEngine the write handlers use, over the pure patch functions: picks the engine by
// media type, decodes the patch body, and turns patch and apply errors into Statuses.
import type { KubeObject } from '../codec/index.js'
import { ApiError } from './api-error.js'
import type { PatchEngine } from './handlers/context.js'
import { parseJson } from './http/decode.js'
import {
  applyJsonPatch,
  applyMergePatch,
  ApplyConflictError,
  applyStrategicMergePatch,
  mediaTypeOf,
  parseApplyPatch,
  PatchError,
  patchTypeOf,
  patchTypes,
  serverSideApply,
  strategicSchemaFor,
  trackUpdate,
  type KubeObject as PatchObject,
} from './patch/index.js'

export function patchEngine(): PatchEngine {
  return {
    mediaTypes: patchTypes.map(mediaTypeOf),
    apply(mediaType, current, body, o) {
      const type = patchTypeOf(mediaType)
      try {
        switch (type) {
          case 'json':
            return applyJsonPatch(current, parseJson(body)) as KubeObject
          case 'merge':
            return applyMergePatch(current, parseJson(body)) as KubeObject
          case 'strategic': {
            const schema = strategicSchemaFor(current?.apiVersion ?? '', current?.kind ?? '')
            if (schema === undefined) return applyMergePatch(current, parseJson(body)) as KubeObject
            return applyStrategicMergePatch(current, parseJson(body), schema) as KubeObject
          }
          case 'apply': {
            const config = parseApplyPatch(body.toString('utf8'))
            return serverSideApply(current as unknown as PatchObject | undefined, config, { manager: o.manager, force: o.force, now: o.now, subresource: o.subresource }) as unknown as KubeObject
          }
          default:
            throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${patchTypes.map(mediaTypeOf).join(', ')}`)
        }
      } catch (err) {
        throw toApiError(err, o.resource.kind, o.resource.group, current?.metadata.name ?? '')
      }
    },
    track(old, next, o) {
      return trackUpdate(old as unknown as PatchObject | undefined, next as unknown as PatchObject, { manager: o.manager, now: o.now, subresource: o.subresource }) as unknown as KubeObject
    },
  }
}

function toApiError(err: unknown, kind: string, group: string, name: string): unknown {
  if (err instanceof ApplyConflictError) return new ApiError('Conflict', err.message, { name, group, kind, causes: err.causes })
  if (err instanceof PatchError) return new ApiError(err.code, err.message)
  return err
}
