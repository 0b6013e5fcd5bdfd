// The backend contract both engines implement: see types.ts and docs/backend-contract.md.
export type * from './types.js'
