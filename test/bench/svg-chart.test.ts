// The bench's SVG writer: documents are well-formed XML, every mark lies inside the plot area,
// the legend names every series (escaped), log axes drop what they cannot draw.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { barChartSvg, compactNumber, lineChartSvg, type LineChart } from '../../bench/support/svg-chart.js'

interface Element {
  name: string
  attrs: Map<string, string>
  text: string
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g

/**
 * A strict little XML reader, enough for what the writer emits: tags balanced with one root,
 * attributes quoted and unique, no raw '<' or stray '&' in text or attribute values. Returns the
 * elements in document order (with the text directly inside each); throws on anything malformed.
 */
function parseXml(doc: string): Element[] {
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/y
  const attr = /\s+([\w:.-]+)="([^"]*)"/g
  const checkText = (text: string, where: string): void => {
    const bare = text.replace(ENTITY, '')
    assert.ok(!bare.includes('&') && !bare.includes('<'), `unescaped markup in ${where}: ${JSON.stringify(text)}`)
  }
  const elements: Element[] = []
  const stack: Element[] = []
  let roots = 0
  let i = 0
  while (i < doc.length) {
    const lt = doc.indexOf('<', i)
    const text = doc.slice(i, lt === -1 ? doc.length : lt)
    checkText(text, 'text')
    const top = stack[stack.length - 1]
    if (top !== undefined) top.text += text
    else assert.equal(text.trim(), '', `text outside the root: ${JSON.stringify(text)}`)
    if (lt === -1) break
    tag.lastIndex = lt
    const m = tag.exec(doc)
    assert.ok(m !== null, `malformed tag at ${lt}: ${doc.slice(lt, lt + 60)}`)
    const [whole, closing, name, attrText, selfClosing] = m as unknown as [string, string, string, string, string]
    if (closing === '/') {
      const open = stack.pop()
      assert.equal(open?.name, name, `</${name}> closes <${open?.name ?? 'nothing'}>`)
    } else {
      const attrs = new Map<string, string>()
      for (const a of attrText.matchAll(attr)) {
        const [, key, value] = a as unknown as [string, string, string]
        assert.ok(!attrs.has(key), `attribute ${key} twice on <${name}>`)
        checkText(value, `attribute ${key}`)
        attrs.set(key, value)
      }
      const element: Element = { name, attrs, text: '' }
      elements.push(element)
      if (stack.length === 0) roots++
      if (selfClosing !== '/') stack.push(element)
    }
    i = lt + whole.length
  }
  assert.equal(stack.length, 0, `unclosed: ${stack.map((e) => e.name).join(', ')}`)
  assert.equal(roots, 1, 'exactly one root element')
  return elements
}

const unescape = (s: string): string =>
  s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&')
const numberAttr = (e: Element, name: string): number => {
  const v = Number(e.attrs.get(name))
  assert.ok(Number.isFinite(v), `<${e.name}> ${name}=${e.attrs.get(name)} is not a number`)
  return v
}

function plotBox(elements: readonly Element[]): { x0: number; y0: number; x1: number; y1: number } {
  const plot = elements.find((e) => e.name === 'rect' && e.attrs.get('class') === 'plot')
  assert.ok(plot !== undefined, 'no plot rectangle')
  const x0 = numberAttr(plot, 'x')
  const y0 = numberAttr(plot, 'y')
  return { x0, y0, x1: x0 + numberAttr(plot, 'width'), y1: y0 + numberAttr(plot, 'height') }
}

const legendNames = (elements: readonly Element[]): string[] =>
  elements.filter((e) => e.name === 'text' && e.attrs.get('class') === 'legend').map((e) => unescape(e.text))

const points = (elements: readonly Element[]): Array<{ cx: number; cy: number }> =>
  elements.filter((e) => e.name === 'circle' && e.attrs.get('class') === 'point').map((e) => ({ cx: numberAttr(e, 'cx'), cy: numberAttr(e, 'cy') }))

const chart: LineChart = {
  title: 'Puts <throughput> & "latency"',
  x: { label: 'writers', log: true, ticks: [1, 8, 64, 256] },
  y: { label: 'puts/s', log: true },
  series: [
    { name: 'etchlog store', points: [[1, 450], [8, 3_000], [64, 30_000], [256, 45_000]] },
    { name: 'raw SQLite <same rows> & co', points: [[1, 400], [8, 3_500], [64, 40_000], [256, 60_000]] },
    { name: 'etcd p99', points: [[1, 900], [64, 6_000]], dashed: true },
  ],
}

test('a line chart is well-formed XML with one svg root and the title escaped', () => {
  const svg = lineChartSvg(chart)
  const elements = parseXml(svg)
  assert.equal(elements[0]?.name, 'svg')
  assert.equal(elements[0]?.attrs.get('xmlns'), 'http://www.w3.org/2000/svg')
  const title = elements.find((e) => e.name === 'title')
  assert.equal(unescape(title?.text ?? ''), chart.title)
})

