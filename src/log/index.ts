export { SqliteLog, type SqliteLogOptions } from './sqlite-log.js'
export { CorruptRowError, verifyRow } from './row-sum.js'
