// Fails when src/ breaks the layering rules of ../shared/STYLE.md: imports point down only,
// another layer is entered through its index.ts, and there are no import cycles.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

const root = resolve(import.meta.dirname, '..', 'src')
// Lower rank = lower layer. Files directly in src/ (wiring, entry points) sit on top.
const rank = { util: 0, backend: 1, codec: 1, encryption: 1, log: 1, mvcc: 2, verify: 1, watchcache: 3, objects: 4, server: 5, apiserver: 5, etcdserver: 5, controllers: 6, workload: 6, '': 7, cli: 8 }

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

function layer(file) {
  const parts = relative(root, file).split(sep)
  return parts.length === 1 ? '' : parts[0]
}

const problems = []
const graph = new Map()
for (const file of files(root)) {
  const text = readFileSync(file, 'utf8')
  const deps = []
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
    const target = resolve(dirname(file), m[1].replace(/\.js$/, '.ts'))
    const from = layer(file)
    const to = layer(target)
    const where = `${relative(root, file)} -> ${m[1]}`
    if (!(to in rank)) problems.push(`${where}: unknown layer '${to}' (add it to scripts/check-imports.mjs)`)
    else if (from !== to) {
      if (rank[to] >= rank[from]) problems.push(`${where}: ${from || 'src'} may not import ${to} (layers import downward only)`)
      if (!target.endsWith(`${sep}index.ts`)) problems.push(`${where}: enter another layer through its index.ts`)
    }
    deps.push(target)
  }
  graph.set(file, deps)
}

// Cycle search: depth-first with colours.
const colour = new Map()
function visit(file, stack) {
  colour.set(file, 'grey')
  for (const dep of graph.get(file) ?? []) {
    if (colour.get(dep) === 'grey') {
      const cycle = [...stack.slice(stack.indexOf(dep)), dep].map((f) => relative(root, f))
      problems.push(`import cycle: ${cycle.join(' -> ')}`)
    } else if (!colour.has(dep)) visit(dep, [...stack, dep])
  }
  colour.set(file, 'black')
}
for (const file of graph.keys()) if (!colour.has(file)) visit(file, [file])

if (problems.length > 0) {
  console.error(`check-imports: ${problems.length} problem(s)`)
  for (const p of problems) console.error(`  ${p}`)
  process.exit(1)
}
console.log(`check-imports: ${graph.size} files, layering and cycles ok`)
