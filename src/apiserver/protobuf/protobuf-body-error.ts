import { StorageError } from '../../util/index.js'

/** A request body in application/vnd.kubernetes.protobuf that cannot be decoded: wrong magic,
 *  truncated or malformed wire data, an unknown kind, a field of the wrong wire type. HTTP 400. */
export class ProtobufBodyError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BadRequest', `apiserver: protobuf body: ${message}`, options)
  }
}
