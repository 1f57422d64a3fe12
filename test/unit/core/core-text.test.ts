/** The core's sentences a person reads, in the UI's language: one table, read back from the English. */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { coreText, localizeCoreText, type CoreTextKey } from '../../../src/shared/core-text'
import { describeClose, describeSocketError } from '../../../src/core/transport/socket'

const KEYS: CoreTextKey[] = ['connectionLost', 'cannotReach', 'replyLinkLost', 'replyServerRestarted', 'loginFailedWhy', 'questionClosed', 'closeBrokeOff']

describe('core sentences in the UI language', () => {
  it('the sentences the issue names read in Chinese, parameters too', () => {
    expect(localizeCoreText(coreText('replyLinkLost'), 'zh-CN')).toBe('回复完成前连接断开了')
    expect(localizeCoreText(coreText('connectionLost', { why: describeClose(1006) }), 'zh-CN')).toBe('连接已断开：连接意外中断')
    // The server's own words stay the server's; the sentence around them is ours.
    expect(localizeCoreText(coreText('loginFailedWhy', { why: '邮箱或密码错误' }), 'zh-CN')).toBe('登录失败：邮箱或密码错误')
    expect(localizeCoreText(coreText('loginFailedWhy', { why: coreText('wrongEmailOrPassword') }), 'zh-CN')).toBe('登录失败：邮箱或密码错误')
  })

  it('every close code and socket error the transport can word has Chinese words', () => {
    for (const code of [1000, 1001, 1006, 1008, 1009, 1011, 1012, 1013, 4001, 4999]) {
      const en = coreText('connectionLost', { why: describeClose(code) })
      const zh = localizeCoreText(en, 'zh-CN')
      expect(zh, en).not.toBe(en)
      expect(zh).not.toMatch(/[a-z]{3}/i)
    }
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT']) {
      const en = describeSocketError(Object.assign(new Error('x'), { code })).message
      expect(localizeCoreText(en, 'zh-CN'), en).not.toMatch(/[a-z]{3}/i)
    }
  })

  it('English stays English; an unknown sentence is shown as it is', () => {
    for (const k of KEYS) expect(localizeCoreText(coreText(k, { why: 'x' }), 'en')).toBe(coreText(k, { why: 'x' }))
    // Any reason inside a known sentence: the sentence is translated around it, the reason in turn.
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((p) => p.trim() === p && !p.includes('\n')), (p) => {
        expect(localizeCoreText(coreText('connectionLost', { why: p }), 'zh-CN')).toBe(`连接已断开：${localizeCoreText(p, 'zh-CN')}`)
      })
    )
    expect(localizeCoreText('The server answered "weird" (code 7)', 'zh-CN')).toBe('The server answered "weird" (code 7)')
  })
})
