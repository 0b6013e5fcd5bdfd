// One KV watch event -> at most one Kubernetes watch event, as the cacher filters them
// (../shared/reference/kubernetes-storage.md 2.10): against the selectors, the new object and the
// previous one (the KV watch's prevKv) decide ADDED / MODIFIED / DELETED or nothing.
//
// Decoding: the watch cache hands the same frozen event to every watcher, so the decoded objects
// are kept per event in WeakMaps: N object watchers on a prefix decode an event once, not N times
// (Kubernetes' cachingObject idea, for decode rather than encode). The entries live exactly as long
// as the event itself (the ring, a watcher's queue), so they need no bound of their own. Events a
// catch-up reads from the log are built per watcher and miss the cache: decoded once per watcher.
import type { KubeObject, ObjectCodec } from '../codec/index.js'
import type { KeyValue } from '../mvcc/index.js'
import type { WatchEvent } from '../watchcache/index.js'
import { assert } from '../util/index.js'
import { deepFreeze } from './object-data.js'

/** Decodes KV rows into objects; watch events once per event, frozen, for every watcher to share. */
export class EventDecoder {
  // The object each PUT wrote, by its kv (shared by the event's shapes with and without prevKv).
  private readonly writtenByKv = new WeakMap<KeyValue, KubeObject>()
  // The object before each event (its prevKv), stamped with the event's revision.
  private readonly previousByEvent = new WeakMap<WatchEvent, KubeObject>()

  constructor(private readonly codec: ObjectCodec) {}

  /** A row as get and list decode it (resourceVersion = its modRevision), frozen like every watched object. */
  decodeFrozen(kv: KeyValue): KubeObject {
    return deepFreeze(this.decode(kv))
  }

  /** The object a PUT event wrote, frozen and shared. */
  written(e: WatchEvent): KubeObject {
    assert(e.type === 'PUT', 'objects: only a PUT writes an object')
    let object = this.writtenByKv.get(e.kv)
    if (object === undefined) {
      object = this.decodeFrozen(e.kv)
      this.writtenByKv.set(e.kv, object)
    }
    return object
  }

  /**
   * The object before the event, with the event's revision as resourceVersion: what Kubernetes
   * sends as a DELETED object (the last state, at the revision of the deletion). Frozen and shared.
   */
  previous(e: WatchEvent): KubeObject {
    let object = this.previousByEvent.get(e)
    if (object === undefined) {
      assert(e.prevKv !== undefined, 'objects: the previous object needs the event\'s prevKv')
      object = deepFreeze(this.codec.decode(e.prevKv.value, { key: e.prevKv.key, resourceVersion: e.kv.modRevision }))
      this.previousByEvent.set(e, object)
    }
    return object
  }

  private decode(kv: KeyValue): KubeObject {
    return this.codec.decode(kv.value, { key: kv.key, resourceVersion: kv.modRevision })
  }
}

/** The KV event lacks the prevKv the conversion needs (its revision was compacted): see toObjectEvent. */
export const previousUnknown = Symbol('previousUnknown')

/** An event about a stored object (not a BOOKMARK or an ERROR). */
export interface ChangeEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  object: KubeObject
}

/**
 * The Kubernetes event for one KV event, undefined when the watcher should see nothing, or
 * previousUnknown when the answer depends on a previous state the KV watch could not give
 * (a deletion, or an update under a selector, at exactly a compacted revision): the caller
 * ends the watch with a 410 so that the client re-lists rather than keep a wrong object.
 *
 * | event              | new passes | old passes | sends                                  |
 * |--------------------|------------|------------|----------------------------------------|
 * | PUT, version 1     | yes        | (none)     | ADDED new                              |
 * | PUT                | yes        | yes        | MODIFIED new                           |
 * | PUT                | yes        | no         | ADDED new (it entered the selection)   |
 * | PUT                | no         | yes        | DELETED old, at the event's revision   |
 * | DELETE             | (none)     | yes        | DELETED old, at the event's revision   |
 * | anything else      |            |            | nothing                                |
 */
export function toObjectEvent(
  e: WatchEvent,
  decoder: EventDecoder,
  keep: ((object: KubeObject) => boolean) | undefined,
): ChangeEvent | undefined | typeof previousUnknown {
  if (e.type === 'DELETE') {
    if (e.prevKv === undefined) return previousUnknown
    const old = decoder.previous(e)
    return keep === undefined || keep(old) ? { type: 'DELETED', object: old } : undefined
  }
  const created = e.kv.version === 1
  const object = decoder.written(e)
  if (keep === undefined) return { type: created ? 'ADDED' : 'MODIFIED', object }
  const passes = keep(object)
  if (created) return passes ? { type: 'ADDED', object } : undefined
  if (e.prevKv === undefined) return previousUnknown
  const old = decoder.previous(e)
  const passed = keep(old)
  if (passes) return { type: passed ? 'MODIFIED' : 'ADDED', object }
  return passed ? { type: 'DELETED', object: old } : undefined
}
