// Every etchctl command, in the order help lists them, and the lookup by command words.
import type { Command } from './command.js'
import { delCommand, getCommand, putCommand } from './kv.js'
import { leaseGrantCommand, leaseKeepAliveCommand, leaseListCommand, leaseRevokeCommand, leaseTimeToLiveCommand } from './lease.js'
import {
  checkCommand,
  compactionCommand,
  defragCommand,
  endpointHealthCommand,
  endpointStatusCommand,
  reencryptCommand,
} from './maintenance.js'
import { snapshotRestoreCommand, snapshotSaveCommand, snapshotStatusCommand } from './snapshot.js'
import { txnCommand } from './txn.js'
import { watchCommand } from './watch.js'

export const commands: readonly Command[] = [
  getCommand,
  putCommand,
  delCommand,
  txnCommand,
  compactionCommand,
  watchCommand,
  leaseGrantCommand,
  leaseRevokeCommand,
  leaseTimeToLiveCommand,
  leaseListCommand,
  leaseKeepAliveCommand,
  endpointStatusCommand,
  endpointHealthCommand,
  defragCommand,
  checkCommand,
  reencryptCommand,
  snapshotSaveCommand,
  snapshotRestoreCommand,
  snapshotStatusCommand,
]

/** Words that only group subcommands ("lease grant"): alone they are not a command. */
export const commandGroups: readonly string[] = [...new Set(commands.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0] ?? ''))]

/** The command named by the first one or two words, and how many words its name has. */
export function findCommand(words: readonly string[]): { command: Command; words: number } | undefined {
  const two = words.slice(0, 2).join(' ')
  const byTwo = commands.find((c) => c.name === two)
  if (byTwo !== undefined && words.length >= 2) return { command: byTwo, words: 2 }
  const byOne = commands.find((c) => c.name === words[0])
  return byOne === undefined ? undefined : { command: byOne, words: 1 }
}
