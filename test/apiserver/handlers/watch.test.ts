// A watch stream over HTTP/2 (as kubectl and client-go open it): 200 at once, events as JSON lines.
import assert from 'node:assert/strict'
import { connect } from 'node:http2'
import { after, before, test } from 'node:test'
import { startTestServer, type TestServer } from '../../support/api-server.js'

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(async () => s.close())

test('HTTP/2 watch: 200 without connection headers, then the ADDED event of a new object', async () => {
  const session = connect(`https://127.0.0.1:${s.port}`, { ca: s.ca, cert: s.admin.cert, key: s.admin.key })
  try {
    const stream = session.request({ ':path': '/api/v1/namespaces/default/configmaps?watch=1' })
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      stream.on('response', resolve)
      stream.on('error', reject)
    })
    assert.equal(headers[':status'], 200)
    assert.equal(headers['transfer-encoding'], undefined)
    let text = ''
    const seen = new Promise<void>((resolve, reject) => {
      stream.setEncoding('utf8')
      stream.on('data', (d: string) => {
        text += d
        if (text.includes('"name":"h2"')) resolve()
      })
      stream.on('error', reject)
    })
    const created = await s.call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h2' } } })
    assert.equal(created.status, 201)
    await seen
    assert.match(text, /^\{"type":"ADDED","object":\{/)
    stream.close()
  } finally {
    session.close()
  }
})
