/**
 * The one rule for which language MioDesk speaks, shared by the renderer (vue-i18n) and the Electron main
 * process (notifications, tray, menus, dialogs), so both sides pick the same language for 'system'.
 */

/** The languages MioDesk has words for. */
export type AppLocale = 'zh-CN' | 'en'

/** What `Settings.locale` holds: a language, or 'system' to follow the operating system. */
export type LocaleSetting = 'system' | AppLocale

/**
 * The language for a list of BCP 47-ish tags, most preferred first (`navigator.languages`, Electron's
 * `app.getLocale()`): the first Chinese tag (any zh: zh-CN, zh-Hans-CN, zh_TW…) gives 'zh-CN', the first
 * English one 'en'; tags in other languages are skipped; nothing usable gives 'en'.
 */
export function localeFromLanguages(languages: readonly unknown[]): AppLocale {
  for (const l of languages) {
    if (typeof l !== 'string') continue
    if (/^zh(?![a-z])/i.test(l)) return 'zh-CN'
    if (/^en(?![a-z])/i.test(l)) return 'en'
  }
  return 'en'
}

/** The language a setting means; `systemLanguages` is read only for 'system' (or anything unrecognised). */
export function resolveLocale(setting: LocaleSetting | undefined, systemLanguages: () => readonly unknown[]): AppLocale {
  if (setting === 'zh-CN' || setting === 'en') return setting
  return localeFromLanguages(systemLanguages())
}
