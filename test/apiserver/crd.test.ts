// CustomResourceDefinitions: creating one serves the new resource (discovery, CRUD, list/watch,
// status, printer columns, schema validation); an operator-style loop lists, watches from the
// list's resourceVersion and reconciles with PATCH and a status update; deleting the CRD stops
// serving it and removes its objects.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestServer, type TestServer } from '../support/api-server.js'

let s: TestServer
before(async () => {
  s = await startTestServer()
  assert.equal((await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } })).status, 201)
})
after(async () => s.close())

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 }, color: { type: 'string' } }, required: ['size'] },
              status: { type: 'object', properties: { observedSize: { type: 'integer' } } },
            },
          },
        },
      },
    ],
  },
}

/** Polls until `check` passes or the deadline comes: the CRD is served asynchronously, as in Kubernetes. */
async function eventually(check: () => Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`not within ${deadlineMs} ms: ${what}`)
    await new Promise((r) => setImmediate(r))
  }
}

const widget = (name: string, size: unknown): unknown => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec: { size, color: 'red' } })

test('a new CRD is served: discovery, Established, CRUD, columns, validation, status', async () => {
  assert.equal((await s.call('GET', '/apis/example.com/v1')).status, 404)
  const created = await s.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })
  assert.equal(created.status, 201, created.text)
  await eventually(async () => (await s.call('GET', '/apis/example.com/v1')).status === 200, 'discovery lists example.com/v1')
  const list = (await s.call('GET', '/apis/example.com/v1')).json() as { resources: { name: string; kind: string; shortNames?: string[] }[] }
  assert.deepEqual(list.resources.map((r) => r.name), ['widgets', 'widgets/status'])
  await eventually(async () => {
    const c = (await s.call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).json() as { status?: { conditions?: { type: string; status: string }[] } }
    return c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') === true
  }, 'the CRD is Established')
  const w = await s.call('POST', '/apis/example.com/v1/namespaces/shop/widgets', { body: widget('w1', 3) })
  assert.equal(w.status, 201, w.text)
  const bad = await s.call('POST', '/apis/example.com/v1/namespaces/shop/widgets', { body: widget('w2', 'big') })
  assert.equal(bad.status, 422, bad.text)
  assert.match(String(bad.json().message), /spec.size/)
  const smp = await s.call('PATCH', '/apis/example.com/v1/namespaces/shop/widgets/w1', { body: { spec: { size: 4 } }, contentType: 'application/strategic-merge-patch+json' })
  assert.equal(smp.status, 415, 'strategic merge patch is refused for custom resources')
  const table = (await s.call('GET', '/apis/example.com/v1/namespaces/shop/widgets', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json() as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }
  assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Size', 'Age'])
  assert.equal(table.rows[0]?.cells[1], 3)
  const st = await s.call('PUT', '/apis/example.com/v1/namespaces/shop/widgets/w1/status', { body: { ...(widget('w1', 99) as object), status: { observedSize: 3 } } })
  assert.equal(st.status, 200, st.text)
  const after = st.json() as { spec: { size: number }; status: { observedSize: number } }
  assert.equal(after.spec.size, 3, 'a status write leaves spec alone')
  assert.equal(after.status.observedSize, 3)
})

test('an operator loop: LIST, WATCH from its resourceVersion, reconcile with PATCH and a status update', async () => {
  const listed = (await s.call('GET', '/apis/example.com/v1/namespaces/shop/widgets')).json() as { metadata: { resourceVersion: string } }
  const rv = listed.metadata.resourceVersion
  const watching = s.stream(`/apis/example.com/v1/namespaces/shop/widgets?watch=1&resourceVersion=${rv}`, (lines) => lines.some((l) => l.includes('"observedSize":7')))
  await s.call('POST', '/apis/example.com/v1/namespaces/shop/widgets', { body: widget('w3', 7) })
  // The reconciler reacts to what it watched: label the object (merge patch), then report status.
  const seen = await s.stream(`/apis/example.com/v1/namespaces/shop/widgets?watch=1&resourceVersion=${rv}`, (lines) => lines.some((l) => l.includes('"w3"')))
  const event = JSON.parse(seen.find((l) => l.includes('"w3"')) ?? '{}') as { type: string; object: { spec: { size: number } } }
  assert.equal(event.type, 'ADDED')
  const patched = await s.call('PATCH', '/apis/example.com/v1/namespaces/shop/widgets/w3', { body: { metadata: { labels: { reconciled: 'true' } } }, contentType: 'application/merge-patch+json' })
  assert.equal(patched.status, 200, patched.text)
  const status = await s.call('PATCH', '/apis/example.com/v1/namespaces/shop/widgets/w3/status', { body: { status: { observedSize: event.object.spec.size } }, contentType: 'application/merge-patch+json' })
  assert.equal(status.status, 200, status.text)
  const events = (await watching).map((l) => JSON.parse(l) as { type: string })
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED'])
})

test('deleting the CRD stops serving it and removes its objects', async () => {
  const del = await s.call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')
  assert.ok(del.status === 200 || del.status === 202, del.text)
  await eventually(async () => (await s.call('GET', '/apis/example.com/v1/namespaces/shop/widgets')).status === 404, 'widgets are no longer served')
  await eventually(async () => {
    const keys = await s.serving.store.range({ key: '/registry/example.com/widgets/', rangeEnd: '/registry/example.com/widgets0', countOnly: true })
    return keys.count === 0
  }, 'the widgets are deleted from the store')
})
