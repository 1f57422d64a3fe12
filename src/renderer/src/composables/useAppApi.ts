/** API: the app itself — version and host, opening links in the system browser, and storage faults. */
import type { MainEvents } from '@shared/api'
import { getApi } from '../api'

const appApi = {
  info: () => getApi().call('app:info'),
  /** The history could not be written (messages held in memory), or all is written again. */
  onStorage: (cb: (p: MainEvents['storage']) => void) => getApi().on('storage', cb),
  /** A remote file through the main process's save dialog (rejects in the browser build). */
  saveUrl: (url: string) => getApi().call('app:save-url', url),
  /** Progress of a file saved through the main process. */
  onDownload: (cb: (p: MainEvents['download']) => void) => getApi().on('download', cb),
  /** http/https only (main re-parses and checks it too). */
  openExternal: (url: string) => getApi().call('app:open-external', url)
}

export function useAppApi(): typeof appApi {
  return appApi
}
