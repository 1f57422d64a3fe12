/** The renderer's language: the shared rule for 'system'. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { resolveLocale, systemLocale } from '../../../src/renderer/src/i18n'

afterEach(() => vi.unstubAllGlobals())

describe('renderer locale', () => {
  it("resolves 'system' from navigator.languages by the shared rule", () => {
    vi.stubGlobal('navigator', { languages: ['fr-FR', 'zh-Hans-CN', 'en-US'], language: 'fr-FR' })
    expect(systemLocale()).toBe('zh-CN')
    expect(resolveLocale('system')).toBe('zh-CN')
    expect(resolveLocale('en')).toBe('en')
    vi.stubGlobal('navigator', { languages: [], language: 'de-DE' })
    expect(systemLocale()).toBe('en')
  })

})
