// Decoding a registered kind: the inverse of split.ts. Walks the decoded protobuf message by the
// plan, converts wire values to object values, and merges the residue from unknownFields back in:
// for a field present on the wire the residue is merged *into* its value, for an absent field
// the residue is the whole value (see the rule at the top of split.ts).
import { CorruptValue } from '../../../src/codec/codec-error.js'
import type { FieldPlan, MessagePlan } from '../../../src/codec/message-plan.js'
import { scalarFromWire } from '../../../src/codec/scalars.js'
import { isPlainObject, type PlainObject } from '../../../src/codec/types.js'

export function joinMessage(message: unknown, plan: MessagePlan, rest: unknown): PlainObject {
  if (typeof message !== 'object' || message === null) throw new CorruptValue(`${plan.name} is not a message`)
  if (rest !== undefined && !isPlainObject(rest)) throw new CorruptValue(`unknownFields for ${plan.name} is not a map`)
  const wire = message as PlainObject // a decoded protobufjs message: fields are properties
  const out: PlainObject = {}
  const fields = plan.fields
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as FieldPlan
    const value = present(wire, field)
    if (value === undefined) continue
    if (field.message !== undefined) {
      out[field.name] = joinField(field, field.message, value, rest === undefined ? undefined : own(rest, field.name))
    } else {
      out[field.name] = scalarField(field, value)
    }
  }
  if (rest !== undefined) {
    for (const key in rest) {
      if (!Object.hasOwn(rest, key)) continue
      if (Object.hasOwn(out, key)) {
        // A message field on the wire took its residue above (a decoded residue is never undefined).
        if (plan.byName.get(key)?.message !== undefined) continue
        // A scalar on the wire never has a residue: both at once means the bytes are not ours.
        throw new CorruptValue(`${plan.name}.${key} is both on the wire and in unknownFields`)
      }
      out[key] = rest[key]
    }
  }
  return out
}

/** Own properties only: a residue key such as "toString" must not find Object.prototype's. */
function own(object: PlainObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined
}

/** The field's wire value when decoding shows it present, else undefined. */
function present(wire: PlainObject, field: FieldPlan): unknown {
  // protobufjs puts defaults on the prototype and sets own properties only for what it read;
  // repeated and map fields are always own, present when non-empty (split.ts never writes empty).
  if (!Object.hasOwn(wire, field.name)) return undefined
  const value = wire[field.name]
  if (value === null || value === undefined) return undefined
  if (field.shape === 'repeated') return Array.isArray(value) && value.length > 0 ? value : undefined
  if (field.shape === 'map') return isPlainObject(value) && hasOwnKey(value) ? value : undefined
  return value
}

function hasOwnKey(object: PlainObject): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true
  return false
}

function scalarField(field: FieldPlan, value: unknown): unknown {
  const kind = field.scalar
  if (kind === undefined) throw new CorruptValue(`field ${field.name} has no scalar kind`)
  if (field.shape === 'single') return scalarFromWire(kind, value)
  if (field.shape === 'repeated') return (value as unknown[]).map((v) => scalarFromWire(kind, v)) // present() checked
  const out: PlainObject = {}
  const map = value as PlainObject
  for (const key in map) if (Object.hasOwn(map, key)) out[key] = scalarFromWire(kind, map[key])
  return out
}

function joinField(field: FieldPlan, plan: MessagePlan, value: unknown, residue: unknown): unknown {
  if (field.shape === 'single') return joinMessage(value, plan, residue)
  if (field.shape === 'repeated') {
    const list = value as unknown[] // present() checked
    const rests: unknown = residue ?? []
    // One residue per element, null where an element had none (split.ts splitList).
    if (!Array.isArray(rests) || (residue !== undefined && rests.length !== list.length)) {
      throw new CorruptValue(`unknownFields for list ${field.name} does not match its length`)
    }
    return list.map((element, i) => {
      const r: unknown = rests[i]
      return joinMessage(element, plan, r === null ? undefined : r)
    })
  }
  const rests: unknown = residue ?? {}
  if (!isPlainObject(rests)) throw new CorruptValue(`unknownFields for map ${field.name} is not a map`)
  const out: PlainObject = {}
  const map = value as PlainObject
  for (const key in map) if (Object.hasOwn(map, key)) out[key] = joinMessage(map[key], plan, own(rests, key))
  for (const key in rests) {
    if (Object.hasOwn(rests, key) && !Object.hasOwn(out, key)) throw new CorruptValue(`unknownFields for map ${field.name} names a missing entry`)
  }
  return out
}
