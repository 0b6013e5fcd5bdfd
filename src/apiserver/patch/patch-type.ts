// The four PATCH media types the API server accepts (kubectl-surface.md §8).

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply'

const mediaTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
}

/** Every patch type, in the order the real server lists them in its 415 message. */
export const patchTypes: readonly PatchType[] = ['json', 'merge', 'apply', 'strategic']

export function mediaTypeOf(type: PatchType): string {
  return mediaTypes[type]
}

/** The patch type of a Content-Type header (parameters such as charset ignored), or undefined
 *  for anything else: the server answers 415 then. */
export function patchTypeOf(contentType: string): PatchType | undefined {
  const bare = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  for (const type of patchTypes) if (mediaTypes[type] === bare) return type
  return undefined
}
