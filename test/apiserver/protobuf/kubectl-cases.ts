// The kubectl 1.32 commands whose typed clients send protobuf bodies, shared by the live kubectl
// test and the fixture recorder. `dryRun`: kubectl can print the same object with
// --dry-run=client -o json, which is the JSON form the decoded body must equal.
export interface KubectlCase {
  readonly name: string
  readonly args: readonly string[]
  readonly dryRun: boolean
  /** For commands without a dry run: the JSON form the body must decode to. */
  readonly expected?: Record<string, unknown>
}

/** Bytes of the file @HOME@/binary (not UTF-8, so a ConfigMap puts it in binaryData). */
export const binaryFileBytes: Uint8Array = Uint8Array.of(0xff, 0x00, 0xfe, 0x80, 0x01)

/** The same command with `--dry-run=client -o json`, inserted before a `--` command tail. */
export function dryRunArgs(args: readonly string[]): string[] {
  const dash = args.indexOf('--')
  const head = dash < 0 ? args : args.slice(0, dash)
  const tail = dash < 0 ? [] : args.slice(dash)
  return [...head, '--dry-run=client', '-o', 'json', ...tail]
}

/** Go's JSON has `null` for nil pointers, nil slices and zero times without omitempty; the decoded
 *  form leaves them out (a JSON decoder treats both the same). */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]))
}

export const kubectlCases: readonly KubectlCase[] = [
  { name: 'configmap', args: ['create', 'configmap', 'cm1', '--from-literal=a=b', '--from-literal=empty=', '--from-file=bin=@HOME@/binary'], dryRun: true },
  { name: 'secret-generic', args: ['create', 'secret', 'generic', 's1', '--from-literal=user=admin', '--from-literal=pw=p\u00e4ss', '--from-file=key=@HOME@/binary', '--type=Opaque'], dryRun: true },
  { name: 'namespace', args: ['create', 'namespace', 'ns2'], dryRun: true },
  { name: 'serviceaccount', args: ['create', 'serviceaccount', 'sa1'], dryRun: true },
  { name: 'deployment', args: ['create', 'deployment', 'web', '--image=nginx:1.27', '--image=busybox', '--replicas=0', '--port=80'], dryRun: true },
  { name: 'service-clusterip', args: ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443:https'], dryRun: true },
  { name: 'job', args: ['create', 'job', 'j1', '--image=busybox', '--', 'echo', 'hi'], dryRun: true },
  { name: 'cronjob', args: ['create', 'cronjob', 'cj1', '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'date'], dryRun: true },
  { name: 'role', args: ['create', 'role', 'r1', '--verb=get,list', '--resource=pods,configmaps', '--resource-name=a'], dryRun: true },
  { name: 'clusterrole', args: ['create', 'clusterrole', 'cr1', '--verb=get,watch', '--resource=nodes,deployments.apps'], dryRun: true },
  { name: 'clusterrole-aggregated', args: ['create', 'clusterrole', 'cr3', '--aggregation-rule=x=y'], dryRun: true },
  { name: 'clusterrole-nonresource', args: ['create', 'clusterrole', 'cr2', '--verb=get', '--non-resource-url=/healthz'], dryRun: true },
  { name: 'rolebinding', args: ['create', 'rolebinding', 'rb1', '--role=r1', '--user=alice', '--serviceaccount=ns1:sa1', '--group=devs'], dryRun: true },
  { name: 'clusterrolebinding', args: ['create', 'clusterrolebinding', 'crb1', '--clusterrole=cr1', '--user=bob'], dryRun: true },
  { name: 'service-nodeport', args: ['create', 'service', 'nodeport', 'svc2', '--tcp=5678:8080', '--node-port=30080'], dryRun: true },
  { name: 'service-loadbalancer', args: ['create', 'service', 'loadbalancer', 'svc3', '--tcp=80'], dryRun: true },
  { name: 'service-externalname', args: ['create', 'service', 'externalname', 'svc4', '--external-name=example.com'], dryRun: true },
  { name: 'secret-docker-registry', args: ['create', 'secret', 'docker-registry', 's2', '--docker-server=r.example.com', '--docker-username=u', '--docker-password=p'], dryRun: true },
  { name: 'pdb-percent', args: ['create', 'poddisruptionbudget', 'pdb1', '--selector=app=web', '--min-available=50%'], dryRun: true },
  { name: 'pdb-count', args: ['create', 'poddisruptionbudget', 'pdb2', '--selector=app=web', '--max-unavailable=0'], dryRun: true },
  {
    name: 'ingress',
    args: ['create', 'ingress', 'ing1', '--class=nginx', '--rule=foo.com/=svc1:80,tls=cert1', '--rule=bar.com/api*=svc2:https', '--default-backend=svc3:8080', '--annotation=a=b'],
    dryRun: true,
  },
  { name: 'quota', args: ['create', 'quota', 'q1', '--hard=cpu=2,memory=1Gi,pods=10', '--scopes=BestEffort'], dryRun: true },
  { name: 'priorityclass', args: ['create', 'priorityclass', 'pc1', '--value=1000', '--description=high', '--preemption-policy=Never'], dryRun: true },
  // Go's JSON form of these, nulls left out: TokenRequestStatus.token and SubjectAccessReviewStatus
  // .allowed have no omitempty, so their zero values are part of the object.
  {
    name: 'token', args: ['create', 'token', 'sa1', '--duration=1h', '--audience=api'], dryRun: false,
    expected: {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {},
      spec: { audiences: ['api'], expirationSeconds: 3600 }, status: { token: '' },
    },
  },
  {
    name: 'token-bound', args: ['create', 'token', 'sa1', '--bound-object-kind=Pod', '--bound-object-name=p1', '--bound-object-uid=u1'], dryRun: false,
    expected: {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {},
      spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: 'u1' } }, status: { token: '' },
    },
  },
  {
    name: 'can-i', args: ['auth', 'can-i', 'create', 'pods', '--subresource=log'], dryRun: false,
    expected: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {},
      spec: { resourceAttributes: { namespace: 'ns1', verb: 'create', resource: 'pods', subresource: 'log' } },
      status: { allowed: false },
    },
  },
  {
    name: 'can-i-list', args: ['auth', 'can-i', '--list'], dryRun: false,
    expected: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'ns1' }, status: { incomplete: false } },
  },
  {
    name: 'whoami', args: ['auth', 'whoami'], dryRun: false,
    expected: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {}, status: { userInfo: {} } },
  },
]
