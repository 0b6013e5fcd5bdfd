// Schemas for kinds that kubernetes-models does not ship: CRDs (their openAPIV3Schema) and
// served kinds with no published schema at all (the OpenShift groups), which get a permissive
// object schema so that apply, explain and validation still work for them.

import type { JsonSchema } from './json-schema.js'

const objectMetaRef = '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'

const apiVersionDoc =
  'APIVersion names the versioned schema of this object (group/version, or just the version for the core group). The server uses it to decode the object.'
const kindDoc = 'Kind is the REST kind of this object, in CamelCase; the server can infer it from the URL the object is sent to.'
const metadataDoc = "Standard object's metadata: name, namespace, labels, annotations, owners and the server-managed fields."

/** "" v1 Pod -> io.k8s.api.core.v1.Pod; route.openshift.io v1 Route -> io.openshift.route.v1.Route. */
export function definitionNameFor(group: string, version: string, kind: string): string {
  const prefix = group === '' ? 'io.k8s.api.core' : group.split('.').reverse().join('.')
  return `${prefix}.${version}.${kind}`
}

function typeMeta(): Record<string, JsonSchema> {
  return {
    apiVersion: { description: apiVersionDoc, type: 'string' },
    kind: { description: kindDoc, type: 'string' },
    metadata: { description: metadataDoc, allOf: [{ $ref: objectMetaRef }] },
  }
}

function gvkExtension(group: string, version: string, kind: string): JsonSchema {
  return { 'x-kubernetes-group-version-kind': [{ group, version, kind }] }
}

/** A kind with no shipped schema: any fields are kept, only metadata is typed. */
export function permissiveKindSchema(group: string, version: string, kind: string): JsonSchema {
  return {
    description: `${kind} (${group === '' ? version : `${group}/${version}`}) is served without a published schema: fields other than metadata are not checked.`,
    type: 'object',
    properties: typeMeta(),
    'x-kubernetes-preserve-unknown-fields': true,
    ...gvkExtension(group, version, kind),
  }
}

/** A CRD's openAPIV3Schema as a kind schema: apiVersion, kind and metadata are the standard ones. */
export function structuralKindSchema(crd: JsonSchema, group: string, version: string, kind: string): JsonSchema {
  const clone = JSON.parse(JSON.stringify(crd)) as JsonSchema
  return {
    ...clone,
    type: 'object',
    properties: { ...(clone.properties ?? {}), ...typeMeta() },
    ...gvkExtension(group, version, kind),
  }
}
