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
    const t = contextMenuTemplate({ ...base, isEditable: true, misspelledWord: 'helo', dictionarySuggestions: ['hello', 'help'] }, wc as never)
    expect(t.map((i) => i.label ?? i.role ?? i.type)).toEqual(['hello', 'help', 'Add to dictionary', 'separator', 'cut', 'copy', 'paste', 'selectAll'])
    t[0]!.click!({} as never, undefined, {} as never)
    expect(wc.replaceMisspelling).toHaveBeenCalledWith('hello')
    t[2]!.click!({} as never, undefined, {} as never)
    expect(wc.session.addWordToSpellCheckerDictionary).toHaveBeenCalledWith('helo')
  })

  it('link items only for http(s) links; opening goes through safeOpenURL', async () => {
    const t = contextMenuTemplate({ ...base, linkURL: 'https://example.com/x' }, contents() as never)
    expect(t.map((i) => i.label)).toEqual(['Open link in browser', 'Copy link'])
    t[0]!.click!({} as never, undefined, {} as never)
    await vi.waitFor(() => expect(fake.shell.openExternal).toHaveBeenCalledWith('https://example.com/x'))
    t[1]!.click!({} as never, undefined, {} as never)
    expect(fake.clipboard.writeText).toHaveBeenCalledWith('https://example.com/x')
    for (const linkURL of ['javascript:alert(1)', 'file:///etc/passwd', 'http://u:p@x.example/']) {
      expect(contextMenuTemplate({ ...base, linkURL }, contents() as never), linkURL).toEqual([])
    }
  })

  it('pops up on context-menu, and not when there is nothing to show', () => {
    const wc = Object.assign(new fake.FakeWebContents(), contents())
    installContextMenu(wc as never)
    wc.emit('context-menu', {}, { ...base })
    expect(fake.Menu.popups).toHaveLength(0)
    wc.emit('context-menu', {}, { ...base, selectionText: 'hi' })
    expect(fake.Menu.popups).toHaveLength(1)
    expect(fake.Menu.popups[0]!.map((i) => i.role)).toEqual(['copy'])
  })
})
