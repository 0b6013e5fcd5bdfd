// Regenerates proto/k8s/*.proto: the subset of Kubernetes' wire schema that
// src/apiserver/protobuf decodes, from upstream checkouts of k8s.io/api and k8s.io/apimachinery
// (git repositories; nothing is fetched). It keeps only names, numbers and types, from
// generated.proto, and takes from types.go what the .proto cannot say: the JSON name, whether a
// scalar keeps its zero value in JSON (a Go pointer, or no omitempty: proto3 `optional` here),
// and which fields are Go embedded structs ([(inline) = true]).
//
//   K8S_API=~/src/api K8S_APIMACHINERY=~/src/apimachinery TAG=v0.32.4 node scripts/extract-k8s-proto.mjs
//
// To decode a new kind: add its message to `roots` below, rerun, add it to k8s-schema.ts.
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'

const api = process.env.K8S_API
const machinery = process.env.K8S_APIMACHINERY
const tag = process.env.TAG ?? 'v0.32.4'
if (!api || !machinery) {
  console.error('set K8S_API and K8S_APIMACHINERY to git checkouts of k8s.io/api and k8s.io/apimachinery')
  process.exit(2)
}

// upstream package -> [repo, dir, our package, our file]
const packages = {
  'k8s.io.api.core.v1': [api, 'core/v1', 'k8s.core.v1', 'core-v1'],
  'k8s.io.api.apps.v1': [api, 'apps/v1', 'k8s.apps.v1', 'apps-v1'],
  'k8s.io.api.batch.v1': [api, 'batch/v1', 'k8s.batch.v1', 'batch-v1'],
  'k8s.io.api.rbac.v1': [api, 'rbac/v1', 'k8s.rbac.v1', 'rbac-v1'],
  'k8s.io.api.authentication.v1': [api, 'authentication/v1', 'k8s.authentication.v1', 'authentication-v1'],
  'k8s.io.api.authorization.v1': [api, 'authorization/v1', 'k8s.authorization.v1', 'authorization-v1'],
  'k8s.io.api.networking.v1': [api, 'networking/v1', 'k8s.networking.v1', 'networking-v1'],
  'k8s.io.api.policy.v1': [api, 'policy/v1', 'k8s.policy.v1', 'policy-v1'],
  'k8s.io.api.scheduling.v1': [api, 'scheduling/v1', 'k8s.scheduling.v1', 'scheduling-v1'],
  'k8s.io.api.coordination.v1': [api, 'coordination/v1', 'k8s.coordination.v1', 'coordination-v1'],
  'k8s.io.api.autoscaling.v1': [api, 'autoscaling/v1', 'k8s.autoscaling.v1', 'autoscaling-v1'],
  'k8s.io.apimachinery.pkg.apis.meta.v1': [machinery, 'pkg/apis/meta/v1', 'k8s.meta.v1', 'meta-v1'],
  'k8s.io.apimachinery.pkg.runtime': [machinery, 'pkg/runtime', 'k8s.runtime', 'runtime'],
  'k8s.io.apimachinery.pkg.util.intstr': [machinery, 'pkg/util/intstr', 'k8s.intstr', 'intstr'],
  'k8s.io.apimachinery.pkg.api.resource': [machinery, 'pkg/api/resource', 'k8s.resource', 'resource'],
}

