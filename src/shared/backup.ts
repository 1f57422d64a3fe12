/** Backup and restore shapes shared by the core and the renderer (channels `backup:*` in api.ts). */

/** A finished backup. */
export interface BackupOutcome {
  fileName: string
  /** Where it was written. */
  path: string
  /** A URL the page may download it from (browser host). */
  url?: string
  bytes: number
  /** 'passphrase': the secrets are in it, encrypted; 'none': left out (accounts log in again after a restore). */
  secrets: 'none' | 'passphrase'
  accounts: number
}

/** Which backup to restore: uploaded bytes, a file of the backups folder by name, or (neither) the host's open dialog. */
export interface RestoreSource {
  base64?: string
  name?: string
}

/** A finished restore. */
export interface RestoreOutcome {
  /** When the backup was made, and by which version. */
  createdAt: string
  appVersion: string
  accounts: number
  messages: number
  secrets: 'none' | 'passphrase'
  /** Accounts restored without their secret: they need a new login. */
  needLogin: number
  /** The folder where the replaced profile was kept. */
  keptAside: string
}
