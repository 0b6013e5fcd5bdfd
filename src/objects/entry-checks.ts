// The object API's argument shapes (util/validate.ts), checked on entry to each call so a bad
// option is an InvalidArgumentError naming it, before anything is read or written. Fields the
// shapes do not declare are left alone (callers pass wider option objects).
import { validate as v } from '../util/index.js'
import type { CreateOptions, DeleteOptions, GetOptions, ListOptions, ObjectWatchOptions, UpdateOptions } from './types.js'

const text = v.optional(v.string())
const flag = v.optional(v.boolean)
const preconditions = v.optional(v.fields({ uid: text, resourceVersion: text }))
const object = v.optional((value: unknown, name: string) => (v.isRecord(value) ? value : v.fail(name, 'must be an object', value)))

export const createOptions = v.fields<Record<string, v.Check<unknown>>, CreateOptions>({ ttlSeconds: v.optional(v.integer({ min: 1 })) })
export const getOptions = v.fields<Record<string, v.Check<unknown>>, GetOptions>({ resourceVersion: text, ignoreNotFound: flag })
export const listOptions = v.fields<Record<string, v.Check<unknown>>, ListOptions>({
  resourceVersion: text,
  resourceVersionMatch: text,
  limit: v.optional(v.integer({ min: 0 })),
  continue: text,
  labelSelector: text,
  fieldSelector: text,
})
export const updateOptions = v.fields<Record<string, v.Check<unknown>>, UpdateOptions>({ preconditions, ignoreNotFound: flag, cachedExistingObject: object })
export const deleteOptions = v.fields<Record<string, v.Check<unknown>>, DeleteOptions>({ preconditions })
export const watchOptions = v.fields<Record<string, v.Check<unknown>>, ObjectWatchOptions>({
  resourceVersion: text,
  sendInitialEvents: flag,
  allowWatchBookmarks: flag,
  labelSelector: text,
  fieldSelector: text,
  signal: v.optional(v.abortSignal),
  recursive: flag,
})
export const tryUpdate = v.func
export const key = v.string()
