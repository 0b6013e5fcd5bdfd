// txn: reads compares, success requests and failure requests from stdin (txn-parser.ts), commits
// them as one transaction and prints etcdctl's answer. With -i it prompts for each section, and
// each section is read as it is typed (nothing waits for the end of input).
import { defineCommand } from './command.js'
import { jsonTxn } from './output.js'
import { LineReader } from './stdin.js'
import { readTxn } from './txn-parser.js'
import { UsageError } from './errors.js'

export const txnCommand = defineCommand({
  name: 'txn',
  usage: 'txn [options]  (reads compares, success and failure requests from stdin)',
  summary: 'Txn processes all the requests in one transaction',
  options: { interactive: { type: 'boolean', short: 'i' } },
  flags: ['-i, --interactive   input the transaction interactively, with prompts'],
  async run(session, args) {
    if (args.positionals.length > 0) throw new UsageError('txn command does not accept argument')
    const interactive = args.values.interactive === true
    const reader = new LineReader(session.io.stdin, session.signal)
    const prompt = (text: string): void => {
      if (interactive) session.out.line(text)
    }
    const request = await readTxn(() => reader.next(), prompt).finally(() => reader.close())
    // Ctrl-C while typing: nothing is committed.
    if (session.signal.aborted) return 1
    const store = await session.openStore('create')
    const response = await store.txn(request)
    if (session.out.format === 'json') session.out.json(jsonTxn(response))
    else session.out.txn(response)
  },
})
