// The shape of the patch-strategy tables: what strategic merge patch and server-side apply need
// to know about a field of a built-in kind. Written as our own compact data after the
// `patchStrategy` / `patchMergeKey` struct tags and `+listType` / `+listMapKey` markers of
// k8s.io/api (see strategic-schema.ts for the tables themselves).

export interface FieldMeta {
  /** Strategic merge patch: 'merge' lists merge by `key` (or, for lists of primitives, as a
   *  set); absent means the patch value replaces the live one. 'replace' on a map replaces it. */
  readonly strategy?: 'merge' | 'replace'
  /** Strategic merge patch: the merge key of a list of objects. */
  readonly key?: string
  /** Server-side apply: the keys of an associative list (`+listType=map`); defaults to [key]
   *  when the list merges by key. A list with neither keys nor a merge strategy is atomic. */
  readonly listKeys?: readonly string[]
  /** Server-side apply: a `map[string]X` (granular map, owned itself as "."), not a struct. */
  readonly map?: boolean
  /** Server-side apply: owned and replaced as a whole (`+structType=atomic`, e.g. LabelSelector). */
  readonly atomic?: boolean
  /** The fields of this struct, or of each item of this list. */
  readonly schema?: PatchSchema
}

export interface PatchSchema {
  readonly fields: Readonly<Record<string, FieldMeta>>
  /** No declared type (custom resources): every object is a granular map. */
  readonly deduced?: boolean
}

export const emptySchema: PatchSchema = { fields: {} }
const deducedSchema: PatchSchema = { fields: {}, deduced: true }

export function fieldMeta(schema: PatchSchema | undefined, name: string): FieldMeta | undefined {
  return schema?.fields[name]
}

/** The schema of a field's value (struct fields or list item fields); a deduced schema stays
 *  deduced all the way down. */
export function childSchema(schema: PatchSchema | undefined, name: string): PatchSchema | undefined {
  const meta = schema?.fields[name]
  if (meta?.schema !== undefined) return meta.schema
  return schema?.deduced === true ? deducedSchema : undefined
}

/** The keys that identify an item of an associative list in server-side apply, or undefined
 *  for a set (merge list of primitives) or an atomic list. */
export function associativeKeys(meta: FieldMeta | undefined): readonly string[] | undefined {
  if (meta?.listKeys !== undefined) return meta.listKeys
  if (meta?.strategy === 'merge' && meta.key !== undefined) return [meta.key]
  return undefined
}

export function isSetList(meta: FieldMeta | undefined): boolean {
  return meta?.strategy === 'merge' && meta.key === undefined && meta.listKeys === undefined
}
