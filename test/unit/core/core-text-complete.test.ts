/**
 * Every core sentence a person reads is in the table, in both languages: the table is complete and Chinese
 * has no English sentence in it; the core's own error sentences (literal ones, in the files whose errors
 * reach the window) all read back in Chinese; errors the core really throws, worded for a Chinese UI, carry
 * no English sentence; a technical reason is kept apart as the detail.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AppCore } from '../../../src/core/app-core'
import { MemoryStore, plaintextSecretBox } from '../../../src/core/storage/storage'
import { optionalText, requireHttpUrl, requireId } from '../../../src/core/validate'
import { connectionReason, coreText, localizeCoreText, splitCoreText, type CoreTextKey } from '../../../src/shared/core-text'

/** Two Latin words in a row, outside names the Chinese keeps (platforms, formats, addresses). */
const KEPT = /Mio-Chat|Socket\.IO|Markdown|HTML|https?:\/\/\S+|wss?:\/\/\S+|[\w.-]+\.(?:com|local)\S*|ID/g
const latinSentence = (s: string): boolean => /[A-Za-z]{2,}[\s,;:'’-]+[A-Za-z]{2,}/.test(s.replace(KEPT, '·'))

const src = readFileSync(new URL('../../../src/shared/core-text.ts', import.meta.url), 'utf8')
const keysOf = (block: string): string[] => [...block.matchAll(/^ {2}(\w+): /gm)].map((m) => m[1]!)
const EN_BLOCK = src.slice(src.indexOf('const EN = {'), src.indexOf('} as const'))
const ZH_BLOCK = src.slice(src.indexOf('const ZH:'), src.indexOf('const TABLE'))
const KEYS = keysOf(EN_BLOCK) as CoreTextKey[]

describe('the core sentence table', () => {
  it('has every sentence in Chinese, with the same parameters, full-width colons and no English sentence', () => {
    expect(KEYS.length).toBeGreaterThan(100)
    expect(keysOf(ZH_BLOCK).sort()).toEqual([...KEYS].sort())
    for (const k of KEYS) {
      const params = (t: string): string[] => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort()
      const en = coreText(k)
      const zh = localizeCoreText(en, 'zh-CN')
      expect(zh, k).not.toBe(en)
      expect(params(zh), k).toEqual(params(en))
      expect(latinSentence(zh), `${k}: ${zh}`).toBe(false)
      expect(zh, k).not.toMatch(/[^\x00-\x7f]: |[\u4e00-\u9fff]:/)
      // English reads back as itself.
      expect(localizeCoreText(en, 'en')).toBe(en)
    }
  })
})

/** The files whose errors reach the window (toasts, forms, banners, replies). */
const USER_FACING = [
  'accounts/registry.ts',
  'accounts/mio/provider.ts',
  'accounts/mio/llm-contacts.ts',
  'accounts/yunhu/provider.ts',
  'protocols/mio/client.ts',
  'protocols/mio/v2/client.ts',
  'protocols/mio/stream.ts',
  'protocols/mio/share.ts',
  'protocols/mio/v2/chunks.ts',
  'protocols/mio/v2/frames.ts',
  'protocols/yunhu/api.ts',
  'accounts/outbox.ts',
  'transport/errors.ts',
  'protocols/yunhu/push.ts',
  'protocols/yunhu/http.ts',
  'transport/socket.ts',
  'transport/pending.ts',
  'app-core.ts',
  'validate.ts'
]

describe('the core’s errors in a Chinese UI', () => {
  it('no literal English sentence is thrown, interrupted or failed with in the files whose errors reach the window', () => {
    const left: string[] = []
    for (const f of USER_FACING) {
      const text = readFileSync(new URL(`../../../src/core/${f}`, import.meta.url), 'utf8')
      for (const m of text.matchAll(/(?:new (?:Error|TransportError)\((?:'[a-z]+', )?|interrupt\(|\.fail\(|error = )'([^'\\]+)'/g)) {
        const s = m[1]!
        if (latinSentence(s) && latinSentence(localizeCoreText(s, 'zh-CN'))) left.push(`${f}: ${s}`)
      }
    }
    expect(left).toEqual([])
  })

  it('what the core really throws at a form reads in Chinese', async () => {
    const c = new AppCore({ store: new MemoryStore(), secrets: plaintextSecretBox, host: 'browser', version: 't', openExternal: async () => {} })
    const tries: Array<() => unknown> = [
      () => c.accounts.add('mio', { server: '', id: 'x', token: 't' }),
      () => c.accounts.add('mio', { server: 'ws://h:1', id: '', token: 't' }),
      () => c.accounts.add('mio', { server: 'ws://h:1', id: 'x', token: '' }),
      () => c.accounts.add('mio', { server: 'ftp://h', id: 'x', token: 't' }),
      () => c.accounts.add('yunhu', { api: 'http://127.0.0.1:1', email: 'a@b.c' }),
      () => c.accounts.add('yunhu', { api: 'gopher://x' }),
      () => c.accounts.send('nope', 'bot', [{ type: 'text', data: { text: 'x' } }]),
      () => c.setSettings('dark' as never),
      () => requireId('', 'bot id'),
      () => optionalText('x'.repeat(60), 'bot name', 50),
      () => requireHttpUrl('ftp://x', 'subscription link')
    ]
    for (const t of tries) {
      const e = await Promise.resolve()
        .then(t)
        .then(
          () => undefined,
          (err: unknown) => err
        )
      expect(e).toBeInstanceOf(Error)
      const zh = localizeCoreText((e as Error).message, 'zh-CN')
      expect(latinSentence(zh), `${(e as Error).message} → ${zh}`).toBe(false)
    }
  })

  it('keeps a technical reason behind “details”, and the banner does not say “connection lost” twice', () => {
    const s = splitCoreText(coreText('resumeFailedWhy', { why: 'getaddrinfo EAI_AGAIN example.org' }), 'zh-CN')
    expect(s).toEqual({ text: '没能向服务器要回复的剩余部分', detail: 'getaddrinfo EAI_AGAIN example.org' })
    expect(splitCoreText(coreText('loginFailedWhy', { why: '邮箱或密码错误' }), 'zh-CN')).toEqual({ text: '登录失败：邮箱或密码错误' })
    expect(splitCoreText(coreText('resumeFailedWhy', { why: 'socket hang up' }), 'en').text).toBe('Could not ask the server for the rest of the reply: socket hang up')
    expect(localizeCoreText(connectionReason(coreText('connectionLost', { why: coreText('closeBrokeOff') })), 'zh-CN')).toBe('连接意外中断')
    expect(connectionReason(coreText('connectionLostBare'))).toBe('')
    expect(connectionReason(coreText('cannotReach'))).toBe(coreText('cannotReach'))
  })
})
