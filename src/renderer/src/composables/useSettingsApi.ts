/** API: the persisted settings and their changes pushed by main. */
import type { MainEvents, Settings } from '@shared/api'
import { getApi } from '../api'

const settingsApi = {
  get: () => getApi().call('settings:get'),
  set: (patch: Partial<Settings>) => getApi().call('settings:set', patch),
  onChange: (cb: (s: MainEvents['settings']) => void) => getApi().on('settings', cb)
}

export function useSettingsApi(): typeof settingsApi {
  return settingsApi
}
