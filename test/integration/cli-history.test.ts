/** `miodesk conversations` and `miodesk export` against a history database, in a real child process. */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { defaultDatabase } from '../../src/cli/history'
import { cli as runCli } from '../helpers/cli'

const dir = mkdtempSync(join(tmpdir(), 'miodesk-cli-history-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('miodesk export', () => {
  const db = join(dir, 'history.sqlite')
  const h = new SqliteHistory(db, { indexDelayMs: -1 })
  for (let i = 0; i < 30; i++) {
    h.put('acc-1', { id: `m${i}`, contactId: 'bot', self: i % 2 === 0, time: 1_700_000_000_000 + i * 1000, segments: [{ type: 'text', data: { text: `第 ${i} 条 <b>not bold</b>` } }], status: 'sent' })
  }
  h.put('acc-2', { id: 'x', contactId: 'g1', self: false, time: 1_700_000_000_000, segments: [{ type: 'text', data: { text: 'other' } }], status: 'sent' })
  h.close()

  it('lists the stored conversations of every account', async () => {
    const r = await runCli(['conversations', '--db', db])
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split('\n').map((l) => l.split('\t').slice(0, 3).join(' '))).toEqual(['acc-1 bot 30', 'acc-2 g1 1'])
  })

  it('writes a conversation as HTML, Markdown and JSON', async () => {
    const html = join(dir, 'out.html')
    const r = await runCli(['export', '--db', db, '--account', 'acc-1', '--conversation', 'bot', '--out', html, '--name', '小助手', '--locale', 'zh-CN'])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('exported 30 messages')
    const text = readFileSync(html, 'utf8')
    expect(text).toContain('<title>小助手 — acc-1</title>')
    expect(text).toContain('第 29 条 &lt;b&gt;not bold&lt;/b&gt;')
    expect(text.indexOf('第 0 条')).toBeLessThan(text.indexOf('第 29 条'))
    const json = join(dir, 'out.json')
    expect((await runCli(['export', '--db', db, '--account', 'acc-1', '--conversation', 'bot', '--out', json, '--format', 'json'])).code).toBe(0)
    expect((JSON.parse(readFileSync(json, 'utf8')) as { messages: unknown[] }).messages).toHaveLength(30)
    const md = join(dir, 'out.md')
    expect((await runCli(['export', '--db', db, '--account', 'acc-1', '--conversation', 'bot', '--out', md, '--format', 'markdown'])).code).toBe(0)
    expect(readFileSync(md, 'utf8')).toContain('第 7 条')
  })

  it('refuses in words: no database, a missing option, an unknown format', async () => {
    const none = await runCli(['export', '--db', join(dir, 'nope.sqlite'), '--account', 'a', '--conversation', 'b', '--out', join(dir, 'x.html')])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('No history database at')
    expect(existsSync(join(dir, 'nope.sqlite'))).toBe(false)
    const missing = await runCli(['export', '--db', db, '--account', 'acc-1'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('--conversation')
    const fmt = await runCli(['export', '--db', db, '--account', 'acc-1', '--conversation', 'bot', '--out', join(dir, 'x.pdf'), '--format', 'pdf'])
    expect(fmt.stderr).toContain('--format is one of markdown, html, json')
  })

  it('finds the desktop app profile by default on each platform', () => {
    expect(defaultDatabase('linux', {}, '/home/u')).toBe('/home/u/.config/MioDesk/history.sqlite')
    expect(defaultDatabase('darwin', {}, '/Users/u')).toBe('/Users/u/Library/Application Support/MioDesk/history.sqlite')
    expect(defaultDatabase('win32', { APPDATA: 'C:\\\\Users\\\\u\\\\AppData\\\\Roaming' }, 'C:\\\\Users\\\\u')).toContain('MioDesk')
  })
})
