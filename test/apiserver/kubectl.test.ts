// The real kubectl against the server: kubectl 1.32 pinned, through the machine's dispatcher
// (which asks /version and runs the matching kubectl), and kubectl 1.30. Each variant gets a
// private HOME, so kubectl's 6-hour discovery cache (kubectl-surface fact 10) starts empty.
// Skipped when kubectl is not installed.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startTestServer, type TestServer } from '../support/api-server.js'

const sdk = '/usr/lib/google-cloud-sdk/bin'
// The whole command list runs on the pinned 1.32; the other two variants run the first tests
// (get, apply, typed creates) to show the dispatcher and an older kubectl work too.
const variants = [
  { name: 'kubectl 1.32 (pinned)', bin: `${sdk}/kubectl.1.32`, full: true },
  { name: 'kubectl via the dispatcher', bin: '/usr/bin/kubectl', full: false },
  { name: 'kubectl 1.30', bin: `${sdk}/kubectl.1.30`, full: false },
]

interface Run {
  code: number
  stdout: string
  stderr: string
}

interface RunOptions {
  stdin?: string
  env?: Record<string, string>
  /** Stop the command (a watch) once its output matches. */
  until?: RegExp
}

function kubectl(bin: string, home: string, kubeconfig: string, args: string[], o: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--kubeconfig', kubeconfig, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, ...o.env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (o.until?.test(stdout) === true) child.kill('SIGTERM')
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(o.stdin ?? '')
  })
}

const manifest = `apiVersion: v1
kind: Namespace
metadata:
  name: payments
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: payments
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: payments
  labels: {tier: front}
data:
  mode: blue
`

