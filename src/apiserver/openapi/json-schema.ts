// The schema shape used across openapi/ and validation/: plain JSON (OpenAPI 3 / Swagger 2
// schema objects with Kubernetes' x-kubernetes-* extensions). Kept loose on purpose: the
// documents are data we pass through, and the validator reads only the keywords it knows.

export interface JsonSchema {
  [keyword: string]: unknown
  type?: string | string[]
  description?: string
  properties?: Record<string, JsonSchema>
  additionalProperties?: JsonSchema | boolean
  items?: JsonSchema
  required?: string[]
  enum?: unknown[]
  $ref?: string
  allOf?: JsonSchema[]
}
