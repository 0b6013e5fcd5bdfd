// Reading standard input: all of it (put's value, as etcdctl's argOrStdin does, trailing newline
// included), or line by line (txn, whose sections end at empty lines and which must not wait for
// the end of input when typed interactively).
import type { Readable } from 'node:stream'
import { createInterface } from 'node:readline'
import { UsageError } from './errors.js'

/** The whole of stdin; an empty input is the usage error `emptyMessage`, as in etcdctl. */
export async function readAllStdin(stdin: Readable, emptyMessage: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array))
  const all = Buffer.concat(chunks)
  if (all.length === 0) throw new UsageError(emptyMessage)
  return all
}

/**
 * Lines of stdin without their line ends, read on demand. `next()` answers undefined at the end
 * of input or once the signal fires; `close()` stops reading (stdin itself stays open).
 */
export class LineReader {
  private readonly lines: AsyncIterator<string>
  private readonly close_: () => void

  constructor(stdin: Readable, signal: AbortSignal) {
    const rl = createInterface({ input: stdin, crlfDelay: Infinity, terminal: false, signal })
    this.lines = rl[Symbol.asyncIterator]()
    this.close_ = () => rl.close()
  }

  async next(): Promise<string | undefined> {
    try {
      const r = await this.lines.next()
      return r.done === true ? undefined : r.value
    } catch (error) {
      // readline rejects with an AbortError when the signal fires: that is the end of input.
      if (error instanceof Error && error.name === 'AbortError') return undefined
      throw error
    }
  }

  close(): void {
    this.close_()
  }
}
