/** Links that do not say where they go are shown with their real (punycode) host before they open. */
import { describe, expect, it } from 'vitest'
import { checkLink, hostInText } from '../../../src/renderer/src/lib/links'

describe('checkLink', () => {
  it('text that reads as another address than the target is a mismatch, with the real host', () => {
    expect(checkLink('https://evil.example/login', 'https://bank.example')).toEqual({ host: 'evil.example', reason: 'mismatch', textHost: 'bank.example' })
    expect(checkLink('https://evil.example/', 'bank.example/login')).toMatchObject({ reason: 'mismatch', textHost: 'bank.example' })
  })

  it('text that names the same host (www or not, any path), or is not an address, opens as it is', () => {
    expect(checkLink('https://www.example.com/a?b', 'example.com')).toEqual({ host: 'www.example.com' })
    expect(checkLink('https://example.com/docs', 'https://example.com/other')).toEqual({ host: 'example.com' })
    expect(checkLink('https://example.com/docs', 'the docs')).toEqual({ host: 'example.com' })
    expect(checkLink('https://example.com/docs', 'v1.2')).toEqual({ host: 'example.com' })
  })

  it('an internationalised host is shown as it will be dialled (punycode), also when the text names it', () => {
    // "аpple.com" with a Cyrillic а
    const c = checkLink('https://\u0430pple.com/', 'https://\u0430pple.com/')
    expect(c).toEqual({ host: 'xn--pple-43d.com', reason: 'idn' })
    expect(checkLink('https://\u0430pple.com/', 'apple.com')).toMatchObject({ reason: 'mismatch', host: 'xn--pple-43d.com', textHost: 'apple.com' })
  })

  it('only http(s) links are opened at all', () => {
    expect(checkLink('javascript:alert(1)', 'x')).toBeUndefined()
    expect(checkLink('file:///etc/passwd', 'x')).toBeUndefined()
    expect(checkLink('not a url', 'x')).toBeUndefined()
    expect(hostInText('two words.com')).toBeUndefined()
  })
})
