// The scenarios' kubectl commands against `serve --nodes 2` with its control loops: rollout status
// finishes, scale, logs (and logs -f), a rolling image change, and delete namespace that waits
// until the namespace is gone. Skipped when kubectl 1.32 is not installed.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startTestServer, type TestServer } from '../support/api-server.js'

const bin = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32'

interface Run {
  code: number
  stdout: string
  stderr: string
}

describe('kubectl against the living cluster', { skip: existsSync(bin) ? false : `${bin} is not installed` }, () => {
  let s: TestServer
  let home: string
  const k = (args: string[], until?: RegExp): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(bin, ['--kubeconfig', s.serving.kubeconfigPath, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home } })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString()
        if (until?.test(stdout) === true) child.kill('SIGTERM')
      })
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('error', reject)
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    })
  const ok = async (args: string[]): Promise<string> => {
    const r = await k(args)
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'etchlog-kubectl-home-'))
    s = await startTestServer({ nodes: 2 })
  })
  after(async () => {
    await s.close()
    rmSync(home, { recursive: true, force: true })
  })

  test('nodes, create deployment, rollout status, scale, logs, set image, delete namespace', async () => {
    assert.match(await ok(['get', 'nodes']), /node-1\s+Ready\s+<none>\s+\S+\s+v1\.32\.4/)
    await ok(['create', 'namespace', 'payments'])
    await ok(['create', 'deployment', 'web', '-n', 'payments', '--image=nginx:1.27', '--replicas=3'])
    assert.match(await ok(['rollout', 'status', 'deployment/web', '-n', 'payments', '--timeout=60s']), /successfully rolled out/)
    const pods = await ok(['get', 'pods', '-n', 'payments', '-o', 'wide', '--no-headers'])
    assert.equal(pods.trim().split('\n').filter((l) => /\s1\/1\s+Running\s/.test(l)).length, 3, pods)
    await ok(['scale', 'deployment/web', '-n', 'payments', '--replicas=1'])
    await ok(['wait', '--for=jsonpath={.status.replicas}=1', 'deployment/web', '-n', 'payments', '--timeout=60s'])
    assert.match(await ok(['logs', '-n', 'payments', 'deployment/web']), /started from image nginx:1\.27/)
    const followed = await k(['logs', '-f', '-n', 'payments', 'deployment/web'], /started from image/)
    assert.match(followed.stdout, /started from image nginx:1\.27/)
    await ok(['set', 'image', 'deployment/web', '-n', 'payments', 'nginx=nginx:1.28'])
    assert.match(await ok(['rollout', 'status', 'deployment/web', '-n', 'payments', '--timeout=60s']), /successfully rolled out/)
    assert.match(await ok(['rollout', 'history', 'deployment/web', '-n', 'payments']), /^2\s/m)
    await ok(['rollout', 'undo', 'deployment/web', '-n', 'payments'])
    assert.match(await ok(['rollout', 'status', 'deployment/web', '-n', 'payments', '--timeout=60s']), /successfully rolled out/)
    const history = await ok(['rollout', 'history', 'deployment/web', '-n', 'payments'])
    assert.match(history, /^2\s/m)
    assert.match(history, /^3\s/m, `the rolled-back revision becomes 3: ${history}`)
    assert.match(await ok(['get', 'deployment', 'web', '-n', 'payments', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), /^nginx:1\.27$/)
    await ok(['delete', 'namespace', 'payments', '--timeout=60s'])
    const gone = await k(['get', 'namespace', 'payments'])
    assert.match(gone.stderr, /NotFound|not found/)
  })
})
