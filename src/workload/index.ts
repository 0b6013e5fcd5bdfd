// The workload layer's public face: `npm start` (src/main.ts) imports from here only.
export { Workload, type Phase, type StoragePath, type WorkloadResult } from './workload.js'
export { configFileName, encryptedPrefixes, keyFileName, prepareAtRest, type AtRest, type EncryptionSummary } from './at-rest.js'
export { defaultWorkloadOptions, parseWorkloadArgs, usage, type WorkloadOptions } from './options.js'
export type { Scheduler } from './scheduler.js'
export type { KvApi } from './kv-api.js'
export { Progress } from './progress.js'
export { buildReport, formatSummary, writeReport, type WorkloadReport } from './report.js'
export { categoryNames, type CategoryName } from './stats.js'
