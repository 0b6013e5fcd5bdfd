// `etchlog load --duration 5` against the server it starts in-process: the same actors drive it
// over HTTPS, and the run ends with its checks passing (no lost update, every informer cache equal
// to the server's state read over HTTP, store check), its report saying the path was HTTPS.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { runLoad } from '../../src/load.js'
import type { WorkloadReport } from '../../src/workload/index.js'
import { startTestServer } from '../support/api-server.js'
import { tempDir } from '../support/temp-store.js'

function sink(): { stream: Writable; text(): string } {
  let text = ''
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8')
      done()
    },
  })
  return { stream, text: () => text }
}

test('etchlog load --duration 5 drives an in-process server over HTTPS and its checks pass', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const out = sink()
  const err = sink()
  const args = ['--duration', '5', '--nodes', '20', '--controllers', '6', '--seed', '5', '--progress-every', '1', '--db', join(dir.path, 'etchlog.db')]
  const code = await runLoad(args, { stdout: out.stream, stderr: err.stream })
  const stdout = out.text()
  assert.equal(code, 0, `exit ${code}:\n${stdout}\n${err.text()}`)
  assert.match(stdout, /^etchlog workload on etchlog server https:\/\/127\.0\.0\.1:\d+ \(in-process/m)
  assert.match(stdout, /^\s*[\d.]+s \| rev [\d,]+/m, 'a progress line')
  assert.match(stdout, /^verification: ok \(20 nodes and 20 deployments: no lost update; 7 watch caches equal the store\)/m)
  assert.match(stdout, /^check: ok/m)
  const reports = readdirSync(dir.path).filter((f) => /^etchlog-report-.*\.json$/.test(f))
  assert.equal(reports.length, 1)
  const report = JSON.parse(readFileSync(join(dir.path, reports[0] ?? ''), 'utf8')) as WorkloadReport
  assert.equal(report.storage.api, 'https')
  assert.equal(report.verification.ok, true)
  assert.ok((report.categories['node-status']?.ops ?? 0) > 0, 'kubelets posted node status over HTTP')
  assert.ok(report.watch.events > 0, 'informers received watch events over HTTP')
  assert.equal(report.totals.errors, 0, JSON.stringify(report.recentErrors))
})

test('etchlog load rejects an unknown flag with its usage, exit 2', async () => {
  const out = sink()
  const err = sink()
  assert.equal(await runLoad(['--no-such-flag'], { stdout: out.stream, stderr: err.stream }), 2)
  assert.match(err.text(), /usage: etchlog load/)
})

test('etchlog load --server KUBECONFIG drives a running server over HTTPS only; its checks pass', async (t) => {
  const server = await startTestServer()
  t.after(() => server.close())
  const dir = tempDir()
  t.after(() => dir.remove())
  const out = sink()
  const err = sink()
  const args = ['--server', server.serving.kubeconfigPath, '--duration', '3', '--nodes', '10', '--controllers', '3', '--seed', '9', '--db', join(dir.path, 'etchlog.db')]
  const code = await runLoad(args, { stdout: out.stream, stderr: err.stream })
  const stdout = out.text()
  assert.equal(code, 0, `exit ${code}:\n${stdout}\n${err.text()}`)
  assert.match(stdout, new RegExp(`^etchlog workload on etchlog server ${server.serving.url.replaceAll('.', '\\.')} `, 'm'))
  assert.match(stdout, /^verification: ok \(10 nodes and 10 deployments: no lost update; 4 watch caches equal the store\)/m)
  // What the load wrote is on the server, read by another client.
  const nodes = await server.call('GET', '/api/v1/nodes')
  assert.equal((nodes.json()['items'] as unknown[]).length, 10)
})

test('etchlog load --server with a missing kubeconfig says so, exit 1', async () => {
  const out = sink()
  const err = sink()
  assert.equal(await runLoad(['--server', '/nonexistent/kubeconfig'], { stdout: out.stream, stderr: err.stream }), 1)
  assert.match(err.text(), /nonexistent\/kubeconfig/)
})
