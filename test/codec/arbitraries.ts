// fast-check generators for codec tests: JSON-like values (plus Uint8Array) and Kubernetes-style
// objects whose schema fields get either a value the protobuf subset holds or any value at all,
// so both the typed path and the unknownFields path are exercised, alone and mixed.
import fc from 'fast-check'

const wellFormed = (s: string): boolean => !/\p{Cs}/u.test(s)

/** Strings: empty, control and astral characters, any code point, sometimes long. */
export const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).filter(wellFormed) },
  { weight: 1, arbitrary: fc.constantFrom('', '\0', '\u{10FFFF}', '😀', 'é', 'a\u0301', '\uFEFF') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1000, maxLength: 5000 }) },
)

export const key: fc.Arbitrary<string> = fc
  .oneof(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('', 'constructor', 'toString', '0', '__proto_'))
  .filter((k) => k !== '__proto__')

/** Numbers of every sort except -0 (stored as 0, tested on its own). */
export const number: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double().filter((d) => !Object.is(d, -0)),
  fc.constantFrom(0, 1, -1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53 + 2, 1e300, 5e-324, Number.NaN, Infinity, -Infinity),
)

export const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value

/** A schema field: usually a value of its declared type, sometimes anything. */
function loose<T>(fitting: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: fitting }, { weight: 1, arbitrary: json })
}

/** A record whose keys are all optional, plus a few extra keys no schema knows. */
function object(fields: Record<string, fc.Arbitrary<unknown>>, required: string[] = []): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(fc.dictionary(key, json, { maxKeys: 2, noNullPrototype: true }), fc.record(fields, { requiredKeys: required as never[], noNullPrototype: true }))
    .map(([extra, known]) => ({ ...extra, ...known }))
}

const strMap = fc.dictionary(key, text, { maxKeys: 4, noNullPrototype: true })
const strList = fc.array(text, { maxLength: 4 })
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
const list = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(a, { maxLength: 3 })
const bytesMap = fc.dictionary(key, fc.uint8Array({ maxLength: 8 }), { maxKeys: 3, noNullPrototype: true })

export const objectMeta = object(
  {
    name: text.filter((s) => s !== ''),
    generateName: loose(text),
    namespace: loose(text),
    uid: loose(fc.uuid()),
    generation: loose(fc.maxSafeInteger()),
    creationTimestamp: loose(text),
    deletionTimestamp: loose(text),
    deletionGracePeriodSeconds: loose(fc.integer()),
    labels: loose(strMap),
    annotations: loose(strMap),
    finalizers: loose(strList),
    ownerReferences: loose(list(object({ apiVersion: loose(text), kind: loose(text), name: loose(text), controller: loose(fc.boolean()) }))),
  },
  ['name'],
)

const podSpec = object({
  containers: loose(
    list(
      object({
        name: loose(text),
        image: loose(text),
        command: loose(strList),
        env: loose(list(object({ name: loose(text), value: loose(text) }))),
        resources: loose(object({ limits: loose(strMap), requests: loose(strMap) })),
      }),
    ),
  ),
  nodeSelector: loose(strMap),
  nodeName: loose(text),
})

const podStatus = object({
  phase: loose(text),
  conditions: loose(list(object({ type: loose(text), status: loose(text), message: loose(text) }))),
  podIP: loose(text),
})

const labelSelector = object({
  matchLabels: loose(strMap),
  matchExpressions: loose(list(object({ key: loose(text), operator: loose(text), values: loose(strList) }))),
})

/** Objects of the four shipped (protobuf) kinds. */
export const registeredObject: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  object({ apiVersion: fc.constant('v1'), kind: fc.constant('Pod'), metadata: objectMeta, spec: loose(podSpec), status: loose(podStatus) }, ['apiVersion', 'kind', 'metadata']),
  object({ apiVersion: fc.constant('v1'), kind: fc.constant('ConfigMap'), metadata: objectMeta, data: loose(strMap), binaryData: loose(bytesMap), immutable: loose(fc.boolean()) }, ['apiVersion', 'kind', 'metadata']),
  object({ apiVersion: fc.constant('v1'), kind: fc.constant('Secret'), metadata: objectMeta, data: loose(bytesMap), type: loose(text), stringData: loose(strMap) }, ['apiVersion', 'kind', 'metadata']),
  object(
    {
      apiVersion: fc.constant('apps/v1'),
      kind: fc.constant('Deployment'),
      metadata: objectMeta,
      spec: loose(object({ replicas: loose(int32), selector: loose(labelSelector), template: loose(object({ metadata: loose(objectMeta), spec: loose(podSpec) })), paused: loose(fc.boolean()) })),
      status: loose(object({ observedGeneration: loose(fc.maxSafeInteger()), replicas: loose(int32), readyReplicas: loose(int32) })),
    },
    ['apiVersion', 'kind', 'metadata'],
  ),
)

/** Objects of kinds no registry knows: the body is MessagePack. */
export const unregisteredObject: fc.Arbitrary<Record<string, unknown>> = object(
  {
    apiVersion: fc.constantFrom('example.com/v1', 'v2', 'apps/v1beta1'),
    kind: fc.constantFrom('Widget', 'Pod', 'Gadget'),
    metadata: objectMeta,
    spec: json,
    status: json,
  },
  ['apiVersion', 'kind', 'metadata'],
).filter((o) => !(o['apiVersion'] === 'v1' || (o['apiVersion'] === 'apps/v1' && o['kind'] === 'Deployment')))

export const anyObject = fc.oneof(registeredObject, unregisteredObject)

/** What decode must give back: the object with resourceVersion set from the row. */
export function withResourceVersion(object: Record<string, unknown>, resourceVersion: number): Record<string, unknown> {
  const metadata = object['metadata'] as Record<string, unknown>
  return { ...object, metadata: { ...metadata, resourceVersion: String(resourceVersion) } }
}

/** The same object with every object's keys in reverse order (deep). */
export function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys)
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(value).reverse()) out[k] = reverseKeys((value as Record<string, unknown>)[k])
  return out
}
