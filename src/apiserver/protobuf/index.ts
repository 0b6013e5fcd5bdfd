// Kubernetes protobuf bodies (application/vnd.kubernetes.protobuf): a pure codec between the
// k8s\0 wire envelope and the JSON form the rest of the API server works with.
export { ProtobufBodyError } from './protobuf-body-error.js'
export { decodeProtobufObject, encodeProtobufObject, knownProtobufKinds } from './protobuf-object.js'
export { isProtobufContentType, prefersProtobuf, protobufMediaType } from './media-type.js'
export type { DecodeOptions } from './protobuf-object.js'
export type { UnknownFieldPolicy } from './wire-to-json.js'
