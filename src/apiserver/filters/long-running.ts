// Which requests are long-running (kube-apiserver's LongRunningRequestCheck): watches and the
// streaming subresources. They take no in-flight seat and get no request timeout.
import type { RequestInfo } from '../request-info.js'

const longRunningSubresources: ReadonlySet<string> = new Set(['log', 'exec', 'attach', 'portforward', 'proxy'])

export function isLongRunning(info: RequestInfo): boolean {
  if (!info.isResourceRequest) return false
  return info.verb === 'watch' || longRunningSubresources.has(info.subresource)
}

export function isMutating(info: RequestInfo): boolean {
  return !(info.verb === 'get' || info.verb === 'list' || info.verb === 'watch' || info.verb === 'head' || info.verb === 'options')
}
