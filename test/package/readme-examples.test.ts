// Every ```ts block of README.md and docs/*.md, type-checked (strict) as a user would compile it
// against the package: each block is a module of its own in a temp project where `etchlog`
// resolves to this repository's entry point (src/index.ts, from which dist/index.d.ts is built;
// test/package/pack.test.ts checks the shipped declarations themselves).
//
// A block is what a reader copies, often a continuation of the one before it: names it uses
// without defining are supplied by a preamble. Every value the package exports is imported
// (unless the block imports or declares that name itself), and the few variables the prose
// takes as given (a store, an object store, a signal, ...) are declared with their types.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as etchlog from '../../src/index.js'
import { repoRoot, run } from '../support/packed-install.js'

interface Block {
  doc: string
  /** 1-based line of the block's first code line in the document. */
  line: number
  code: string
}

/** The variables examples take as given, declared when a block uses them without defining them. */
const context: Record<string, string> = {
  store: '__etchlog.Store',
  objects: '__etchlog.ObjectStore',
  signal: 'AbortSignal',
  clock: '__etchlog.Clock',
  spec: '__etchlog.ObjectFields',
  revision: 'number',
  history: '__etchlog.History',
  watches: '__etchlog.WatchRecord[]',
  handle: '(type: string, object: unknown) => void',
}

function codeBlocks(doc: string, text: string): Block[] {
  const blocks: Block[] = []
  const lines = text.split('\n')
  let start = -1
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (start < 0 && /^```ts\s*$/.test(line)) start = i + 1
    else if (start >= 0 && /^```\s*$/.test(line)) {
      blocks.push({ doc, line: start + 1, code: lines.slice(start, i).join('\n') })
      start = -1
    }
  }
  assert.equal(start, -1, `${doc}: a \`\`\`ts block is not closed`)
  return blocks
}

/** Names a block defines at its top level: imports, declarations, destructured constants. */
function definedNames(code: string): Set<string> {
  const names = new Set<string>()
  for (const m of code.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s+from/gm)) {
    for (const part of (m[1] ?? '').split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()
      if (name) names.add(name)
    }
  }
  for (const m of code.matchAll(/^import\s+(?:\*\s+as\s+)?(\w+)\s+from/gm)) names.add(m[1] ?? '')
  for (const m of code.matchAll(/^(?:export\s+)?(?:const|let|var)\s+(?:\{([^}]*)\}|(\w+))/gm)) {
    if (m[2] !== undefined) names.add(m[2])
    for (const part of (m[1] ?? '').split(',')) {
      const name = part.split(':').pop()?.split('=')[0]?.trim()
      if (name) names.add(name)
    }
  }
  for (const m of code.matchAll(/^(?:export\s+)?(?:async\s+)?(?:function|class|interface|type|enum)\s+(\w+)/gm)) names.add(m[1] ?? '')
  return names
}

function moduleFor(block: Block): { text: string; preambleLines: number } {
  const defined = definedNames(block.code)
  const values = Object.keys(etchlog).filter((n) => !defined.has(n))
  const preamble = [
    'import type * as __etchlog from "etchlog"',
    values.length > 0 ? `import { ${values.join(', ')} } from "etchlog"` : '',
    ...Object.entries(context)
      .filter(([name]) => !defined.has(name))
      .map(([name, type]) => `declare const ${name}: ${type}`),
  ]
  return { text: `${preamble.join('\n')}\n${block.code}\nexport {}\n`, preambleLines: preamble.length }
}

function allBlocks(): Block[] {
  const docs = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
  return docs.flatMap((doc) => codeBlocks(doc, readFileSync(join(repoRoot, doc), 'utf8')))
}

test('every ts block of README.md and docs/*.md type-checks against the package', (t) => {
  const blocks = allBlocks()
  assert.ok(blocks.length >= 10, `only ${blocks.length} ts blocks found`)
  const dir = mkdtempSync(join(tmpdir(), 'etchlog-examples-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const files = new Map<string, { block: Block; preambleLines: number }>()
  blocks.forEach((block, i) => {
    const name = `block-${String(i).padStart(3, '0')}.ts`
    const { text, preambleLines } = moduleFor(block)
    writeFileSync(join(dir, name), text)
    files.set(name, { block, preambleLines })
  })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules', '@types')],
      paths: { etchlog: [join(repoRoot, 'src', 'index.ts')] },
    },
    files: [...files.keys()],
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = run(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], dir, process.env)
  // Errors in the examples, each placed at its line in its document; any other output is shown as is.
  const problems = r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^(block-\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(l)
      const file = m === null ? undefined : files.get(m[1] ?? '')
      if (m === null || file === undefined) return l
      return `${file.block.doc}:${file.block.line + Number(m[2]) - file.preambleLines - 1}: ${m[4] ?? ''}`
    })
  t.diagnostic(`${blocks.length} blocks from README.md and docs/*.md`)
  assert.deepEqual(problems, [], `examples that do not type-check:\n${problems.join('\n')}`)
  assert.equal(r.status, 0, r.stderr)
})
