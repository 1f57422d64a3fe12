/**
 * A damaged message database is reported as damaged (never quietly replaced by a new one): garbage, a
 * truncated file, a zero-length file while accounts exist. The Electron entry then asks: copy the error,
 * move it aside and start fresh, or quit.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HistoryOpenError, SqliteHistory, setAsideDatabase } from '../../../src/core/storage/sqlite-history'
import type { ChatMessage } from '../../../src/shared/mio'

vi.mock('electron', () => import('../electron/fake-electron'))

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const dir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'miodesk-dmg-'))
  dirs.push(d)
  return d
}
const msg = (i: number): ChatMessage => ({ id: `m${i}`, contactId: 'bot', self: false, time: i, segments: [{ type: 'text', data: { text: `hello ${i} `.repeat(40) } }], status: 'sent' })

/** A real database with some messages, closed. */
function filled(file: string, n = 2000): void {
  const h = new SqliteHistory(file)
  h.putMany('a', Array.from({ length: n }, (_, i) => msg(i)))
  h.close()
}

describe('opening a damaged message database', () => {
  it('garbage in the file → damaged, with the path; the file is left as it was', () => {
    const f = join(dir(), 'history.sqlite')
    writeFileSync(f, 'this is not a database at all'.repeat(200))
    const before = readFileSync(f)
    const e = (() => {
      try {
        new SqliteHistory(f)
      } catch (x) {
        return x
      }
    })() as HistoryOpenError
    expect(e).toBeInstanceOf(HistoryOpenError)
    expect(e.kind).toBe('damaged')
    expect(e.message).toContain(f)
    expect(readFileSync(f).equals(before)).toBe(true)
  })

  it('a truncated file (cut in half) fails the integrity check at open → damaged', () => {
    const f = join(dir(), 'history.sqlite')
    filled(f)
    truncateSync(f, Math.floor(statSync(f).size / 2))
    expect(() => new SqliteHistory(f)).toThrow(HistoryOpenError)
  })

  it('a zero-length or missing file is a new database only when there are no accounts', () => {
    const d = dir()
    const f = join(d, 'history.sqlite')
    writeFileSync(f, '')
    expect(() => new SqliteHistory(f, { expectExisting: true })).toThrow(/empty \(zero bytes\) although accounts exist/)
    expect(statSync(f).size).toBe(0)
    expect(() => new SqliteHistory(join(d, 'gone.sqlite'), { expectExisting: true })).toThrow(/missing although accounts exist/)
    new SqliteHistory(f).close()
    expect(statSync(f).size).toBeGreaterThan(0)
  })

  it('a sound database opens (the check passes) with its messages', () => {
    const f = join(dir(), 'history.sqlite')
    filled(f, 50)
    const h = new SqliteHistory(f, { expectExisting: true })
    expect(h.list('a', 'bot', undefined, 100)).toHaveLength(50)
    h.close()
  })

  it('moving aside keeps the database and its WAL next to it, untouched', () => {
    const d = dir()
    const f = join(d, 'history.sqlite')
    writeFileSync(f, 'junk')
    writeFileSync(`${f}-wal`, 'wal')
    const to = setAsideDatabase(f, new Date('2026-12-04T10:00:00Z'))
    expect(to).toBe(`${f}.damaged-2026-12-04T10-00-00-000Z`)
    expect(readFileSync(to, 'utf8')).toBe('junk')
    expect(readdirSync(d).sort()).toEqual(['history.sqlite-wal.damaged-2026-12-04T10-00-00-000Z', 'history.sqlite.damaged-2026-12-04T10-00-00-000Z'])
  })
})

describe('the start-up dialog (Electron)', () => {
  const strings = async () => (await import('../../../src/main/strings')).mainStrings('zh-CN')
  const log = { error: () => {}, warn: () => {} }

  it('copy the error → asked again; move aside → a fresh database, the damaged one kept and reported', async () => {
    const { openHistoryOrAsk } = await import('../../../src/main/history-open')
    const f = join(dir(), 'history.sqlite')
    writeFileSync(f, 'not a database'.repeat(100))
    const answers = [0, 1]
    const dialog = { showMessageBoxSync: vi.fn(() => answers.shift()!), showErrorBox: vi.fn() }
    const clipboard = { writeText: vi.fn() }
    const out = openHistoryOrAsk(f, { expectExisting: true, strings: await strings(), dialog: dialog as never, clipboard, log })
    expect(dialog.showMessageBoxSync).toHaveBeenCalledTimes(2)
    const shown = (dialog.showMessageBoxSync.mock.calls[0] as unknown[])[0] as { title: string; detail: string; buttons: string[] }
    expect(shown.title).toBe('消息数据库已损坏')
    expect(shown.detail).toContain(f)
    expect(shown.buttons).toEqual(['复制错误信息', '移到一旁并重新开始', '退出'])
    expect(clipboard.writeText.mock.calls[0]![0]).toContain(f)
    expect(out?.movedAside).toMatch(/history\.sqlite\.damaged-/)
    expect(readFileSync(out!.movedAside!, 'utf8')).toContain('not a database')
    expect(out!.history.list('a', 'bot')).toEqual([])
    out!.history.close()
    expect(existsSync(f)).toBe(true)
  })

  it('quit → nothing is opened and nothing is moved', async () => {
    const { openHistoryOrAsk } = await import('../../../src/main/history-open')
    const f = join(dir(), 'history.sqlite')
    writeFileSync(f, '')
    const dialog = { showMessageBoxSync: vi.fn(() => 2), showErrorBox: vi.fn() }
    expect(openHistoryOrAsk(f, { expectExisting: true, strings: await strings(), dialog: dialog as never, clipboard: { writeText: vi.fn() }, log })).toBeUndefined()
    expect(statSync(f).size).toBe(0)
  })
})
