// A protobuf message type reduced to what the split/join walk needs, built once per registered
// kind: for each field its shape, its scalar kind or nested plan, and whether it tracks presence.
import protobuf from 'protobufjs'
import type { Field, Type } from 'protobufjs'
import { InvalidArgumentError } from '../util/index.js'

/** How a JS value is held by a protobuf scalar; every kind lists exactly the values it keeps. */
export type ScalarKind = 'string' | 'bool' | 'bytes' | 'double' | 'float' | 'int32' | 'uint32' | 'int64' | 'uint64'

/** The protobuf scalar type as declared: it fixes the wire encoding (varint, zigzag, fixed width). */
export type WireScalar =
  | 'string'
  | 'bool'
  | 'bytes'
  | 'double'
  | 'float'
  | 'int32'
  | 'sint32'
  | 'sfixed32'
  | 'uint32'
  | 'fixed32'
  | 'int64'
  | 'sint64'
  | 'sfixed64'
  | 'uint64'
  | 'fixed64'

export interface FieldPlan {
  readonly name: string
  /** Field number on the wire. */
  readonly id: number
  /** Position in MessagePlan.fields (number order). */
  readonly index: number
  readonly shape: 'single' | 'repeated' | 'map'
  /** Set for scalar (and enum) values; undefined when the value is a message. */
  readonly scalar: ScalarKind | undefined
  /** Set with `scalar`: the declared type (enums are int32 on the wire). */
  readonly wire: WireScalar | undefined
  /** `wire` as a small number for the hot switch of the reader and writer (wireCodes); -1 for messages. */
  readonly wireCode: number
  /** A repeated numeric field written packed (proto3's default). */
  readonly packed: boolean
  /** Set when the value is a message. */
  readonly message: MessagePlan | undefined
  /** A single field that records presence; without it the default value cannot be told from absent. */
  readonly presence: boolean
  /** Name of a real (not proto3-optional) oneof: at most one of its members is put on the wire. */
  readonly oneof: string | undefined
}

export interface MessagePlan {
  readonly type: Type
  /** Full message name without the leading dot, as written to Envelope.messageType. */
  readonly name: string
  readonly fields: FieldPlan[]
  readonly byName: Map<string, FieldPlan>
  readonly byId: Map<number, FieldPlan>
  /** byId as an array for the small field numbers messages use (undefined past its end). */
  readonly byIdSmall: (FieldPlan | undefined)[]
  /** Whether some field is in a real oneof (only then does the order of an object's keys matter). */
  hasOneof: boolean
}

/** WireScalar -> FieldPlan.wireCode. */
export const wireCodes: Readonly<Record<WireScalar, number>> = {
  string: 0,
  bytes: 1,
  bool: 2,
  double: 3,
  float: 4,
  int32: 5,
  sint32: 6,
  uint32: 7,
  fixed32: 8,
  sfixed32: 9,
  int64: 10,
  uint64: 11,
  sint64: 12,
  fixed64: 13,
  sfixed64: 14,
}

const byIdSmallMax = 64

const scalarKinds: Record<WireScalar, ScalarKind> = {
  string: 'string',
  bool: 'bool',
  bytes: 'bytes',
  double: 'double',
  float: 'float',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'uint32',
  fixed32: 'uint32',
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'uint64',
  fixed64: 'uint64',
}

/** Builds the plan of `type` and of every message it reaches (recursive types share plans). */
export function planMessage(type: Type, plans = new Map<Type, MessagePlan>()): MessagePlan {
  const known = plans.get(type)
  if (known !== undefined) return known
  const plan: MessagePlan = { type, name: type.fullName.replace(/^\./, ''), fields: [], byName: new Map(), byId: new Map(), byIdSmall: [], hasOneof: false }
  plans.set(type, plan)
  const sorted = [...type.fieldsArray].sort((a, b) => a.id - b.id)
  for (const raw of sorted) {
    const field = raw.resolve()
    const fieldPlan = planField(plan.name, field, plan.fields.length, plans)
    plan.fields.push(fieldPlan)
    plan.byName.set(fieldPlan.name, fieldPlan)
    plan.byId.set(fieldPlan.id, fieldPlan)
    if (fieldPlan.id < byIdSmallMax) plan.byIdSmall[fieldPlan.id] = fieldPlan
    if (fieldPlan.oneof !== undefined) plan.hasOneof = true
  }
  return plan
}

function planField(owner: string, field: Field, index: number, plans: Map<Type, MessagePlan>): FieldPlan {
  const where = `${owner}.${field.name}`
  const refuse = (why: string): never => {
    throw new InvalidArgumentError(`codec: message field ${where} is not supported: ${why}`)
  }
  // A missing required field makes the decoder throw, so such bytes could never be read back.
  if (field.required) refuse('required fields')
  if (field.name === '__proto__') refuse('the name __proto__')
  if (field.delimited) refuse('groups / delimited encoding')
  if (field.map && (field as Field & { keyType: string }).keyType !== 'string') refuse('maps need string keys')
  const resolved = field.resolvedType
  let scalar: ScalarKind | undefined
  let wire: WireScalar | undefined
  let message: MessagePlan | undefined
  if (resolved instanceof protobuf.Type) message = planMessage(resolved, plans)
  else if (resolved instanceof protobuf.Enum) {
    scalar = 'int32' // enums are numbers in objects
    wire = 'int32'
  } else if (isWireScalar(field.type)) {
    wire = field.type
    scalar = scalarKinds[wire]
  } else refuse(`type ${field.type}`)
  const oneof = field.partOf
  const synthetic = field.options?.['proto3_optional'] === true
  const packable = wire !== undefined && wire !== 'string' && wire !== 'bytes'
  return {
    name: field.name,
    id: field.id,
    index,
    wire,
    wireCode: wire === undefined ? -1 : wireCodes[wire],
    packed: field.repeated && !field.map && packable && field.packed,
    shape: field.map ? 'map' : field.repeated ? 'repeated' : 'single',
    scalar,
    message,
    presence: field.hasPresence,
    oneof: oneof !== null && !synthetic ? oneof.name : undefined,
  }
}

function isWireScalar(type: string): type is WireScalar {
  return Object.hasOwn(scalarKinds, type)
}
