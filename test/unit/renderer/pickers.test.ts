/** The composer pickers' pure parts (src/renderer/src/lib/pickers.ts): "/" and "@" detection, filtering, mention parts. */
import { describe, expect, it } from 'vitest'
import { commandQuery, filterCommands, insertMention, mentionQuery, mentionSegments } from '../../../src/renderer/src/lib/pickers'
import type { YunhuCommandView } from '../../../src/shared/yunhu-api'

const cmd = (id: string, name: string, description = '', botName = 'bot'): YunhuCommandView => ({ id, botId: 'b', botName, name, description, kind: 'normal', hint: '', defaultText: '' })
const LIST = [cmd('1', '天气查询', '查询城市天气', '天气机器人'), cmd('2', '今日天气', '直接发送', '天气机器人'), cmd('3', 'rebuild', 'Rebuild a branch', 'CI'), cmd('4', 'help', 'show the weather help', 'Echo')]

describe('command picker', () => {
  it('opens on "/" at the start and closes at a space, a line break or a second slash', () => {
    expect(commandQuery('/')).toBe('')
    expect(commandQuery('/天气')).toBe('天气')
    expect(commandQuery('/天气 北京')).toBeNull()
    expect(commandQuery('/a\nb')).toBeNull()
    expect(commandQuery('x/abc')).toBeNull()
    expect(commandQuery('//')).toBeNull()
    expect(commandQuery('')).toBeNull()
  })

  it('filters as you type: name prefix first, then name, description or bot containing it, case-insensitive', () => {
    expect(filterCommands(LIST, '').map((c) => c.id)).toEqual(['1', '2', '3', '4'])
    expect(filterCommands(LIST, '天气').map((c) => c.id)).toEqual(['1', '2'])
    expect(filterCommands(LIST, '今日').map((c) => c.id)).toEqual(['2'])
    expect(filterCommands(LIST, 'RE').map((c) => c.id)).toEqual(['3'])
    expect(filterCommands(LIST, 'weather').map((c) => c.id)).toEqual(['4'])
    expect(filterCommands(LIST, 'ci').map((c) => c.id)).toEqual(['3'])
    expect(filterCommands(LIST, 'nothing')).toEqual([])
  })
})

describe('mention picker', () => {
  it('finds the "@" being typed before the caret', () => {
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' })
    expect(mentionQuery('hi @林', 5)).toEqual({ start: 3, query: '林' })
    expect(mentionQuery('hi @林 ok', 8)).toBeNull()
    expect(mentionQuery('mail a@b', 8)).toBeNull()
    expect(mentionQuery('hi @Kev and', 7)).toEqual({ start: 3, query: 'Kev' })
  })

  it('inserts "@name " in place of what was typed', () => {
    expect(insertMention('hi @Ke there', 3, 6, 'Kevin Zhao')).toEqual({ text: 'hi @Kevin Zhao  there', caret: 15 })
  })

  it('turns the chosen mentions still in the text into at parts', () => {
    const picked = [
      { id: '7358021', name: '林晓雨' },
      { id: '3920475', name: 'Kevin Zhao' }
    ]
    expect(mentionSegments('@林晓雨 @Kevin Zhao the release', picked)).toEqual([
      { type: 'at', data: { qq: '7358021', name: '林晓雨' } },
      { type: 'text', data: { text: ' ' } },
      { type: 'at', data: { qq: '3920475', name: 'Kevin Zhao' } },
      { type: 'text', data: { text: ' the release' } }
    ])
    expect(mentionSegments('no mention left', picked)).toBeNull()
    expect(mentionSegments('x @Ann Lee y', [{ id: '1', name: 'Ann' }, { id: '2', name: 'Ann Lee' }])).toEqual([
      { type: 'text', data: { text: 'x ' } },
      { type: 'at', data: { qq: '2', name: 'Ann Lee' } },
      { type: 'text', data: { text: ' y' } }
    ])
  })
})
