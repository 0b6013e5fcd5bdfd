// /openapi/v3 (index and one document per group-version) and /openapi/v2, rebuilt when the
// catalog changes (a CRD is served or removed).
import { ApiError } from './api-error.js'
import { sendJson } from './http/io.js'
import { openApiV2Answer, type OpenApiBuilder } from './openapi/index.js'
import type { NonResourceHandler } from './router.js'

export function openApiRoutes(builder: OpenApiBuilder): NonResourceHandler {
  return (req, res, info) => {
    if (info.verb !== 'get') return false
    const path = info.path.replace(/\/+$/, '')
    if (path === '/openapi/v3') {
      sendJson(res, 200, builder.v3Index())
      return true
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = builder.v3Document(path.slice('/openapi/v3/'.length))
      if (doc === undefined) throw new ApiError('NotFound', 'the server could not find the requested resource')
      sendJson(res, 200, doc)
      return true
    }
    if (path === '/openapi/v2') {
      // kubectl asks for the protobuf form only; a 406 makes it fall back to its compiled-in types,
      // which carry the strategic-merge keys a JSON document from here would lack.
      if (openApiV2Answer(req.headers.accept) === 'not-acceptable') throw new ApiError('NotAcceptable', 'only application/json is served for /openapi/v2')
      sendJson(res, 200, builder.v2Document())
      return true
    }
    return false
  }
}