test('every point of a line chart lies inside the plot area, one per drawable value', () => {
  const elements = parseXml(lineChartSvg(chart))
  const box = plotBox(elements)
  const drawn = points(elements)
  assert.equal(drawn.length, 10)
  for (const p of drawn) {
    assert.ok(p.cx >= box.x0 && p.cx <= box.x1, `cx ${p.cx} outside [${box.x0}, ${box.x1}]`)
    assert.ok(p.cy >= box.y0 && p.cy <= box.y1, `cy ${p.cy} outside [${box.y0}, ${box.y1}]`)
  }
  // Larger values sit higher (smaller y) and further right: the first series grows in both.
  const first = drawn.slice(0, 4)
  for (let i = 1; i < first.length; i++) {
    assert.ok((first[i]?.cx ?? 0) > (first[i - 1]?.cx ?? 0), 'x grows to the right')
    assert.ok((first[i]?.cy ?? 0) < (first[i - 1]?.cy ?? 0), 'y grows upwards')
  }
})

test('the legend names every series in order, escaped in the document', () => {
  const svg = lineChartSvg(chart)
  assert.deepEqual(legendNames(parseXml(svg)), chart.series.map((s) => s.name))
  assert.ok(svg.includes('raw SQLite &lt;same rows&gt; &amp; co'))
})

test('a log axis leaves out values it cannot draw and ticks whole decades on a wide range', () => {
  const elements = parseXml(
    lineChartSvg({
      title: 'log',
      x: { label: 'x', log: true },
      y: { label: 'y', log: true },
      series: [{ name: 's', points: [[1, 0], [10, 10], [100, 10_000], [1_000, Number.NaN], [-5, 100], [10_000, 1e6]] }],
    }),
  )
  assert.equal(points(elements).length, 3, 'zero, negative and NaN values are not drawn')
  const box = plotBox(elements)
  const yTicks = elements
    .filter((e) => e.name === 'text' && e.attrs.get('text-anchor') === 'end')
    .map((e) => e.text)
  assert.deepEqual(yTicks, ['10', '100', '1k', '10k', '100k', '1M'])
  for (const p of points(elements)) assert.ok(p.cy >= box.y0 && p.cy <= box.y1)
})

test('a log axis ends on a tick at or above its largest value', () => {
  // The fan-out chart's case: a top point at 39M must not sit above a last tick of 20M.
  const elements = parseXml(lineChartSvg({ title: 'top', x: { label: 'x', log: true }, y: { label: 'y', log: true }, series: [{ name: 's', points: [[100, 1e6], [1_000, 5e6], [10_000, 39e6]] }] }))
  const yTicks = elements.filter((e) => e.name === 'text' && e.attrs.get('text-anchor') === 'end').map((e) => e.text)
  assert.equal(yTicks[yTicks.length - 1], '50M')
  for (const p of points(elements)) assert.ok(p.cy >= plotBox(elements).y0)
})

test('a linear axis starts at zero and puts its ticks on 1-2-5 steps', () => {
  const elements = parseXml(lineChartSvg({ title: 'lin', x: { label: 'x' }, y: { label: 'y' }, series: [{ name: 's', points: [[0, 3], [1, 7], [2, 9.5]] }] }))
  const yTicks = elements.filter((e) => e.name === 'text' && e.attrs.get('text-anchor') === 'end').map((e) => Number(e.text))
  assert.deepEqual(yTicks, [0, 2, 4, 6, 8, 10])
})

test('a bar chart draws one bar per drawable value inside the plot, taller for larger values', () => {
  const svg = barChartSvg({
    title: 'gets',
    categories: ['p50', 'p99'],
    y: { label: 'µs', log: true },
    series: [
      { name: 'store', values: [9, 50] },
      { name: 'raw', values: [5, 30] },
      { name: 'etcd & <gRPC>', values: [700, Number.NaN] },
    ],
  })
  const elements = parseXml(svg)
  const box = plotBox(elements)
  const bars = elements.filter((e) => e.name === 'rect' && e.attrs.get('class') === 'bar')
  assert.equal(bars.length, 5)
  const heights = bars.map((b) => {
    const x = numberAttr(b, 'x')
    const y = numberAttr(b, 'y')
    const h = numberAttr(b, 'height')
    assert.ok(x >= box.x0 && x + numberAttr(b, 'width') <= box.x1, 'bar inside horizontally')
    assert.ok(y >= box.y0 && y + h <= box.y1 + 0.1, 'bar inside vertically')
    return h
  })
  // Order: p50 store, raw, etcd; p99 store, raw.
  const [store50, raw50, etcd50, store99] = heights as [number, number, number, number, number]
  assert.ok(etcd50 > store50 && store50 > raw50 && store99 > store50)
  assert.deepEqual(legendNames(elements), ['store', 'raw', 'etcd & <gRPC>'])
})

test('compact numbers for tick labels', () => {
  assert.deepEqual([0.25, 5, 1_200, 35_000_000, 2e9].map(compactNumber), ['0.25', '5', '1.2k', '35M', '2G'])
})
