// The codec layer's public face: other layers import from here only.
export { ObjectCodec } from './object-codec.js'
export {
  KindRegistry,
  defaultRegistry,
  shippedKinds,
  shippedProtoFiles,
  type KindRegistration,
  type RegisteredKind,
} from './kind-registry.js'
export { CodecError } from './codec-error.js'
export { magic, contentTypeMsgpack, contentTypeProtobuf, encryptedBy } from './envelope.js'
export { shippedProtoDir } from './proto-files.js'
export type { DecodeContext, KubeObject, KubeObjectInput, ObjectFields, ObjectMeta, ObjectMetaInput, Stored } from './types.js'
