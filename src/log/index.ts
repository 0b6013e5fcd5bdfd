export { SqliteLog, type SqliteLogOptions } from './sqlite-log.js'
