// The bench's console text: ratios that keep their meaning at any size, aligned tables with
// numbers right-aligned, and no markdown in the console.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { consoleTable, ratio } from '../../bench/support/report.js'

test('ratios keep about three significant digits, however large or small', () => {
  // A 600x speed-up used to print as 0.00x.
  assert.deepEqual([1 / 600, 0.0024, 0.31, 1, 1.534, 13.25, 612.4, 0].map(ratio), ['0.0017x', '0.0024x', '0.31x', '1.00x', '1.53x', '13.25x', '612x', '0x'])
})

test('console tables: text columns left, numeric columns right, no markdown', () => {
  const text = consoleTable({
    head: ['task', 'puts/s', 'ratio', 'note'],
    rows: [
      ['`put/a`', '3,282', '0.0017x', 'met'],
      ['`put/long-name`', '27,369', '1.53x', '1 (one row per transaction)'],
    ],
  })
  assert.equal(text, ['task           puts/s    ratio  note', 'put/a           3,282  0.0017x  met', 'put/long-name  27,369    1.53x  1 (one row per transaction)'].join('\n'))
  assert.ok(!text.includes('|') && !text.includes('`'))
})
