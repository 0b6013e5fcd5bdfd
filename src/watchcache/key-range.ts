// Which keys a watch sees: etcd's range rules (RG1) plus W2, an empty key meaning "\x00".
import { compareBytes, InvalidArgumentError, isZeroByte, prefixEnd, toBytes, type BytesLike } from '../util/index.js'

export class KeyRange {
  /**
   * @param start first key
   * @param end exclusive end; null = no upper bound; undefined = the single key `start`
   */
  constructor(
    readonly start: Buffer,
    readonly end: Buffer | null | undefined,
  ) {}

  contains(key: Uint8Array): boolean {
    if (this.end === undefined) return compareBytes(key, this.start) === 0
    return compareBytes(key, this.start) >= 0 && (this.end === null || compareBytes(key, this.end) < 0)
  }

  /** No key can be in it: an explicit end at or before the start (etcd refuses such a watch). */
  get empty(): boolean {
    return this.end !== undefined && this.end !== null && compareBytes(this.start, this.end) >= 0
  }

  /** Equal ranges share an id, so watchers on one range share the matching work. */
  get id(): string {
    const end = this.end === undefined ? '=' : this.end === null ? '*' : this.end.toString('hex')
    return `${this.start.toString('hex')}:${end}`
  }
}

export function keyRangeOf(request: { key: BytesLike; rangeEnd?: BytesLike | undefined; prefix?: boolean | undefined }): KeyRange {
  if (typeof request !== 'object' || request === null) throw new InvalidArgumentError('watch: request must be an object')
  if (request.prefix !== undefined && typeof request.prefix !== 'boolean') {
    throw new InvalidArgumentError('watch: prefix must be a boolean')
  }
  const given = toBytes(request.key, 'key')
  // W2: the empty key stands for "\x00". The prefix end is taken from the key as given, so that
  // prefix '' (clientv3's WithPrefix on "") watches every key, as range_end "\x00" does in etcd.
  const start = given.length === 0 ? Buffer.from([0]) : given
  if (request.prefix === true) {
    if (request.rangeEnd !== undefined) throw new InvalidArgumentError('watch: prefix and rangeEnd are exclusive')
    const end = prefixEnd(given)
    return new KeyRange(start, isZeroByte(end) ? null : end)
  }
  if (request.rangeEnd === undefined) return new KeyRange(start, undefined)
  const end = toBytes(request.rangeEnd, 'range end')
  if (end.length === 0) return new KeyRange(start, undefined)
  return new KeyRange(start, isZeroByte(end) ? null : end)
}
