import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { DEFAULT_SETTINGS, type Settings } from '@shared/api'
import { useSettingsApi } from '../composables/useSettingsApi'
import { resolveLocale, setLocale, type AppLocale } from '../i18n'

const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null

export const useSettingsStore = defineStore('settings', () => {
  const api = useSettingsApi()
  const settings = ref<Settings>({ ...DEFAULT_SETTINGS })
  const systemDark = ref(media?.matches ?? false)
  media?.addEventListener('change', (e) => {
    systemDark.value = e.matches
    applyTheme()
  })

  const locale = computed<AppLocale>(() => resolveLocale(settings.value.locale))
  const theme = computed<'light' | 'dark'>(() => (settings.value.theme === 'system' ? (systemDark.value ? 'dark' : 'light') : settings.value.theme))

  function applyTheme(): void {
    document.documentElement.dataset.theme = theme.value
    document.documentElement.style.colorScheme = theme.value
  }
  function apply(): void {
    setLocale(locale.value)
    applyTheme()
  }

  function adopt(s: Settings): void {
    settings.value = { ...DEFAULT_SETTINGS, ...s }
    apply()
  }

  async function load(): Promise<void> {
    try {
      adopt(await api.get())
    } catch {
      apply()
    }
    api.onChange(adopt)
  }

  async function set(patch: Partial<Settings>): Promise<void> {
    // Apply locally first so the UI reacts at once, then persist.
    adopt({ ...settings.value, ...patch })
    try {
      adopt(await api.set(patch))
    } catch {
      /* keep the local value; main may be unavailable */
    }
  }

  return { settings, locale, theme, load, set, apply }
})
