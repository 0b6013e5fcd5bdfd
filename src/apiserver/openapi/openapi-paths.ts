// The `paths` section of the OpenAPI documents: one entry per collection, object and
// subresource of every served resource, with the operations its verbs allow. kubectl reads
// only the `patch` operations here (their x-kubernetes-group-version-kind and the
// fieldValidation query parameter decide whether it trusts the server to validate, see
// shared/reference/kubectl-surface.md §3); the rest keeps the documents honest for generators.

import type { JsonSchema } from './json-schema.js'

export interface ServedResource {
  group: string
  version: string
  /** Plural resource name, e.g. `deployments`. */
  resource: string
  kind: string
  namespaced: boolean
  verbs: string[]
  /** `status`, `scale`, … */
  subresources: string[]
}

export type DocStyle = 'v2' | 'v3'

type Operation = Record<string, unknown>

/** "" -> "api/v1"; "apps" -> "apis/apps/v1": the key of the v3 index and the URL prefix. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`
}

function ref(style: DocStyle, name: string): JsonSchema {
  return { $ref: style === 'v3' ? `#/components/schemas/${name}` : `#/definitions/${name}` }
}

function queryParam(style: DocStyle, name: string, description: string, type = 'string'): Operation {
  return style === 'v3'
    ? { name, in: 'query', description, schema: { type }, uniqueItems: true }
    : { name, in: 'query', description, type, uniqueItems: true }
}

function writeParams(style: DocStyle, patch: boolean): Operation[] {
  const params = [
    queryParam(style, 'dryRun', 'When present, indicates that modifications should not be persisted. Valid value: All.'),
    queryParam(style, 'fieldManager', 'A name for the actor or entity that is making these changes.'),
    queryParam(
      style,
      'fieldValidation',
      'How the server treats unknown and duplicate fields in the body: Ignore drops them, Warn drops them and answers a Warning header per field, Strict fails the request with BadRequest.',
    ),
  ]
  if (patch) params.push(queryParam(style, 'force', 'Force an Apply request to take over conflicting fields.', 'boolean'))
  return params
}

function body(style: DocStyle, schema: JsonSchema, types: string[]): Operation {
  if (style === 'v3') {
    const content: Record<string, { schema: JsonSchema }> = {}
    for (const t of types) content[t] = { schema }
    return { requestBody: { required: true, content } }
  }
  return { parameters: [{ name: 'body', in: 'body', required: true, schema }], consumes: types }
}

function response(style: DocStyle, schema: JsonSchema, codes: string[]): Operation {
  const out: Record<string, unknown> = {}
  for (const code of codes) {
    out[code] = style === 'v3' ? { description: 'OK', content: { 'application/json': { schema } } } : { description: 'OK', schema }
  }
  return { responses: out }
}

// Strategic merge patch is deliberately not advertised. kubectl computes a client-side apply
// patch from the v3 schema only when the patch operation lists SMP, and then takes list merge
// keys from x-kubernetes-patch-merge-key, which kubernetes-models does not ship: lists such as
// containers would be treated as atomic and a container removed from a manifest would stay.
// Without SMP here kubectl falls back to its compiled-in types (right merge keys) for built-in
// kinds and to JSON merge patch for others (kubectl apply/patcher.go). The server still accepts SMP.
const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']

interface Target {
  r: ServedResource
  style: DocStyle
  kindRef: JsonSchema
  listRef: JsonSchema | undefined
  statusRef: JsonSchema
  action: (verb: string) => string
  gvk: { group: string; version: string; kind: string }
}

function op(t: Target, verb: string, extra: Operation, sub = ''): Operation {
  const gvk = t.gvk
  const base: Operation = {
    description: `${verb} ${sub === '' ? t.r.kind : `${sub} of ${t.r.kind}`}`,
    operationId: t.action(verb),
    tags: [groupVersionPath(t.r.group, t.r.version).replace(/\//g, '_')],
    'x-kubernetes-action': verb,
    'x-kubernetes-group-version-kind': gvk,
  }
  const params = [...((base.parameters as Operation[] | undefined) ?? []), ...((extra.parameters as Operation[] | undefined) ?? [])]
  return { ...base, ...extra, ...(params.length > 0 ? { parameters: params } : {}) }
}

function objectOps(t: Target, sub: string): Record<string, Operation> {
  const verbs = new Set(t.r.verbs)
  const ops: Record<string, Operation> = {}
  const can = (v: string): boolean => sub !== '' || verbs.has(v)
  if (can('get')) ops.get = op(t, 'get', response(t.style, t.kindRef, ['200']), sub)
  if (can('update')) {
    const b = body(t.style, t.kindRef, ['application/json'])
    const params = [...((b.parameters as Operation[] | undefined) ?? []), ...writeParams(t.style, false)]
    ops.put = op(t, 'put', { ...b, parameters: params, ...response(t.style, t.kindRef, ['200', '201']) }, sub)
  }
  if (can('patch')) {
    const b = body(t.style, { type: 'object' }, patchTypes)
    const params = [...((b.parameters as Operation[] | undefined) ?? []), ...writeParams(t.style, true)]
    ops.patch = op(t, 'patch', { ...b, parameters: params, ...response(t.style, t.kindRef, ['200', '201']) }, sub)
  }
  if (sub === '' && verbs.has('delete')) ops.delete = op(t, 'delete', response(t.style, t.statusRef, ['200', '202']))
  return ops
}

function collectionOps(t: Target): Record<string, Operation> {
  const verbs = new Set(t.r.verbs)
  const ops: Record<string, Operation> = {}
  if (verbs.has('list')) ops.get = op(t, 'list', response(t.style, t.listRef ?? { type: 'object' }, ['200']))
  if (verbs.has('create')) {
    const b = body(t.style, t.kindRef, ['application/json'])
    const params = [...((b.parameters as Operation[] | undefined) ?? []), ...writeParams(t.style, false)]
    ops.post = op(t, 'post', { ...b, parameters: params, ...response(t.style, t.kindRef, ['200', '201', '202']) })
  }
  if (verbs.has('deletecollection')) ops.delete = op(t, 'deletecollection', response(t.style, t.statusRef, ['200']))
  return ops
}

function pathParam(style: DocStyle, name: string): Operation {
  return style === 'v3'
    ? { name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }
    : { name, in: 'path', required: true, type: 'string', uniqueItems: true }
}

/** Adds the paths of one resource to `paths`. */
export function addResourcePaths(
  paths: Record<string, Record<string, unknown>>,
  r: ServedResource,
  style: DocStyle,
  names: { kind: string; list: string | undefined; status: string; scale: string },
): void {
  const prefix = `/${groupVersionPath(r.group, r.version)}`
  const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}` : `${prefix}/${r.resource}`
  const actionName = (verb: string): string => `${verb}${r.namespaced ? 'Namespaced' : ''}${r.kind}`
  const t: Target = {
    r,
    style,
    kindRef: ref(style, names.kind),
    listRef: names.list === undefined ? undefined : ref(style, names.list),
    statusRef: ref(style, names.status),
    action: actionName,
    gvk: { group: r.group, version: r.version, kind: r.kind },
  }
  const nsParams = r.namespaced ? [pathParam(style, 'namespace')] : []
  paths[base] = { ...collectionOps(t), parameters: nsParams }
  paths[`${base}/{name}`] = { ...objectOps(t, ''), parameters: [...nsParams, pathParam(style, 'name')] }
  for (const sub of r.subresources) {
    // /scale speaks autoscaling/v1 Scale, /status the kind itself.
    const subTarget: Target =
      sub === 'scale'
        ? { ...t, kindRef: ref(style, names.scale), gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, action: (v) => `${actionName(v)}Scale` }
        : { ...t, action: (v) => `${actionName(v)}${sub[0]?.toUpperCase() ?? ''}${sub.slice(1)}` }
    paths[`${base}/{name}/${sub}`] = { ...objectOps(subTarget, sub), parameters: [...nsParams, pathParam(style, 'name')] }
  }
  if (r.namespaced && r.verbs.includes('list')) {
    paths[`${prefix}/${r.resource}`] = { get: op({ ...t, action: (v) => `${v}${r.kind}ForAllNamespaces` }, 'list', response(style, t.listRef ?? { type: 'object' }, ['200'])) }
  }
}
