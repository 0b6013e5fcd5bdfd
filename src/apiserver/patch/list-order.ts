// The order of a merged list, as strategic merge patch keeps it: items named by the patch (or by
// its $setElementOrder directive) in the patch's order, items only the server had in the server's
// order, the two interleaved by their positions in the live list. Server-side apply reuses it.
import { deepEqual, isObject } from './json-value.js'

/** Where item sits in list: by merge key for objects, by value for primitives; -1 if absent. */
export function indexIn(list: readonly unknown[], item: unknown, key: string | undefined): number {
  if (key === undefined || !isObject(item)) return list.findIndex((x) => deepEqual(x, item))
  return list.findIndex((x) => isObject(x) && Object.hasOwn(x, key) && deepEqual(x[key], item[key]))
}

/** Splits items into those present in `by` and the rest, keeping their relative order. */
export function partitionByPresence(items: readonly unknown[], by: readonly unknown[], key: string | undefined): [unknown[], unknown[]] {
  const present: unknown[] = []
  const absent: unknown[] = []
  for (const item of items) (indexIn(by, item, key) >= 0 ? present : absent).push(item)
  return [present, absent]
}

/** Stable sort of items by their position in order; items order does not name go last. */
function sortBy(items: readonly unknown[], order: readonly unknown[], key: string | undefined): unknown[] {
  const ranked = items.map((item, i) => ({ item, i, at: indexIn(order, item, key) }))
  ranked.sort((a, b) => {
    if (a.at >= 0 && b.at >= 0) return a.at - b.at || a.i - b.i
    if (a.at >= 0) return -1
    if (b.at >= 0) return 1
    return a.i - b.i
  })
  return ranked.map((r) => r.item)
}

/**
 * The final order: patchItems sorted by patchOrder, serverOnly sorted by serverOrder, then each
 * server-only item taken as soon as it comes before the next patch item in the live list.
 * Example: live [a, b, c], patch names [c, a]: right = [c, a], left = [b]; b (live 1) comes before
 * c (live 2), so b is taken first: [b, c, a]. Live [a, b, c] with patch [a, c] gives [a, b, c].
 */
export function normalizeOrder(
  patchItems: readonly unknown[],
  serverOnly: readonly unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  key: string | undefined,
): unknown[] {
  const right = sortBy(patchItems, patchOrder, key)
  const left = sortBy(serverOnly, serverOrder, key)
  const out: unknown[] = []
  let i = 0
  let j = 0
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++])
    else if (j >= right.length) out.push(left[i++])
    else {
      const li = indexIn(serverOrder, left[i], key)
      const ri = indexIn(serverOrder, right[j], key)
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++])
      else out.push(right[j++])
    }
  }
  return out
}
