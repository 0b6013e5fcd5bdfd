import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TokenFile, TokenFileError, constantTimeEqual } from '../../../src/apiserver/auth/index.js'

const csv = [
  'tok-alice,alice,1001,"devs,system:masters"',
  'tok-bob,bob,1002',
  '  tok-carol , carol,1003,ops', // leading spaces trimmed (Go's TrimLeadingSpace), trailing kept
  '',
  '"tok,with,commas",dan,1004,"a ""quoted"" group"',
  ',nobody,1005', // empty token: skipped, as kube does
].join('\n')

describe('TokenFile', () => {
  it('parses kube-apiserver --token-auth-file lines, quotes included', () => {
    const file = TokenFile.parse(csv)
    assert.equal(file.size, 4)
    assert.deepEqual(file.authenticate('tok-alice'), { username: 'alice', uid: '1001', groups: ['devs', 'system:masters', 'system:authenticated'] })
    assert.deepEqual(file.authenticate('tok-bob'), { username: 'bob', uid: '1002', groups: ['system:authenticated'] })
    assert.deepEqual(file.authenticate('tok-carol '), { username: 'carol', uid: '1003', groups: ['ops', 'system:authenticated'] })
    assert.deepEqual(file.authenticate('tok,with,commas'), { username: 'dan', uid: '1004', groups: ['a "quoted" group', 'system:authenticated'] })
  })

  it('answers undefined for an unknown token, a prefix, an extension or the empty token', () => {
    const file = TokenFile.parse(csv)
    for (const t of ['tok-alicE', 'tok-alic', 'tok-alice2', '', 'tok-carol', 'nobody']) assert.equal(file.authenticate(t), undefined, t)
  })

  it('a later line with the same token wins (kube warns and overwrites)', () => {
    const file = TokenFile.parse('t1,first,1\nt1,second,2\n')
    assert.equal(file.size, 1)
    assert.equal(file.authenticate('t1')?.username, 'second')
  })

  it('returns a copy: a caller changing the user does not change the file', () => {
    const file = TokenFile.parse('t1,u,1,g\n')
    const first = file.authenticate('t1')
    assert.ok(first)
    first.groups.push('system:masters')
    assert.deepEqual(file.authenticate('t1')?.groups, ['g', 'system:authenticated'])
  })

  it('refuses a bad line with a typed error naming the line, never its secret', () => {
    const cases: [string, number, RegExp][] = [
      ['good,u,1\nsecret-token-xyz,only-two\n', 2, /at least 3 columns .* found 2/],
      ['secret-token-xyz\n', 1, /found 1/],
      ['a,b,1\n\n"secret-token-xyz,u,1\n', 3, /unterminated quoted field/],
      ['secret-token-xyz,u,1,"g"x\n', 1, /extraneous text/],
      ['secret"token-xyz,u,1\n', 1, /bare quote/],
      ['secret-token-xyz,,1\n', 1, /user name is empty/],
    ]
    for (const [text, line, pattern] of cases) {
      assert.throws(
        () => TokenFile.parse(text),
        (err: unknown) => {
          assert.ok(err instanceof TokenFileError, String(err))
          assert.equal(err.code, 'Invalid')
          assert.equal(err.line, line)
          assert.match(err.message, new RegExp(`^token file: line ${line}: `))
          assert.match(err.message, pattern)
          assert.doesNotMatch(err.message, /secret|token-xyz/)
          return true
        },
      )
    }
  })

  it('constantTimeEqual compares secrets of any length without throwing', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true)
    assert.equal(constantTimeEqual('abc', 'abd'), false)
    assert.equal(constantTimeEqual('abc', 'abcd'), false) // timingSafeEqual alone would throw on lengths
    assert.equal(constantTimeEqual('', ''), true)
  })
})
