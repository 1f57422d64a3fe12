/** API: backup and restore of the whole profile (backup:*). */
import { getApi } from '../api'
import { blobBase64 } from './useUploadsApi'

const backupApi = {
  create: (passphrase?: string) => getApi().call('backup:create', passphrase ? { passphrase } : {}),
  list: () => getApi().call('backup:list'),
  /** A chosen file (browser), a name in the backups folder, or — neither — the app's open dialog. */
  restore: async (source: { file?: Blob; name?: string }, passphrase?: string) =>
    getApi().call('backup:restore', source.file ? { base64: await blobBase64(source.file) } : source.name ? { name: source.name } : null, passphrase || undefined)
}

export function useBackupApi(): typeof backupApi {
  return backupApi
}
