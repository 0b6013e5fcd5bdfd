// Decoding a registered kind: the inverse of split.ts. Walks the decoded protobuf message by the
// plan, converts wire values to object values, and merges the residue from unknownFields back in:
// for a field present on the wire the residue is merged *into* its value, for an absent field
// the residue is the whole value (see the rule at the top of split.ts).
import { CorruptValue } from './codec-error.js'
import type { FieldPlan, MessagePlan } from './message-plan.js'
import { scalarFromWire } from './scalars.js'
import { isPlainObject, type PlainObject } from './types.js'

export function joinMessage(message: unknown, plan: MessagePlan, rest: unknown): PlainObject {
  if (typeof message !== 'object' || message === null) throw new CorruptValue(`${plan.name} is not a message`)
  if (rest !== undefined && !isPlainObject(rest)) throw new CorruptValue(`unknownFields for ${plan.name} is not a map`)
  const wire = message as PlainObject // a decoded protobufjs message: fields are properties
  const out: PlainObject = {}
  const merged = new Set<string>()
  for (const field of plan.fields) {
    const value = present(wire, field)
    if (value === undefined) continue
    const residue = rest === undefined ? undefined : own(rest, field.name)
    if (field.message !== undefined) {
      out[field.name] = joinField(field, field.message, value, residue)
      if (residue !== undefined) merged.add(field.name)
    } else {
      out[field.name] = scalarField(field, value)
    }
  }
  if (rest !== undefined) {
    for (const [key, value] of Object.entries(rest)) {
      if (merged.has(key)) continue
      // A scalar on the wire never has a residue: both at once means the bytes are not ours.
      if (Object.hasOwn(out, key)) throw new CorruptValue(`${plan.name}.${key} is both on the wire and in unknownFields`)
      out[key] = value
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
  if (field.shape === 'map') return isPlainObject(value) && Object.keys(value).length > 0 ? value : undefined
  return value
}

function scalarField(field: FieldPlan, value: unknown): unknown {
  const kind = field.scalar
  if (kind === undefined) throw new CorruptValue(`field ${field.name} has no scalar kind`)
  if (field.shape === 'single') return scalarFromWire(kind, value)
  if (field.shape === 'repeated') return (value as unknown[]).map((v) => scalarFromWire(kind, v)) // present() checked
  const out: PlainObject = {}
  for (const [key, v] of Object.entries(value as PlainObject)) out[key] = scalarFromWire(kind, v)
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
  for (const [key, element] of Object.entries(value as PlainObject)) out[key] = joinMessage(element, plan, own(rests, key))
  for (const key of Object.keys(rests)) {
    if (!Object.hasOwn(out, key)) throw new CorruptValue(`unknownFields for map ${field.name} names a missing entry`)
  }
  return out
}
