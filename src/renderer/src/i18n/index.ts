import { createI18n } from 'vue-i18n'
import en from './en'
import zh from './zh-CN'

export type AppLocale = 'zh-CN' | 'en'

/** The UI locale the system asks for. */
export function systemLocale(): AppLocale {
  const langs = typeof navigator !== 'undefined' ? (navigator.languages?.length ? navigator.languages : [navigator.language]) : []
  for (const l of langs) {
    if (/^zh/i.test(l)) return 'zh-CN'
    if (/^en/i.test(l)) return 'en'
  }
  return 'en'
}

export function resolveLocale(setting: 'system' | AppLocale): AppLocale {
  return setting === 'system' ? systemLocale() : setting
}

export const i18n = createI18n({
  legacy: false,
  locale: systemLocale(),
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zh },
  missingWarn: false,
  fallbackWarn: false
})

export function setLocale(l: AppLocale): void {
  i18n.global.locale.value = l
  document.documentElement.lang = l
}
