// The admin kubeconfig `etchlog serve` writes beside its data: the real address, the CA to trust
// and the admin's client certificate, so `kubectl --kubeconfig <data-dir>/kubeconfig` works with
// no other step.
import { stringify } from 'yaml'

export interface KubeconfigOptions {
  server: string
  caPem: string
  user: string
  clientCertPem?: string
  clientKeyPem?: string
  token?: string
  namespace?: string
  contextName?: string
}

export function kubeconfig(o: KubeconfigOptions): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64')
  const name = o.contextName ?? 'etchlog'
  const user: Record<string, string> = {}
  if (o.clientCertPem !== undefined) user['client-certificate-data'] = b64(o.clientCertPem)
  if (o.clientKeyPem !== undefined) user['client-key-data'] = b64(o.clientKeyPem)
  if (o.token !== undefined) user.token = o.token
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: o.server, 'certificate-authority-data': b64(o.caPem) } }],
    users: [{ name: o.user, user }],
    contexts: [{ name, context: { cluster: name, user: o.user, ...(o.namespace === undefined ? {} : { namespace: o.namespace }) } }],
    'current-context': name,
    preferences: {},
  })
}
