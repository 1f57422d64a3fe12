import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('./fake-electron'))

import * as fake from './fake-electron'
import { contextMenuTemplate, installContextMenu } from '../../../src/main/context-menu'

beforeEach(() => fake.resetFakes())

const flags = { canCut: true, canCopy: true, canPaste: true, canSelectAll: true, canUndo: false, canRedo: false, canDelete: true, canEditRichly: false }
const base = { isEditable: false, misspelledWord: '', dictionarySuggestions: [] as string[], editFlags: flags, linkURL: '', selectionText: '' }
const contents = () => ({ replaceMisspelling: vi.fn(), session: { addWordToSpellCheckerDictionary: vi.fn() } })

describe('context menu', () => {
  it('offers spelling suggestions that replace the word, and add-to-dictionary', () => {
    const wc = contents()
    const t = contextMenuTemplate({ ...base, isEditable: true, misspelledWord: 'helo', dictionarySuggestions: ['hello', 'help'] }, wc as never, 'en')
    expect(t.map((i) => i.label ?? i.type)).toEqual(['hello', 'help', 'Add to dictionary', 'separator', 'Cut', 'Copy', 'Paste', 'Select All'])
    expect(t.map((i) => i.role).filter(Boolean)).toEqual(['cut', 'copy', 'paste', 'selectAll'])
    t[0]!.click!({} as never, undefined, {} as never)
    expect(wc.replaceMisspelling).toHaveBeenCalledWith('hello')
    t[2]!.click!({} as never, undefined, {} as never)
    expect(wc.session.addWordToSpellCheckerDictionary).toHaveBeenCalledWith('helo')
  })

  it('link items only for http(s) links; opening goes through safeOpenURL', async () => {
    const t = contextMenuTemplate({ ...base, linkURL: 'https://example.com/x' }, contents() as never, 'en')
    expect(t.map((i) => i.label)).toEqual(['Open link in browser', 'Copy link'])
    t[0]!.click!({} as never, undefined, {} as never)
    await vi.waitFor(() => expect(fake.shell.openExternal).toHaveBeenCalledWith('https://example.com/x'))
    t[1]!.click!({} as never, undefined, {} as never)
    expect(fake.clipboard.writeText).toHaveBeenCalledWith('https://example.com/x')
    for (const linkURL of ['javascript:alert(1)', 'file:///etc/passwd', 'http://u:p@x.example/']) {
      expect(contextMenuTemplate({ ...base, linkURL }, contents() as never, 'en'), linkURL).toEqual([])
    }
  })

  it('pops up on context-menu, and not when there is nothing to show', () => {
    const wc = Object.assign(new fake.FakeWebContents(), contents())
    installContextMenu(wc as never, () => 'en')
    wc.emit('context-menu', {}, { ...base })
    expect(fake.Menu.popups).toHaveLength(0)
    wc.emit('context-menu', {}, { ...base, selectionText: 'hi' })
    expect(fake.Menu.popups).toHaveLength(1)
    expect(fake.Menu.popups[0]!.map((i) => i.role)).toEqual(['copy'])
  })

  it('speaks Chinese when the locale is zh-CN, role items included (Electron would label them in English)', () => {
    const t = contextMenuTemplate({ ...base, isEditable: true, misspelledWord: 'helo', dictionarySuggestions: ['hello'], linkURL: 'https://example.com/' }, contents() as never, 'zh-CN')
    expect(t.map((i) => i.label ?? i.type)).toEqual(['hello', '添加到词典', 'separator', '在浏览器中打开链接', '复制链接', 'separator', '剪切', '复制', '粘贴', '全选'])
    expect(contextMenuTemplate({ ...base, selectionText: 'hi' }, contents() as never, 'zh-CN')).toEqual([{ role: 'copy', label: '复制', enabled: true }])
  })

  it('reads the language at each right-click, so a change of setting shows at the next menu', () => {
    const wc = Object.assign(new fake.FakeWebContents(), contents())
    let locale: 'en' | 'zh-CN' = 'en'
    installContextMenu(wc as never, () => locale)
    wc.emit('context-menu', {}, { ...base, selectionText: 'hi' })
    locale = 'zh-CN'
    wc.emit('context-menu', {}, { ...base, selectionText: 'hi' })
    expect(fake.Menu.popups.map((m) => m[0].label)).toEqual(['Copy', '复制'])
  })
})
