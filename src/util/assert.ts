// Programmer errors: a broken invariant means the code is wrong, not the input. These throw
// AssertionError and nothing in etchlog catches them.
import { AssertionError } from 'node:assert'

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError({ message })
}

/** Costly checks run only when KV_VERIFY=1 (set by the test suite), like etcd's ETCD_VERIFY. */
export const verifyEnabled: boolean = process.env['KV_VERIFY'] === '1'

export function verify(check: () => boolean, message: string): void {
  if (verifyEnabled && !check()) throw new AssertionError({ message })
}

export function unreachable(value: never, message: string): never {
  throw new AssertionError({ message: `${message}: ${String(value)}` })
}
