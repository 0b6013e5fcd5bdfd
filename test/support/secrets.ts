// Checks that an error leaks no secret: neither its message, nor its stack, nor anything
// reachable through `cause` or its own fields contains any of the given strings (or a tell-tale
// fragment of them, such as a JWT's signature part or a PEM body line).
import assert from 'node:assert/strict'
import { inspect } from 'node:util'

export function assertNoSecret(err: unknown, secrets: string[]): void {
  const text = `${err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : ''}\n${inspect(err, { depth: 10, showHidden: true })}`
  for (const secret of secrets) {
    const fragments = new Set([secret, ...secret.split(/[.\n]/).filter((f) => f.length >= 16)])
    for (const f of fragments) assert.equal(text.includes(f), false, `error text leaks a secret fragment (${f.length} chars)`)
  }
}
