import { createI18n } from 'vue-i18n'
import en from './en'
import zh from './zh-CN'
import { localeFromLanguages, resolveLocale as resolveSharedLocale, type AppLocale, type LocaleSetting } from '@shared/locale'

export type { AppLocale } from '@shared/locale'

/** The UI locale the system asks for (the rule is shared with the main process). */
export function systemLocale(): AppLocale {
  return localeFromLanguages(navigatorLanguages())
}

function navigatorLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return []
  return navigator.languages?.length ? navigator.languages : [navigator.language]
}

export function resolveLocale(setting: LocaleSetting): AppLocale {
  return resolveSharedLocale(setting, navigatorLanguages)
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
