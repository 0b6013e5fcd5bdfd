// Lease IDs as etchctl prints them everywhere (output and error messages): etcdctl's %016x.

/** etcdctl prints lease IDs as %016x. */
export function formatLeaseId(id: number): string {
  return id.toString(16).padStart(16, '0')
}
