// One holder per key at a time, in arrival order: serialises quota charges per namespace inside
// this process (the compare-and-swap on the ResourceQuota keeps several processes correct).

export class KeyedMutex {
  // key -> the tail of that key's queue; removed when the last holder leaves.
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(key: string, body: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release = (): void => undefined
    const mine = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => mine)
    this.tails.set(key, tail)
    await previous
    try {
      return await body()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
