// The verify layer's public face: a linearizability checker for histories of KV operations, and
// a checker of the watchers recorded next to them.
export { checkHistory, type CheckOptions, type CheckResult, type Violation } from './check.js'
export {
  describeOperation,
  keysOf,
  mayWrite,
  validateHistory,
  wrote,
  type Compare,
  type CompareResult,
  type CompareTarget,
  type History,
  type KvView,
  type Operation,
  type Outcome,
  type Request,
  type Response,
  type SimpleRequest,
  type SimpleResult,
} from './history.js'
export { KvModel, type KvState, type RevisionMode } from './kv-model.js'
export { partitionByKey, wholeHistory, type Part } from './partition.js'
export { checkRevisions, RevisionSpace, type RevisionViolation } from './revisions.js'
export { searchLinearization, type Model, type SearchResult } from './search.js'
export { renderTimeline, writeTimeline } from './timeline.js'
export { checkWatches, type WatchCheckResult } from './watch-check.js'
export {
  prefixRangeEnd,
  validateWatches,
  watchCovers,
  watchWants,
  type WatchEventRecord,
  type WatchFilterName,
  type WatchRecord,
  type WatchResponseRecord,
  type WatchSpec,
  type WatchViolationKind,
} from './watch-history.js'
