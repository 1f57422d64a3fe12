/** Which media in messages load by themselves: local, the account's own server, the platform's CDN; strangers only when allowed. */
import { describe, expect, it } from 'vitest'
import { isRemoteMediaUrl, isTrustedMediaUrl, remoteMediaHost, remoteMediaVerdict, type RemoteMediaContext } from '@shared/remote-media'

const ask: RemoteMediaContext = { ownOrigins: ['http://127.0.0.1:8787'], mode: 'ask', allowedHere: false }

describe('remote media rule', () => {
  it('loads what is already in the app without asking', () => {
    for (const v of ['data:image/png;base64,AAAA', 'blob:app://miodesk/1', '/media/acc/x?token=t', 'miodesk-media://media/a/b', 'cat.png', '']) expect(remoteMediaVerdict(v, ask), v).toBe('load')
  })

  it("loads the account's own server (exact origin) and Yunhu's media hosts over https", () => {
    expect(remoteMediaVerdict('http://127.0.0.1:8787/files/a.png', ask)).toBe('load')
    expect(remoteMediaVerdict('https://chat-img.jwznb.com/a.png', ask)).toBe('load')
    expect(remoteMediaVerdict('//chat-img2.jwznb.com/a.png', ask)).toBe('load')
    expect(isTrustedMediaUrl('HTTPS://CHAT-IMG.JWZNB.COM/a.png', [])).toBe(true)
  })

  it('asks before a stranger: another host, another port, another scheme, look-alike hosts, credentials', () => {
    for (const v of [
      'https://evil.example/t.png',
      'http://127.0.0.1:9999/t.png',
      'https://127.0.0.1:8787/t.png',
      '//evil.example/t.png',
      'https://chat-img.jwznb.com.evil.example/t.png',
      'https://evil.example/chat-img.jwznb.com/t.png',
      'http://chat-img.jwznb.com/t.png',
      'http://user:pw@127.0.0.1:8787/t.png',
      'http://[not a url'
    ])
      expect(remoteMediaVerdict(v, ask), v).toBe('ask')
  })

  it('loads a stranger once the conversation or the setting allows it', () => {
    expect(remoteMediaVerdict('https://evil.example/t.png', { ...ask, allowedHere: true })).toBe('load')
    expect(remoteMediaVerdict('https://evil.example/t.png', { ...ask, mode: 'always' })).toBe('load')
    expect(remoteMediaVerdict('https://evil.example/t.png', { ...ask, ownOrigins: ['not an origin'] })).toBe('ask')
  })

  it('tells remote addresses and names their host', () => {
    expect(isRemoteMediaUrl(' HTTPS://x.example/a ')).toBe(true)
    expect(isRemoteMediaUrl('data:,x')).toBe(false)
    expect(remoteMediaHost('https://img.example:8443/a.png')).toBe('img.example:8443')
    expect(remoteMediaHost('//img.example/a.png')).toBe('img.example')
  })
})
