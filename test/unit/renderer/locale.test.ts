/** The renderer's language: the shared rule for 'system', the shared preview words. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import en from '../../../src/renderer/src/i18n/en'
import zh from '../../../src/renderer/src/i18n/zh-CN'
import { resolveLocale, systemLocale } from '../../../src/renderer/src/i18n'
import { PREVIEW_WORDS } from '../../../src/shared/model/parts'

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

  it('shows the preview words the main process uses in notifications', () => {
    expect(en.preview).toEqual(PREVIEW_WORDS.en)
    expect(zh.preview).toEqual(PREVIEW_WORDS['zh-CN'])
  })
})
