import assert from 'node:assert/strict'

export type ErrorClass = abstract new (...args: never[]) => Error & { code: string }

/** The promise rejects with an instance of `type` whose code and message are as given. */
export async function rejectsWith(p: Promise<unknown>, type: ErrorClass, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`)
    assert.equal(err.code, code)
    assert.match(err.message, message)
    return true
  })
}
