/** API: the app itself — version and host, and opening links in the system browser. */
import { getApi } from '../api'

const appApi = {
  info: () => getApi().call('app:info'),
  /** http/https only (main re-parses and checks it too). */
  openExternal: (url: string) => getApi().call('app:open-external', url)
}

export function useAppApi(): typeof appApi {
  return appApi
}