for (const v of variants) {
  describe(v.name, { skip: existsSync(v.bin) ? false : `${v.bin} is not installed` }, () => {
    let s: TestServer
    let home: string
    let dir: string
    let k: (args: string[], o?: RunOptions) => Promise<Run>
    const ok = async (args: string[], o?: RunOptions): Promise<string> => {
      const r = await k(args, o)
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}: exit ${r.code}\n${r.stderr}`)
      return r.stdout
    }
    before(async () => {
      s = await startTestServer()
      home = mkdtempSync(join(tmpdir(), 'etchlog-kubectl-home-'))
      dir = mkdtempSync(join(tmpdir(), 'etchlog-kubectl-files-'))
      k = (args, o) => kubectl(v.bin, home, join(s.dataDir, 'kubeconfig'), args, o)
      writeFileSync(join(dir, 'all.yaml'), manifest)
    })
    after(async () => {
      await s.close()
      rmSync(home, { recursive: true, force: true })
      rmSync(dir, { recursive: true, force: true })
    })

    test('get namespaces with the generated kubeconfig and nothing else', async () => {
      const out = await ok(['get', 'namespaces'])
      assert.match(out, /^NAME\s+STATUS\s+AGE$/m)
      assert.match(out, /^default\s+Active\s+/m)
    })

    test('apply a multi-document file, then re-apply it and change it', async () => {
      const first = await ok(['apply', '-f', join(dir, 'all.yaml')])
      assert.match(first, /namespace\/payments created/)
      assert.match(first, /deployment.apps\/web created/)
      assert.match(first, /configmap\/settings created/)
      writeFileSync(join(dir, 'changed.yaml'), manifest.replace('nginx:1.25', 'nginx:1.26'))
      assert.match(await ok(['apply', '-f', join(dir, 'changed.yaml')]), /deployment.apps\/web configured/)
      assert.equal((await ok(['get', 'deploy', 'web', '-n', 'payments', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).trim(), 'nginx:1.26')
    })

    test('typed create commands (protobuf bodies from 1.32 on) and get in every output format', async () => {
      await ok(['create', 'configmap', 'cm1', '-n', 'payments', '--from-literal=a=b'])
      await ok(['create', 'secret', 'generic', 's1', '-n', 'payments', '--from-literal=x=y'])
      await ok(['create', 'serviceaccount', 'bot', '-n', 'payments'])
      const json = JSON.parse(await ok(['get', 'cm', 'cm1', '-n', 'payments', '-o', 'json'])) as { data: Record<string, string> }
      assert.deepEqual(json.data, { a: 'b' })
      assert.match(await ok(['get', 'cm', 'cm1', '-n', 'payments', '-o', 'yaml']), /^ {2}a: b$/m)
      assert.match(await ok(['get', 'cm', '-n', 'payments', '-o', 'name']), /configmap\/cm1/)
      const wide = await ok(['get', 'deploy', '-n', 'payments', '-o', 'wide'])
      assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR/)
      const labels = await ok(['get', 'cm', '-n', 'payments', '-l', 'tier=front', '--show-labels'])
      assert.match(labels, /settings\s+.*tier=front/)
      assert.doesNotMatch(labels, /cm1/)
      assert.match(await ok(['get', 'cm', '-A', '-L', 'tier']), /^NAMESPACE\s+NAME\s+DATA\s+AGE\s+TIER$/m)
      assert.match(await ok(['get', 'cm', '-A', '--field-selector', 'metadata.name=cm1']), /payments\s+cm1/)
    })

    test('label, annotate, scale, patch of every type, replace', { skip: v.full ? false : 'run on the pinned 1.32 only' }, async () => {
      await ok(['label', 'deploy', 'web', '-n', 'payments', 'team=a'])
      await ok(['annotate', 'deploy', 'web', '-n', 'payments', 'note=hello'])
      await ok(['scale', 'deploy', 'web', '-n', 'payments', '--replicas=4'])
      await ok(['patch', 'deploy', 'web', '-n', 'payments', '--type=merge', '-p', '{"metadata":{"labels":{"merge":"yes"}}}'])
      await ok(['patch', 'deploy', 'web', '-n', 'payments', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]'])
      await ok(['patch', 'deploy', 'web', '-n', 'payments', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}'])
      const d = JSON.parse(await ok(['get', 'deploy', 'web', '-n', 'payments', '-o', 'json'])) as { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } }; metadata: { labels: Record<string, string>; annotations: Record<string, string> } }
      assert.equal(d.spec.replicas, 3)
      assert.equal(d.spec.template.spec.containers.length, 1, 'strategic merge kept one container, merged by name')
      assert.equal(d.spec.template.spec.containers[0]?.image, 'nginx:1.27')
      assert.equal(d.metadata.labels.team, 'a')
      assert.equal(d.metadata.labels.merge, 'yes')
      assert.equal(d.metadata.annotations.note, 'hello')
      const bad = await k(['patch', 'deploy', 'web', '-n', 'payments', '--type=json', '-p', '[{"op":"replace","path":"/data/zz","value":1}]'])
      assert.notEqual(bad.code, 0)
      assert.match(bad.stderr, /Invalid|invalid/)
      const cm = (await ok(['get', 'cm', 'cm1', '-n', 'payments', '-o', 'yaml'])).replace('a: b', 'a: replaced')
      writeFileSync(join(dir, 'cm1.yaml'), cm)
      await ok(['replace', '-f', join(dir, 'cm1.yaml')])
      assert.equal((await ok(['get', 'cm', 'cm1', '-n', 'payments', '-o', 'jsonpath={.data.a}'])).trim(), 'replaced')
    })

    test('server-side apply: a conflict with another manager, then --force-conflicts', { skip: v.full ? false : 'run on the pinned 1.32 only' }, async () => {
      writeFileSync(join(dir, 'ssa.yaml'), manifest.replace('replicas: 2', 'replicas: 5'))
      const conflict = await k(['apply', '--server-side', '-f', join(dir, 'ssa.yaml')])
      assert.notEqual(conflict.code, 0)
      assert.match(conflict.stderr, /conflict/)
      assert.match(await ok(['apply', '--server-side', '--force-conflicts', '-f', join(dir, 'ssa.yaml')]), /serverside-applied/)
      assert.equal((await ok(['get', 'deploy', 'web', '-n', 'payments', '-o', 'jsonpath={.spec.replicas}'])).trim(), '5')
    })

    test('edit through KUBE_EDITOR, diff, rollout restart', { skip: v.full ? false : 'run on the pinned 1.32 only' }, async () => {
      const editor = join(dir, 'editor.sh')
      writeFileSync(editor, '#!/bin/sh\nsed -i "s/mode: blue/mode: green/" "$1"\n', { mode: 0o755 })
      await ok(['edit', 'cm', 'settings', '-n', 'payments'], { env: { KUBE_EDITOR: editor } })
      assert.equal((await ok(['get', 'cm', 'settings', '-n', 'payments', '-o', 'jsonpath={.data.mode}'])).trim(), 'green')
      const diff = await k(['diff', '-f', join(dir, 'all.yaml')])
      assert.equal(diff.code, 1, `kubectl diff exits 1 when there are differences: ${diff.stderr}`)
      assert.match(diff.stdout, /mode: blue/)
      await ok(['rollout', 'restart', 'deploy/web', '-n', 'payments'])
      const annotations = await ok(['get', 'deploy', 'web', '-n', 'payments', '-o', 'jsonpath={.spec.template.metadata.annotations}'])
      assert.match(annotations, /kubectl.kubernetes.io\/restartedAt/)
    })

    test('discovery commands and explain', { skip: v.full ? false : 'run on the pinned 1.32 only' }, async () => {
      const resources = await ok(['api-resources'])
      assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m)
      assert.match(resources, /^routes\s+route.openshift.io\/v1\s+true\s+Route$/m)
      assert.match(await ok(['api-versions']), /^apps\/v1$/m)
      assert.match(await ok(['explain', 'deployment.spec.strategy']), /FIELD:\s+strategy <DeploymentStrategy>/)
    })

    test('auth: whoami, can-i, can-i --list, create token', { skip: v.full ? false : 'run on the pinned 1.32 only' }, async () => {
      assert.match(await ok(['auth', 'whoami']), /etchlog-admin/)
      assert.equal((await ok(['auth', 'can-i', 'create', 'pods', '-n', 'payments'])).trim(), 'yes')
      const no = await k(['auth', 'can-i', 'create', 'pods', '-n', 'payments', '--as', 'nobody'])
      assert.equal(no.code, 1)
      assert.match(no.stdout, /^no/)
      assert.match(await ok(['auth', 'can-i', '--list', '-n', 'payments']), /Resources\s+Non-Resource URLs/)
      assert.ok((await ok(['create', 'token', 'bot', '-n', 'payments'])).trim().split('.').length === 3, 'a JWT')
    })

    test('get -w prints the change it sees', { skip: v.full ? false : 'run on the pinned 1.32 only' }, async () => {
      const watching = k(['get', 'cm', '-n', 'payments', '-w'], { until: /^watched\s/m })
      // The watch starts after its list: a change made once the list is answered shows up.
      await ok(['create', 'configmap', 'watched', '-n', 'payments', '--from-literal=k=v'])
      const r = await watching
      assert.match(r.stdout, /^settings\s/m)
      assert.match(r.stdout, /^watched\s/m, `the new ConfigMap is printed, from the list or the watch: ${r.stdout}`)
    })

    test('delete by label, --all, and a namespace (Terminating)', { skip: v.full ? false : 'run on the pinned 1.32 only' }, async () => {
      await ok(['delete', 'cm', '-n', 'payments', '-l', 'tier=front'])
      assert.doesNotMatch(await ok(['get', 'cm', '-n', 'payments']), /settings/)
      await ok(['delete', 'cm', '-n', 'payments', '--all'])
      assert.match((await k(['get', 'cm', '-n', 'payments'])).stderr, /No resources found/)
      await ok(['delete', 'namespace', 'payments', '--wait=false'])
      assert.match(await ok(['get', 'ns', 'payments']), /Terminating/)
      const refused = await k(['create', 'configmap', 'late', '-n', 'payments'])
      assert.notEqual(refused.code, 0)
      assert.match(refused.stderr, /being terminated/)
    })
  })
}
