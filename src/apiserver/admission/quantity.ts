// Kubernetes resource quantities ("500m", "1Gi", "2") as numbers, for LimitRanger and
// ResourceQuota arithmetic, and back to the canonical text kube prints in its messages.
import { ApiError } from '../api-error.js'

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 }
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }

/** A parsed quantity: its value in base units and whether it was written with a binary suffix. */
export interface Quantity {
  value: number
  binary: boolean
}

const shape = /^([+-]?[0-9.]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/

export function parseQuantity(text: unknown): Quantity {
  const s = typeof text === 'number' ? String(text) : typeof text === 'string' ? text.trim() : ''
  const m = shape.exec(s)
  if (m === null || m[1] === undefined || Number.isNaN(Number(m[1]))) throw new ApiError('BadRequest', `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', got ${JSON.stringify(text)}`)
  const n = Number(m[1])
  if (m[2] !== undefined) return { value: n * 10 ** Number(m[2].slice(1)), binary: false }
  const suffix = m[3] ?? ''
  const b = binary[suffix]
  if (b !== undefined) return { value: n * b, binary: true }
  return { value: n * (decimal[suffix] ?? 1), binary: false }
}

/** Quantities are compared in thousandths, as kube compares milli-values. */
export function milli(q: Quantity): number {
  return Math.round(q.value * 1000)
}

/** The canonical text: the largest suffix that keeps an integer, millis for fractions. */
export function formatQuantity(q: Quantity): string {
  const v = milli(q) / 1000
  if (v === 0) return '0'
  if (!Number.isInteger(v)) return `${milli(q)}m`
  const table = q.binary ? binary : { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }
  let best = ''
  let scale = 1
  for (const [suffix, f] of Object.entries(table)) if (v % f === 0 && f > scale) [best, scale] = [suffix, f]
  return `${v / scale}${best}`
}

export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { value: (milli(a) + milli(b)) / 1000, binary: a.binary || b.binary }
}

export const zeroQuantity: Quantity = { value: 0, binary: false }
