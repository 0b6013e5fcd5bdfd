// Values in error messages, whatever a caller passed: nothing on the value is called (a hostile
// toString, a null-prototype object or a Symbol cannot make the message itself throw).

/** A short printable form of any value, safe for hostile objects (no toString is called). */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value)
    case 'bigint':
      return `${value.toString()}n`
    case 'symbol':
      return 'a symbol'
    case 'function':
      return 'a function'
    default:
      if (value === null) return 'null'
      if (Array.isArray(value)) return 'an array'
      if (value instanceof Uint8Array) return `${value.length} bytes`
      return 'an object'
  }
}
