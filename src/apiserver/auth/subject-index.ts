// Bindings by the subject they name, one map per subject kind keyed by the plain name the user
// carries: users by username, groups by group name, service accounts by their full username
// (system:serviceaccount:NS:NAME). A lookup then hashes strings the request already holds (V8
// caches a string's hash), with no key to build or parse per decision.
import { serviceAccountUsername } from './user.js'

export interface Subject {
  kind: string
  name: string
  namespace?: string
}

export interface BindingEntry {
  kind: 'ClusterRoleBinding' | 'RoleBinding'
  name: string
  /** "kind/namespace/name": one binding with several subjects gives several entries that share it. */
  bindingId: string
  /** '' for a ClusterRoleBinding. */
  namespace: string
  roleKind: string
  roleName: string
  /** Where the role is found: "ns/name" for a Role, the name for a ClusterRole (built once). */
  roleKey: string
  subject: Subject
  /** `RBAC: allowed by ...`, built once at indexing so a decision does not format strings. */
  allowedReason: string
}

export class SubjectIndex {
  // Each entry is in exactly one map, under the key subjectKey gives it (or in none: unmatchable).
  private readonly users = new Map<string, BindingEntry[]>()
  private readonly groups = new Map<string, BindingEntry[]>()
  private readonly serviceAccounts = new Map<string, BindingEntry[]>()
  size = 0

  add(e: BindingEntry): void {
    const where = this.slot(e)
    if (where === undefined) return
    const [map, key] = where
    const list = map.get(key)
    if (list === undefined) map.set(key, [e])
    else list.push(e)
    this.size++
  }

  delete(e: BindingEntry): void {
    const where = this.slot(e)
    if (where === undefined) return
    const [map, key] = where
    const list = map.get(key)
    if (list === undefined || !list.includes(e)) return
    const rest = list.filter((x) => x !== e)
    if (rest.length === 0) map.delete(key)
    else map.set(key, rest)
    this.size--
  }

  byUsername(username: string): readonly BindingEntry[] | undefined {
    return this.users.get(username)
  }

  byGroup(group: string): readonly BindingEntry[] | undefined {
    return this.groups.get(group)
  }

  /** Bindings naming the service account whose username this is (undefined for other users). */
  byServiceAccountUsername(username: string): readonly BindingEntry[] | undefined {
    return this.serviceAccounts.size === 0 ? undefined : this.serviceAccounts.get(username)
  }

  /**
   * Where an entry goes. A ServiceAccount subject without a namespace means the binding's
   * namespace; in a ClusterRoleBinding it names nobody (kube), as does an unknown kind.
   */
  private slot(e: BindingEntry): [Map<string, BindingEntry[]>, string] | undefined {
    const s = e.subject
    if (s.kind === 'User') return [this.users, s.name]
    if (s.kind === 'Group') return [this.groups, s.name]
    if (s.kind !== 'ServiceAccount') return undefined
    const ns = s.namespace !== undefined && s.namespace !== '' ? s.namespace : e.namespace
    return ns === '' ? undefined : [this.serviceAccounts, serviceAccountUsername(ns, s.name)]
  }
}
