// One 'abort' listener per AbortSignal, however many watchers share it. A thousand watchers on one
// signal is normal use; adding a listener each would make Node print MaxListenersExceededWarning
// (and cost a linear scan on every removal).
type Callback = () => void

// Signal -> callbacks of the watchers still open on it. The entry (and the signal's one listener)
// goes away with the last of them.
const callbacksBySignal = new WeakMap<AbortSignal, { callbacks: Set<Callback>; listener: Callback }>()

/** Calls `callback` once when `signal` aborts; returns the unsubscribe. */
export function onAbort(signal: AbortSignal, callback: Callback): () => void {
  let entry = callbacksBySignal.get(signal)
  if (entry === undefined) {
    const callbacks = new Set<Callback>()
    const listener = (): void => {
      callbacksBySignal.delete(signal)
      for (const c of [...callbacks]) c()
    }
    entry = { callbacks, listener }
    callbacksBySignal.set(signal, entry)
    signal.addEventListener('abort', listener, { once: true })
  }
  const mine = entry
  mine.callbacks.add(callback)
  return () => {
    mine.callbacks.delete(callback)
    if (mine.callbacks.size === 0 && callbacksBySignal.get(signal) === mine) {
      callbacksBySignal.delete(signal)
      signal.removeEventListener('abort', mine.listener)
    }
  }
}