const core = ['Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'Pod', 'ResourceQuota', 'LimitRange', 'Endpoints', 'Node', 'Event', 'PersistentVolumeClaim']
const withLists = (pkg, kinds) => kinds.flatMap((k) => [`${pkg}.${k}`, `${pkg}.${k}List`])
const roots = [
  ...withLists('k8s.io.api.core.v1', core),
  ...withLists('k8s.io.api.apps.v1', ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']),
  ...withLists('k8s.io.api.batch.v1', ['Job', 'CronJob']),
  ...withLists('k8s.io.api.rbac.v1', ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']),
  ...['TokenRequest', 'SelfSubjectReview', 'TokenReview'].map((k) => `k8s.io.api.authentication.v1.${k}`),
  ...['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'LocalSubjectAccessReview'].map((k) => `k8s.io.api.authorization.v1.${k}`),
  ...withLists('k8s.io.api.networking.v1', ['Ingress', 'NetworkPolicy']),
  ...withLists('k8s.io.api.policy.v1', ['PodDisruptionBudget']), 'k8s.io.api.policy.v1.Eviction',
  ...withLists('k8s.io.api.scheduling.v1', ['PriorityClass']),
  ...withLists('k8s.io.api.coordination.v1', ['Lease']),
  'k8s.io.api.autoscaling.v1.Scale',
  'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.Status',
  'k8s.io.apimachinery.pkg.runtime.Unknown',
]

// Types whose JSON form is not their message (special-types.ts): every field keeps its zero,
// since "present on the wire" is what tells the zero time from 1970-01-01.
const specials = {
  'k8s.meta.v1.Time': 'the JSON form is an RFC 3339 string; an empty message is the zero time (JSON null)',
  'k8s.meta.v1.MicroTime': 'the JSON form is an RFC 3339 string; an empty message is the zero time (JSON null)',
  'k8s.intstr.IntOrString': 'the JSON form is intVal (type 0) or strVal (type 1)',
  'k8s.resource.Quantity': 'the JSON form is the string itself',
  'k8s.meta.v1.FieldsV1': 'the JSON form is the object whose JSON text Raw holds',
}

const git = (repo, ...args) => execFileSync('git', args, { cwd: repo, maxBuffer: 1 << 28 }).toString()
const scalars = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float', 'fixed64', 'sfixed64', 'sint64'])

const messages = new Map() // upstream full name -> { pkg, name, fields }
const goFields = new Map() // "pkg|Struct" -> Map(number -> { ptr, json, omit, inline })
for (const [pkg, [repo, dir]] of Object.entries(packages)) {
  readProto(pkg, git(repo, 'show', `${tag}:${dir}/generated.proto`))
  const files = git(repo, 'ls-tree', '--name-only', tag, `${dir}/`).split('\n').filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))
  for (const file of files) readGo(pkg, git(repo, 'show', `${tag}:${file}`))
}

function readProto(pkg, text) {
  for (const m of text.matchAll(/^message (\w+) \{([\s\S]*?)^\}/gm)) {
    const fields = []
    for (const line of m[2].split('\n')) {
      const t = line.replace(/\/\/.*/, '').trim()
      let f = t.match(/^(optional|repeated) ([\w.]+) (\w+) = (\d+);/)
      if (f) fields.push({ label: f[1], type: f[2], name: f[3], num: Number(f[4]) })
      else if ((f = t.match(/^map<(\w+), ?([\w.]+)> (\w+) = (\d+);/))) fields.push({ label: 'map', key: f[1], type: f[2], name: f[3], num: Number(f[4]) })
      else if (t && !t.startsWith('option') && !t.startsWith('reserved')) throw new Error(`unparsed line in ${pkg}.${m[1]}: ${t}`)
    }
    messages.set(`${pkg}.${m[1]}`, { pkg, name: m[1], fields })
  }
}

function readGo(pkg, text) {
  for (const s of text.matchAll(/^type (\w+) struct \{([\s\S]*?)^\}/gm)) {
    const byNumber = new Map()
    for (const line of s[2].split('\n')) {
      const f = line.match(/^\s+(\S+)(?:\s+(\S+))?\s+`(.*)`\s*$/)
      const pb = f?.[3].match(/protobuf:"([^"]*)"/)
      const js = f?.[3].match(/json:"([^"]*)"/)
      if (!pb || !js) continue
      const [json, ...options] = js[1].split(',')
      byNumber.set(Number(pb[1].split(',')[1]), {
        ptr: (f[2] ?? f[1]).startsWith('*'), json, omit: options.includes('omitempty'), inline: options.includes('inline') || json === '',
      })
    }
    goFields.set(`${pkg}|${s[1]}`, byNumber)
  }
}

