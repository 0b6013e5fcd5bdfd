// Properties of server-side apply over random custom resources (deduced schema: maps granular,
// lists atomic), driven by fast-check.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ApplyConflictError, fromFieldsV1, serverSideApply, trackUpdate, type KubeObject, type ManagedFieldsEntry } from '../../../src/apiserver/patch/index.js'
import { jsonObject } from '../../support/patch-arbitraries.js'

const widget = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec })
const now = '2026-12-08T00:00:00Z'

/** Whether a FieldsV1 path (f: elements only, lists being atomic here) resolves in obj. */
function resolves(obj: unknown, path: readonly string[]): boolean {
  let at: unknown = obj
  for (const el of path) {
    if (!el.startsWith('f:') || at === null || typeof at !== 'object' || Array.isArray(at)) return false
    const name = el.slice(2)
    if (!Object.hasOwn(at, name)) return false
    at = (at as Record<string, unknown>)[name]
  }
  return true
}

function assertOwnedFieldsExist(obj: KubeObject): void {
  for (const e of (obj.metadata?.managedFields ?? []) as ManagedFieldsEntry[]) {
    for (const path of fromFieldsV1(e.fieldsV1).values()) assert.ok(resolves(obj, path), `${e.manager} owns ${path.join('')} which is not in the object`)
  }
}

test('property: a sole applier converges to its configuration, and re-applying is a no-op', () => {
  fc.assert(
    fc.property(jsonObject, jsonObject, (first, second) => {
      const created = serverSideApply(undefined, widget(first), { manager: 'op', force: false, now })
      const next = serverSideApply(created, widget(second), { manager: 'op', force: false, now })
      assert.deepEqual(next.spec, second)
      assert.deepEqual(serverSideApply(next, widget(second), { manager: 'op', force: false, now }), next)
      assertOwnedFieldsExist(next)
    }),
    { numRuns: 300 },
  )
})

test('property: a second applier of the same configuration shares it without conflict', () => {
  fc.assert(
    fc.property(jsonObject, (spec) => {
      const live = serverSideApply(undefined, widget(spec), { manager: 'a', force: false, now })
      const shared = serverSideApply(live, widget(spec), { manager: 'b', force: false, now })
      assert.deepEqual(shared.spec, spec)
      const [a, b] = ['a', 'b'].map((m) => ((shared.metadata?.managedFields ?? []) as ManagedFieldsEntry[]).find((e) => e.manager === m)?.fieldsV1)
      assert.deepEqual(a, b)
    }),
    { numRuns: 200 },
  )
})

const step = fc.record({
  manager: fc.constantFrom('a', 'b', 'c'),
  apply: fc.boolean(),
  force: fc.boolean(),
  spec: jsonObject,
})

test('property: after any sequence of applies and updates, every owned field exists', () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), (steps) => {
      let obj: KubeObject | undefined
      for (const s of steps) {
        try {
          obj = s.apply
            ? serverSideApply(obj, widget(s.spec), { manager: s.manager, force: s.force, now })
            : trackUpdate(obj, widget(s.spec), { manager: s.manager, now })
        } catch (err) {
          assert.ok(err instanceof ApplyConflictError && !s.force, String(err)) // only an unforced apply may conflict
          continue
        }
        assertOwnedFieldsExist(obj)
        if (!s.apply) assert.deepEqual(obj.spec, s.spec, 'an update writes exactly its object')
      }
    }),
    { numRuns: 300 },
  )
})
