// The 409 of server-side apply, worded as the real server words it:
//   Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas
// and, for several, one "conflicts with <manager>:" block per manager with "- <path>" lines.
import { StorageError } from '../../util/index.js'
import { pathString, type Path } from './field-set.js'
import type { Owner } from './managed-fields.js'

export interface ConflictCause {
  reason: 'FieldManagerConflict'
  message: string
  field: string
}

export interface Conflict {
  readonly owner: Owner
  readonly path: Path
}

/** How the real server names a manager: Update managers with the apiVersion they wrote. */
export function managerName(o: Pick<Owner, 'manager' | 'operation' | 'subresource' | 'apiVersion'>): string {
  let name = JSON.stringify(o.manager)
  if (o.subresource !== '') name = `${name} with subresource ${JSON.stringify(o.subresource)}`
  return o.operation === 'Update' ? `${name} using ${o.apiVersion}` : name
}

export class ApplyConflictError extends StorageError {
  readonly causes: ConflictCause[]

  constructor(conflicts: readonly Conflict[]) {
    const sorted = [...conflicts].sort((a, b) => {
      const ma = managerName(a.owner)
      const mb = managerName(b.owner)
      return ma < mb ? -1 : ma > mb ? 1 : comparePaths(a.path, b.path)
    })
    super('Conflict', conflictMessage(sorted))
    this.causes = sorted.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${managerName(c.owner)}`, field: pathString(c.path) }))
  }
}

function comparePaths(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string // i < both lengths
    const y = b[i] as string
    if (x !== y) return x < y ? -1 : 1
  }
  return a.length - b.length
}

function conflictMessage(conflicts: readonly Conflict[]): string {
  const [first] = conflicts
  if (conflicts.length === 1 && first !== undefined) {
    return `Apply failed with 1 conflict: conflict with ${managerName(first.owner)}: ${pathString(first.path)}`
  }
  const lines: string[] = []
  let last = ''
  for (const c of conflicts) {
    const name = managerName(c.owner)
    if (name !== last) lines.push(`conflicts with ${name}:`)
    last = name
    lines.push(`- ${pathString(c.path)}`)
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`
}
