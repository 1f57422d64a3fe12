/** A2UI (Yunhu content type 14) read into the known component kinds only (src/shared/model/a2ui.ts). */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { a2uiInitialValues, parseA2ui } from '../../../src/shared/model/a2ui'
import { decodeYunhuBody } from '../../../src/core/protocols/yunhu/codec/yunhu'

const FORM = readFileSync(fileURLToPath(new URL('../../fixtures/a2ui/rain-form.json', import.meta.url)), 'utf8')

describe('parseA2ui', () => {
  it('reads text, a text field, a check box and a button; unknown kinds are left out', () => {
    const s = parseA2ui(FORM)!
    expect(s.surfaceId).toBe('rain_sub')
    expect(s.root).toMatchObject({ kind: 'column' })
    const kids = (s.root as { children: { kind: string; id: string }[] }).children
    expect(kids.map((k) => k.kind)).toEqual(['text', 'textField', 'checkBox', 'button'])
    expect(kids[0]).toMatchObject({ text: expect.stringContaining('<img') }) // kept as text, shown as text
    expect(kids[3]).toEqual({ id: 'go', kind: 'button', label: '订阅', action: 'subscribe', context: { plan: 'rain' } })
    expect(a2uiInitialValues(s.root)).toEqual({ city: '杭州', daily: true })
  })

  it('finds the JSON inside a fence or beside prose, and several objects', () => {
    const [create, update] = [FORM.slice(0, FORM.indexOf(',"updateComponents"')) + '}', `{"updateComponents"${FORM.slice(FORM.indexOf(',"updateComponents"') + 19)}`]
    expect(parseA2ui(`Here you go:\n\`\`\`json\n${FORM}\n\`\`\``)?.surfaceId).toBe('rain_sub')
    expect(parseA2ui(`前言 ${create} 中间 ${update} 结尾`)?.surfaceId).toBe('rain_sub')
  })

  it('the fixture A2UI message of a bot chat', () => {
    const bytes = new Uint8Array(readFileSync(fileURLToPath(new URL('../../fixtures/yunhu-fixtures/c_http_list_resp_bot_rich.bin', import.meta.url))))
    const m = decodeYunhuBody('ListMsgResponse', bytes).data!.find((d) => d.content_type === 14)!
    expect(parseA2ui(m.content?.text)?.root).toEqual({ id: 'root', kind: 'column', children: [{ id: 't', kind: 'text', text: '已订阅降雨提醒' }] })
  })

  it('gives null for prose, markdown, cycles only, and non-strings', () => {
    expect(parseA2ui('**just markdown**')).toBeNull()
    expect(parseA2ui(42)).toBeNull()
    expect(parseA2ui('{"updateComponents":{"components":[{"id":"root","component":"Video","url":"x"}]}}')).toBeNull()
    const loop = '{"updateComponents":{"components":[{"id":"root","component":"Column","children":["root"]}]}}'
    expect(parseA2ui(loop)?.root).toEqual({ id: 'root', kind: 'column', children: [] })
  })
})

describe('a2ui previews', () => {
  it('a form previews as its first text; an unreadable one as [a2ui]', async () => {
    const { previewSegments } = await import('../../../src/shared/model/parts')
    expect(previewSegments([{ type: 'a2ui', data: { text: FORM } }])).toBe('订阅降雨提醒 <img src=x onerror=window.__xss=1>')
    expect(previewSegments([{ type: 'a2ui', data: { text: 'nothing' } }])).toBe('[a2ui]')
  })
})
