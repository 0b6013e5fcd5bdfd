// Finds keys given twice in one JSON object of a request body. JSON.parse keeps the last one
// silently; the real server reports them like unknown fields (`duplicate field "spec.replicas"`),
// so a handler runs this on the raw body before parsing when fieldValidation is Strict or Warn.
// A small recursive-descent scanner: it only tracks keys and paths, and gives up (returns what
// it found so far) on malformed JSON, which JSON.parse will then reject with its own error.

class Scanner {
  pos = 0
  readonly found: string[] = []
  constructor(private readonly text: string) {}

  private ws(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos] ?? '')) this.pos++
  }

  private string(): string {
    const start = this.pos
    this.pos++ // opening quote
    while (this.pos < this.text.length && this.text[this.pos] !== '"') this.pos += this.text[this.pos] === '\\' ? 2 : 1
    this.pos++
    return JSON.parse(this.text.slice(start, this.pos)) as string
  }

  value(path: string): void {
    this.ws()
    const ch = this.text[this.pos]
    if (ch === '{') this.object(path)
    else if (ch === '[') this.array(path)
    else if (ch === '"') this.string()
    else while (this.pos < this.text.length && !',]} \t\n\r'.includes(this.text[this.pos] ?? '')) this.pos++
  }

  private object(path: string): void {
    this.pos++
    const seen = new Set<string>()
    for (;;) {
      this.ws()
      if (this.text[this.pos] === '}' || this.pos >= this.text.length) break
      if (this.text[this.pos] !== '"') throw new SyntaxError('key expected')
      const key = this.string()
      const child = path === '' ? key : `${path}.${key}`
      if (seen.has(key)) this.found.push(child)
      seen.add(key)
      this.ws()
      this.pos++ // colon
      this.value(child)
      this.ws()
      if (this.text[this.pos] === ',') this.pos++
    }
    this.pos++
  }

  private array(path: string): void {
    this.pos++
    for (let i = 0; ; i++) {
      this.ws()
      if (this.text[this.pos] === ']' || this.pos >= this.text.length) break
      this.value(`${path}[${i}]`)
      this.ws()
      if (this.text[this.pos] === ',') this.pos++
    }
    this.pos++
  }
}

/** Paths (Kubernetes notation) of keys that appear twice in the same object of `json`. */
export function findDuplicateFields(json: string): string[] {
  const s = new Scanner(json)
  try {
    s.value('')
  } catch (err) {
    // Malformed JSON: the caller's JSON.parse reports it; keep what was found before.
    if (!(err instanceof SyntaxError)) throw err
  }
  return s.found
}
