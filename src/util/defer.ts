// Runs fn on a later turn of the event loop, after pending I/O callbacks and promise reactions.
// Not a timer: it never waits for time to pass, so it is allowed where Clock rules time.
export function defer(fn: () => void): void {
  setImmediate(fn)
}
