import { describe, expect, it } from 'vitest'
import { createMemoryLogger, redact, redactUrl } from '../../../src/core/log'

describe('log redaction', () => {
  it('redactUrl hides token-like query values only', () => {
    expect(redactUrl('ws://h/api/gateway?mio-chat-id=15432&mio-chat-token=dummy-user-code')).toBe('ws://h/api/gateway?mio-chat-id=15432&mio-chat-token=***')
    expect(redactUrl('x?token=abc&password=p#frag')).toBe('x?token=***&password=***#frag')
    expect(redactUrl('no secrets here')).toBe('no secrets here')
  })

  it('redact hides secret keys at any depth and URLs inside strings', () => {
    expect(redact({ 'mio-chat-token': 'c', data: { 'mio-chat-id': '1', password: 'p', list: ['ws://h?mio-chat-token=z'] }, apiKey: 'k' })).toEqual({
      'mio-chat-token': '***',
      data: { 'mio-chat-id': '1', password: '***', list: ['ws://h?mio-chat-token=***'] },
      apiKey: '***'
    })
  })

  it('the memory logger stores redacted entries', () => {
    const log = createMemoryLogger()
    log.warn('dial ws://h?mio-chat-token=secret', { token: 'secret' })
    expect(log.entries).toEqual([{ level: 'warn', msg: 'dial ws://h?mio-chat-token=***', meta: { token: '***' } }])
  })
})
