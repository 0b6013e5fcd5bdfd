import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseDeclaration, resolveRefs, DeclarationParseError } from '../../../src/apiserver/openapi/dts-schema-parser.js'

const sample = `import { IIoK8sApiAppsV1Other } from "./Other.js";
/**
 * Thing does things.
 */
export interface IThing extends TypeMeta {
    "apiVersion": "example.io/v1";
    "kind": "Thing";
    /**
     * How many.
     */
    "count"?: number;
    "mode": "A" | "B";
    "items"?: Array<IIoK8sApiAppsV1Other>;
    "labels"?: {
        [key: string]: string;
    };
    "embedded"?: Array<{
        /**
         * Inner doc { with braces < and > }.
         */
        "name"?: string;
        "self"?: IThing;
    }>;
}
export type { IThing as IIoK8sApiExampleV1Thing, Thing as IoK8sApiExampleV1Thing };
`

test('a generated declaration becomes a schema with docs, required, enums, maps and embedded objects', () => {
  const parsed = parseDeclaration(sample, 'Thing.d.ts')
  assert.ok(parsed)
  assert.equal(parsed.id, 'IoK8sApiExampleV1Thing')
  assert.deepEqual(parsed.gvk, { apiVersion: 'example.io/v1', kind: 'Thing' })
  assert.deepEqual(parsed.numberPaths, ['count'])
  resolveRefs(parsed.schema, new Map([['IoK8sApiAppsV1Other', 'io.k8s.api.apps.v1.Other'], ['IoK8sApiExampleV1Thing', 'io.example.v1.Thing']]))
  assert.deepEqual(parsed.schema, {
    description: 'Thing does things.',
    type: 'object',
    required: ['mode'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      count: { description: 'How many.', type: 'number' },
      mode: { type: 'string', enum: ['A', 'B'] },
      items: { type: 'array', items: { $ref: '#/definitions/io.k8s.api.apps.v1.Other' } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      embedded: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { description: 'Inner doc { with braces < and > }.', type: 'string' },
            self: { $ref: '#/definitions/io.example.v1.Thing' },
          },
        },
      },
    },
  })
})

test('files without a definition are skipped; unknown shapes fail loudly', () => {
  assert.equal(parseDeclaration('export * from "./x.js";\n', 'index.d.ts'), undefined)
  const odd = sample.replace('"count"?: number;', '"count"?: Map<string, number>;')
  assert.throws(() => parseDeclaration(odd, 'Thing.d.ts'), DeclarationParseError)
  assert.throws(() => resolveRefs({ $ref: 'pending:Nope' }, new Map()), /unresolved reference/)
})
