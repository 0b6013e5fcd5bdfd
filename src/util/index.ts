// The util layer's public face: other layers import from here only.
export * from './errors.js'
export { assert, verify, verifyEnabled, unreachable } from './assert.js'
export { defaultLimits, resolveLimits, type Limits } from './limits.js'
export { systemClock, type Clock, type TimerHandle } from './clock.js'
export { FakeClock } from './fake-clock.js'
export { defer } from './defer.js'
export {
  bytesEqual,
  compareBytes,
  describeKey,
  isZeroByte,
  prefixEnd,
  toBytes,
  type Bytes,
  type BytesLike,
} from './bytes.js'
export { ReadSlicer, sliceRowsMax, sliceRowsMin, yieldToEventLoop } from './read-slice.js'
export { EventLoopDelay, type EventLoopDelayStats } from './event-loop-delay.js'
export { ArgumentError, describeValue } from './validate.js'
export * as validate from './validate.js'