const qualify = (pkg, type) => ((type = type.replace(/^\./, '')).includes('.') ? type : `${pkg}.${type}`)
const rename = (full) => {
  const dot = full.lastIndexOf('.')
  return `${packages[full.slice(0, dot)][2]}.${full.slice(dot + 1)}`
}

const needed = new Set()
for (const queue = [...roots]; queue.length > 0; ) {
  const name = queue.pop()
  if (needed.has(name)) continue
  const m = messages.get(name)
  if (!m) throw new Error(`no message ${name}`)
  needed.add(name)
  for (const f of m.fields) if (!scalars.has(f.type)) queue.push(qualify(m.pkg, f.type))
}

const blocks = new Map()
for (const full of [...needed].sort()) {
  const m = messages.get(full)
  const go = goFields.get(`${m.pkg}|${m.name}`)
  const ours = rename(full)
  const lines = m.fields.map((f) => fieldLine(f, m.pkg, go?.get(f.num), ours in specials))
  if (ours in specials) lines.unshift(`  // special: ${specials[ours]}`)
  else if (!go && m.fields.length === 1 && m.fields[0].name === 'items' && m.fields[0].label === 'repeated') {
    lines.unshift('  option (slice) = true; // a Go named slice: the JSON form is the bare array')
  }
  if (!blocks.has(m.pkg)) blocks.set(m.pkg, [])
  blocks.get(m.pkg).push(`message ${m.name} {\n${lines.join('\n')}\n}\n`)
}

function fieldLine(f, pkg, g, special) {
  const name = g && g.json && g.json !== '-' ? g.json : f.name
  const scalar = scalars.has(f.type)
  const type = scalar ? f.type : rename(qualify(pkg, f.type))
  const inline = g?.inline && g.json !== '-' ? ' [(inline) = true]' : ''
  if (f.label === 'map') return `  map<${f.key}, ${type}> ${name} = ${f.num}${inline};`
  let label = f.label === 'repeated' ? 'repeated ' : ''
  if (f.label === 'optional' && scalar && (special || (g && (g.ptr || !g.omit)))) label = 'optional '
  return `  ${label}${type} ${name} = ${f.num}${inline};`
}

rmSync('proto/k8s', { recursive: true, force: true })
mkdirSync('proto/k8s', { recursive: true })
for (const [pkg, list] of blocks) {
  const [, , short, file] = packages[pkg]
  const body = list.join('\n')
  const imports = [...new Set([...body.matchAll(/ (k8s\.[\w.]+)\.\w+ \w+ = /g)].map((x) => x[1]).filter((p) => p !== short))]
  const fileOf = (s) => Object.values(packages).find((v) => v[2] === s)[3]
  const head = [
    `// Kubernetes ${pkg} wire schema, subset (messages reachable from the kinds etchlog decodes).`,
    `// Field names are the JSON names; numbers from upstream generated.proto at ${tag} (kubernetes 1.${tag.split('.')[1]}.${tag.split('.')[2]}).`,
    '// proto3 `optional` marks a field whose zero value is kept in the JSON form (a Go pointer, or a field',
    '// without omitempty); [(inline) = true] marks a Go embedded struct whose fields join the parent in JSON.',
    '// Generated by scripts/extract-k8s-proto.mjs.',
    'syntax = "proto3";',
    '',
    `package ${short};`,
    '',
    ...imports.sort().map((p) => `import "${fileOf(p)}.proto";`),
    '',
  ].join('\n')
  writeFileSync(`proto/k8s/${file}.proto`, `${head}\n${body}`)
}
console.error(`${needed.size} messages in ${blocks.size} files`)
