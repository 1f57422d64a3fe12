/**
 * `miodesk export` and `miodesk conversations`: the app's own history database, read from the terminal
 * (the same SqliteHistory and exporter as the app; the app may be running: SQLite's WAL lets both read).
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ParsedArgs } from './args'
import { UsageError, type Io } from './mio'
import { EXPORT_FORMATS, exportConversation, writeExportFile, type ExportFormat } from '../core/export'
import { SqliteHistory } from '../core/storage/sqlite-history'

/** Where the desktop app keeps its history (Electron's userData for "MioDesk"). */
export function defaultDatabase(platform = process.platform, env = process.env, home = homedir()): string {
  const dir =
    platform === 'win32'
      ? join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'MioDesk')
      : platform === 'darwin'
        ? join(home, 'Library', 'Application Support', 'MioDesk')
        : join(env['XDG_CONFIG_HOME'] ?? join(home, '.config'), 'MioDesk')
  return join(dir, 'history.sqlite')
}

function openDb(args: ParsedArgs): SqliteHistory {
  const file = resolve(typeof args['db'] === 'string' ? args['db'] : (process.env['MIODESK_DB'] ?? defaultDatabase()))
  if (!existsSync(file)) throw new UsageError(`No history database at ${file} (use --db PATH)`)
  return new SqliteHistory(file, { expectExisting: true, indexDelayMs: -1 })
}

const str = (args: ParsedArgs, k: string): string => (typeof args[k] === 'string' ? (args[k] as string) : '')

export async function runHistory(cmd: 'export' | 'conversations', args: ParsedArgs, io: Io): Promise<number> {
  const db = openDb(args)
  try {
    if (cmd === 'conversations') {
      const one = str(args, 'account')
      for (const account of one ? [one] : db.accounts()) {
        for (const c of db.conversations(account)) io.out(`${account}\t${c.contactId}\t${c.messages}\t${new Date(c.lastTime).toISOString()}\n`)
      }
      return 0
    }
    const account = str(args, 'account')
    const conversation = str(args, 'conversation')
    if (!account || !conversation) throw new UsageError('export needs --account ID and --conversation ID')
    const format = (str(args, 'format') || 'html') as ExportFormat
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format is one of ${EXPORT_FORMATS.join(', ')}`)
    const out = str(args, 'out')
    if (!out) throw new UsageError('export needs --out FILE')
    const locale = str(args, 'locale') === 'zh-CN' ? 'zh-CN' : 'en'
    const meta = { accountId: account, accountName: str(args, 'account-name') || account, platform: '', contactId: conversation, contactName: str(args, 'name') || conversation, locale, now: new Date() } as const
    const r = await writeExportFile(resolve(out), (sink) => exportConversation(db.iterate(account, conversation), meta, format, sink))
    io.err(`exported ${r.messages} messages (${r.bytes} bytes) to ${resolve(out)}\n`)
    return 0
  } finally {
    db.close()
  }
}
