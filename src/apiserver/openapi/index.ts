// OpenAPI documents of the API server (/openapi/v2, /openapi/v3) and the schema catalog the
// validator shares with them.
export type { JsonSchema } from './json-schema.js'
export { loadKubernetesSchemas, gvkKey, splitApiVersion, type SchemaCatalog, type GroupVersionKind } from './kubernetes-schemas.js'
export { OpenApiBuilder, openApiV2Answer } from './openapi-builder.js'
export { groupVersionPath, type ServedResource } from './openapi-paths.js'
export { definitionNameFor, permissiveKindSchema, structuralKindSchema } from './kind-schemas.js'
