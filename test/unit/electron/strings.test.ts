/** The main process's words: one table per language, the shared locale rule, 'system' from Electron. */
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./fake-electron'))

import * as fake from './fake-electron'
import { mainLocale, mainStrings, notificationPreviewLabels, systemLanguages } from '../../../src/main/strings'
import { localeFromLanguages, resolveLocale } from '../../../src/shared/locale'
import { PREVIEW_WORDS } from '../../../src/shared/model/parts'

beforeEach(() => fake.resetFakes())

describe('the locale rule (shared by renderer and main)', () => {
  it('the first Chinese or English tag wins; other languages are skipped; nothing usable is English', () => {
    expect(localeFromLanguages(['zh-CN'])).toBe('zh-CN')
    expect(localeFromLanguages(['zh-Hans-CN', 'en-US'])).toBe('zh-CN')
    expect(localeFromLanguages(['zh_TW'])).toBe('zh-CN')
    expect(localeFromLanguages(['ZH'])).toBe('zh-CN')
    expect(localeFromLanguages(['en-GB', 'zh-CN'])).toBe('en')
    expect(localeFromLanguages(['fr-FR', 'zh-CN'])).toBe('zh-CN')
    expect(localeFromLanguages(['fr-FR', 'de'])).toBe('en')
    expect(localeFromLanguages([])).toBe('en')
    // Not Chinese: Zhuang ('zha'), and garbage.
    expect(localeFromLanguages(['zha', undefined, 42])).toBe('en')
  })

  it('a chosen language is kept; system (or an unknown value) reads the system languages, and only then', () => {
    let asked = 0
    const system = (): string[] => {
      asked += 1
      return ['zh-CN']
    }
    expect(resolveLocale('en', system)).toBe('en')
    expect(resolveLocale('zh-CN', system)).toBe('zh-CN')
    expect(asked).toBe(0)
    expect(resolveLocale('system', system)).toBe('zh-CN')
    expect(resolveLocale(undefined, system)).toBe('zh-CN')
    expect(resolveLocale('fr' as never, system)).toBe('zh-CN')
    expect(asked).toBe(3)
  })
})

describe("main's 'system' language", () => {
  it('comes from app.getLocale() (what the renderer sees first in navigator.languages)', () => {
    fake.app.locale = 'zh-CN'
    fake.app.preferredLanguages = ['en-US']
    expect(systemLanguages()).toEqual(['zh-CN'])
    expect(mainLocale('system')).toBe('zh-CN')
    fake.app.locale = 'en-US'
    fake.app.preferredLanguages = ['zh-Hans-CN']
    expect(mainLocale('system')).toBe('en')
    // A language MioDesk has no words for: English, as in the renderer.
    fake.app.locale = 'ja'
    expect(mainLocale('system')).toBe('en')
  })

  it('falls back to the preferred system languages while getLocale() has no answer', () => {
    fake.app.locale = ''
    fake.app.preferredLanguages = ['zh-Hans-CN', 'en-US']
    expect(mainLocale('system')).toBe('zh-CN')
    fake.app.preferredLanguages = []
    expect(mainLocale('system')).toBe('en')
  })

  it('the setting wins over the system', () => {
    fake.app.locale = 'zh-CN'
    expect(mainLocale('en')).toBe('en')
    fake.app.locale = 'en-US'
    expect(mainLocale('zh-CN')).toBe('zh-CN')
  })
})

describe('the string table', () => {
  it('has the same keys and kinds in both languages, none empty, and Chinese is Chinese', () => {
    const e = mainStrings('en') as Record<string, unknown>
    const z = mainStrings('zh-CN') as Record<string, unknown>
    expect(Object.keys(z).sort()).toEqual(Object.keys(e).sort())
    const brand = new Set(['appName', 'someone'])
    for (const key of Object.keys(e)) {
      expect(typeof z[key], key).toBe(typeof e[key])
      const word = (v: unknown): string => (typeof v === 'function' ? String(v('x')) : String(v))
      expect(word(e[key]).length, key).toBeGreaterThan(0)
      if (!brand.has(key)) expect(word(z[key]), key).toMatch(/[\u4e00-\u9fff]/)
    }
  })

  it('notification previews use the shared preview words (the renderer shows the same)', () => {
    expect(notificationPreviewLabels('en')).toMatchObject(PREVIEW_WORDS.en)
    expect(notificationPreviewLabels('zh-CN')).toMatchObject(PREVIEW_WORDS['zh-CN'])
    expect(notificationPreviewLabels('zh-CN').unknown('mystery')).toBe('')
  })
})
