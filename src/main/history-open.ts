/**
 * Opening the message database at start, the way Signal does it: a damaged database is never replaced by
 * itself. The user is told in words, with the path, and chooses: copy the error (to report it), move the
 * damaged file aside and start with an empty history (the file stays next to it, untouched), or quit. A
 * database that cannot be written (a read-only or foreign folder) says which path and why, and quits.
 */
import type { Clipboard, Dialog } from 'electron'
import { HistoryOpenError, SqliteHistory, setAsideDatabase } from '../core/storage/sqlite-history'
import type { MainStrings } from './strings'

export interface OpenHistoryOptions {
  /** Accounts exist: a missing or empty database is a lost one, not a new one. */
  expectExisting: boolean
  strings: MainStrings
  dialog: Pick<Dialog, 'showMessageBoxSync' | 'showErrorBox'>
  clipboard: Pick<Clipboard, 'writeText'>
  log: { error(...args: unknown[]): void; warn(...args: unknown[]): void }
}

/** The opened history (and where a damaged one was moved), or undefined: the user chose to quit. */
export function openHistoryOrAsk(file: string, o: OpenHistoryOptions): { history: SqliteHistory; movedAside?: string } | undefined {
  let expectExisting = o.expectExisting
  let movedAside: string | undefined
  const s = o.strings
  for (;;) {
    try {
      return { history: new SqliteHistory(file, { expectExisting }), movedAside }
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err)
      o.log.error('Cannot open the message database', msg)
      if (!(err instanceof HistoryOpenError)) {
        o.dialog.showErrorBox(s.dbDamagedMessage, msg)
        return undefined
      }
      if (err.kind === 'read-only') {
        o.dialog.showErrorBox(s.dbReadOnlyTitle, s.dbReadOnly(err.file, err.detail))
        return undefined
      }
      const COPY = 0
      const FRESH = 1
      const choice = o.dialog.showMessageBoxSync({
        type: 'error',
        title: s.dbDamagedTitle,
        message: s.dbDamagedMessage,
        detail: s.dbDamagedDetail(err.file, err.detail),
        buttons: [s.dbCopyError, s.dbStartFresh, s.dbQuit],
        defaultId: 2,
        cancelId: 2,
        noLink: true
      })
      if (choice === COPY) {
        o.clipboard.writeText(msg)
        continue
      }
      if (choice !== FRESH) return undefined
      movedAside = setAsideDatabase(file)
      o.log.warn(s.dbMovedTo(movedAside))
      expectExisting = false
    }
  }
}
