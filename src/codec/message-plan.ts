// A protobuf message type reduced to what the split/join walk needs, built once per registered
// kind: for each field its shape, its scalar kind or nested plan, and whether it tracks presence.
import protobuf from 'protobufjs'
import type { Field, Type } from 'protobufjs'
import { InvalidArgumentError } from '../util/index.js'

/** How a JS value is held by a protobuf scalar; every kind lists exactly the values it keeps. */
export type ScalarKind = 'string' | 'bool' | 'bytes' | 'double' | 'float' | 'int32' | 'uint32' | 'int64' | 'uint64'

export interface FieldPlan {
  readonly name: string
  readonly shape: 'single' | 'repeated' | 'map'
  /** Set for scalar (and enum) values; undefined when the value is a message. */
  readonly scalar: ScalarKind | undefined
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
}

const scalarKinds: Record<string, ScalarKind> = {
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
  const plan: MessagePlan = { type, name: type.fullName.replace(/^\./, ''), fields: [], byName: new Map() }
  plans.set(type, plan)
  const sorted = [...type.fieldsArray].sort((a, b) => a.id - b.id)
  for (const raw of sorted) {
    const field = raw.resolve()
    const fieldPlan = planField(plan.name, field, plans)
    plan.fields.push(fieldPlan)
    plan.byName.set(fieldPlan.name, fieldPlan)
  }
  return plan
}

function planField(owner: string, field: Field, plans: Map<Type, MessagePlan>): FieldPlan {
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
  let message: MessagePlan | undefined
  if (resolved instanceof protobuf.Type) message = planMessage(resolved, plans)
  else if (resolved instanceof protobuf.Enum) scalar = 'int32' // enums are numbers in objects
  else scalar = scalarKinds[field.type] ?? refuse(`type ${field.type}`)
  const oneof = field.partOf
  const synthetic = field.options?.['proto3_optional'] === true
  return {
    name: field.name,
    shape: field.map ? 'map' : field.repeated ? 'repeated' : 'single',
    scalar,
    message,
    presence: field.hasPresence,
    oneof: oneof !== null && !synthetic ? oneof.name : undefined,
  }
}
