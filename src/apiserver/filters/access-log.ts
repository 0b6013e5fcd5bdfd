// One access log line per request (kube-apiserver's httplog): who, what, the answer and how long
// it took. Never a header, so never a token.
import type { RequestObserver } from '../server.js'

export function accessLog(log: (line: string) => void): RequestObserver {
  return ({ info, user, code, durationMs, req }) => {
    const resource = info.isResourceRequest ? `${info.group === '' ? '' : `${info.group}/`}${info.resource}${info.subresource === '' ? '' : `/${info.subresource}`}` : ''
    const fields = [
      `verb=${info.verb}`,
      `path=${JSON.stringify(info.path)}`,
      ...(resource === '' ? [] : [`resource=${JSON.stringify(resource)}`]),
      ...(info.namespace === '' ? [] : [`namespace=${JSON.stringify(info.namespace)}`]),
      ...(info.name === '' ? [] : [`name=${JSON.stringify(info.name)}`]),
      `user=${JSON.stringify(user?.username ?? '')}`,
      `code=${code}`,
      `latency=${durationMs.toFixed(3)}ms`,
      `srcIP=${JSON.stringify(req.socket.remoteAddress ?? '')}`,
    ]
    log(`apiserver: access ${fields.join(' ')}`)
  }
}
