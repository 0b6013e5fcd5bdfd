// ServiceAccount admission (kube's plugin/pkg/admission/serviceaccount): a pod without
// spec.serviceAccountName runs as "default"; the account must exist; unless automounting is
// off (pod field, else the account's field, else on) every container gets the projected
// kube-api-access-xxxxx volume (token, kube-root-ca.crt, namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount. Each new namespace gets its "default" account.
import { randomInt } from 'node:crypto'
import type { KubeObject } from '../../codec/index.js'
import { ApiError } from '../api-error.js'
import type { ApiContext, WriteAttempt, WriteHook } from '../handlers/context.js'
import { clone, forbidden } from './forbidden.js'

export const serviceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount'
const mirrorAnnotation = 'kubernetes.io/config.mirror'
// utilrand.String's alphabet: no vowels, no confusable digits.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789'

type Json = Record<string, unknown>

export function serviceAccountHook(ctx: ApiContext): WriteHook {
  return async (w) => {
    if (w.operation !== 'CREATE' || w.subresource !== '' || w.object === undefined) return undefined
    if (w.resource.group !== '' || w.resource.resource !== 'pods') return undefined
    if (w.object.metadata.annotations?.[mirrorAnnotation] !== undefined) return undefined
    return admitPod(ctx, w, w.object)
  }
}

/**
 * A namespace's "default" account, made as its namespace is created (after validation, so a
 * refused namespace leaves no account behind; a failed store write leaves one that the next
 * create of that namespace uses).
 */
export function namespaceAccountHook(ctx: ApiContext): WriteHook {
  return async (w) => {
    if (w.operation !== 'CREATE' || w.subresource !== '' || w.object === undefined || w.dryRun) return undefined
    if (w.resource.group !== '' || w.resource.resource !== 'namespaces') return undefined
    const name = w.object.metadata.name ?? ''
    if (name !== '') await ensureDefaultAccount(ctx, name)
    return undefined
  }
}

async function admitPod(ctx: ApiContext, w: WriteAttempt, input: KubeObject): Promise<KubeObject> {
  const pod = clone(input)
  const spec = (pod.spec ??= {})
  if (typeof spec.serviceAccountName !== 'string' || spec.serviceAccountName === '') spec.serviceAccountName = 'default'
  const name = spec.serviceAccountName as string
  const account = await lookupAccount(ctx, w, name)
  const automount = typeof spec.automountServiceAccountToken === 'boolean' ? spec.automountServiceAccountToken : typeof account.automountServiceAccountToken === 'boolean' ? account.automountServiceAccountToken : true
  if (automount) mountToken(spec)
  return pod
}

async function lookupAccount(ctx: ApiContext, w: WriteAttempt, name: string): Promise<KubeObject> {
  const sa = ctx.catalog.lookup('', 'v1', 'serviceaccounts')
  if (sa === undefined) throw new ApiError('InternalError', 'admission: serviceaccounts are not served')
  const found = await ctx.store.tryGet(sa, w.namespace, name)
  if (found !== undefined) return found
  // kube's controller makes "default" with the namespace; heal a namespace made before it ran.
  if (name === 'default') return ensureDefaultAccount(ctx, w.namespace)
  throw forbidden(w, `error looking up service account ${w.namespace}/${name}: serviceaccount ${JSON.stringify(name)} not found`)
}

/** Creates the namespace's "default" ServiceAccount unless it is there already. */
export async function ensureDefaultAccount(ctx: ApiContext, namespace: string): Promise<KubeObject> {
  const sa = ctx.catalog.lookup('', 'v1', 'serviceaccounts')
  if (sa === undefined) throw new ApiError('InternalError', 'admission: serviceaccounts are not served')
  const existing = await ctx.store.tryGet(sa, namespace, 'default')
  if (existing !== undefined) return existing
  try {
    return await ctx.store.create(sa, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } as never })
  } catch (err) {
    // Another request (or process) made it between our read and our create: use theirs.
    if (err instanceof ApiError && err.code === 'AlreadyExists') return ctx.store.get(sa, namespace, 'default')
    throw err
  }
}

function mountToken(spec: Json): void {
  const containers = [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)]
  const volumes = list(spec.volumes)
  // A pod that already mounts something at the path (its own token) is left as it is, as kube does.
  if (containers.some((c) => list(c.volumeMounts).some((m) => m.mountPath === serviceAccountMountPath))) return
  let volume = volumes.find((v) => typeof v.name === 'string' && v.name.startsWith('kube-api-access-'))
  if (volume === undefined) {
    volume = { name: `kube-api-access-${suffix()}`, projected: projectedToken() }
    spec.volumes = [...volumes, volume]
  }
  for (const c of containers) c.volumeMounts = [...list(c.volumeMounts), { name: volume.name, readOnly: true, mountPath: serviceAccountMountPath }]
}

function projectedToken(): Json {
  return {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  }
}

function suffix(): string {
  let s = ''
  for (let i = 0; i < 5; i++) s += alphabet[randomInt(alphabet.length)] ?? 'x'
  return s
}

function list(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter((x): x is Json => x !== null && typeof x === 'object') : []
}
