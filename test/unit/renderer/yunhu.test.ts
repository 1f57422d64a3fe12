import { describe, expect, it } from 'vitest'
import { buttonAction, buttonRows, formToJson, initialValues, isHttpUrl, maskSecret, moveField, newField, normaliseApiBase, parseForm, tryParseForm, validateForm, validateValues } from '../../../src/renderer/src/lib/yunhu'
import { htmlToText, previewSegments } from '../../../src/renderer/src/lib/segments'
import en from '../../../src/renderer/src/i18n/en'
import zh from '../../../src/renderer/src/i18n/zh-CN'
import { createI18n } from 'vue-i18n'

const SEED = JSON.stringify([
  { id: 'pqkyru', key: 0, type: 'radio', title: 'Radio 单选框', props: [], propsValue: { label: '回复语言', options: '中文#English#日本語' } },
  { id: 'xmmtbi', key: 1, type: 'input', title: 'Input 输入框', props: [], propsValue: { defaultValue: '小湖', label: '机器人昵称', placeholder: '怎么称呼' } },
  { id: 'vnafdx', key: 2, type: 'switch', title: 'Switch 开关', props: [], propsValue: { defaultValue: '1', label: '欢迎新成员' } },
  { id: 'sdudlm', key: 3, type: 'checkbox', title: 'Checkbox 多选框', props: [], propsValue: { label: '订阅内容', options: '新闻#天气#股票', defaultValue: '天气' } },
  { id: 'qievxs', key: 4, type: 'textarea', title: 'textarea', props: [], propsValue: { label: '欢迎语', placeholder: '文字', extra: 'kept' } },
  { id: 'pzdslt', key: 5, type: 'select', title: 'Select 选择器', props: [], propsValue: { label: '城市', options: '北京# 上海 #天津#' } }
])

describe('settings form', () => {
  it('parses every type, splits options on #, and round-trips through formToJson', () => {
    const f = parseForm(SEED)
    expect(f.fields.map((x) => x.type)).toEqual(['radio', 'input', 'switch', 'checkbox', 'textarea', 'select'])
    const sel = f.fields[5]!
    expect('options' in sel && sel.options).toEqual(['北京', '上海', '天津'])
    expect(f.fields[2]!.type === 'switch' && f.fields[2]!.defaultValue).toBe(true)
    expect(parseForm(formToJson(f))).toEqual(f)
    expect(JSON.parse(formToJson(f))[4].propsValue.extra).toBe('kept')
  })
  it('says in words what is wrong with bad JSON', () => {
    expect(tryParseForm('[{').error).toMatch(/JSON/)
    expect(tryParseForm('{"a":1}').error).toMatch(/list/)
    expect(tryParseForm('[{"id":"a","type":"slider"}]').error).toMatch(/slider/)
    expect(tryParseForm('[{"id":"a","type":"input"},{"id":"a","type":"input"}]').error).toMatch(/two items/i)
    expect(parseForm('')).toEqual({ fields: [] })
  })
  it('validates the builder form and reorders with keys renumbered', () => {
    const f = parseForm(SEED)
    expect(validateForm(f)).toEqual([])
    const added = { fields: [...f.fields, newField('radio', 6, f.fields.map((x) => x.id))] }
    expect(validateForm(added).map((i) => i.message).join(' ')).toMatch(/label|option/)
    const moved = moveField(f, 5, 0)
    expect(moved.fields[0]!.id).toBe('pzdslt')
    expect(moved.fields.map((x) => x.key)).toEqual([0, 1, 2, 3, 4, 5])
  })
  it('starts from saved values that fit, else defaults, and validates values', () => {
    const f = parseForm(SEED)
    const v = initialValues(f, { pqkyru: 'English', pzdslt: '纽约', sdudlm: ['股票', '外星'] })
    expect(v).toMatchObject({ pqkyru: 'English', xmmtbi: '小湖', vnafdx: true, sdudlm: ['股票'], qievxs: '', pzdslt: '' })
    expect(validateValues(f, v)).toEqual([])
    expect(validateValues(f, { ...v, pqkyru: '法语' })[0]!.id).toBe('pqkyru')
  })
})

describe('buttons, URLs, secrets', () => {
  it('maps actionType per the facts file: 1 open url, 2 copy value, 3 report', () => {
    expect(buttonAction({ text: 'a', actionType: 1, url: 'https://x.y' })).toEqual({ kind: 'open', url: 'https://x.y' })
    expect(buttonAction({ text: 'b', actionType: 2, value: 'v' })).toEqual({ kind: 'copy', value: 'v' })
    expect(buttonAction({ text: 'c', actionType: 3, value: 'r' })).toEqual({ kind: 'report', value: 'r' })
    expect(buttonRows({ rows: [[{ text: 'x', actionType: '3', value: 1 }], 'junk', []] })).toEqual([[{ text: 'x', actionType: 3, url: undefined, value: '1' }]])
  })
  it('accepts only http(s) links and hides secrets but the last 4 characters', () => {
    expect(isHttpUrl('https://example.com/hook')).toBe(true)
    expect(isHttpUrl('javascript:alert(1)')).toBe(false)
    expect(isHttpUrl('ftp://example.com')).toBe(false)
    expect(normaliseApiBase('127.0.0.1:8787/')).toBe('https://127.0.0.1:8787')
    expect(normaliseApiBase('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787')
    expect(maskSecret('abcdef0123456789')).toMatch(/^•+6789$/)
    expect(maskSecret('abcdef0123456789')).not.toContain('abcdef')
  })
  it('previews Yunhu segments without running their HTML', () => {
    expect(htmlToText('<p>a <b>b</b></p><script>x()</script>&amp;')).toBe('a b &')
    expect(previewSegments([{ type: 'markdown', data: { text: '**hi**' } }, { type: 'buttons', data: { rows: [] } }])).toBe('**hi**')
  })
})

describe('i18n', () => {
  it('every en and zh-CN message compiles (no stray @ or |)', () => {
    const i18n = createI18n({ legacy: false, locale: 'en', messages: { en, 'zh-CN': zh } })
    const walk = (o: Record<string, unknown>, path: string[]): string[] => Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [[...path, k].join('.')] : walk(v as Record<string, unknown>, [...path, k])))
    for (const loc of ['en', 'zh-CN'] as const) {
      i18n.global.locale.value = loc
      for (const key of walk(en as unknown as Record<string, unknown>, [])) expect(() => i18n.global.t(key, { n: 1, name: 'x', id: 'x', group: 'g', label: 'l', time: 't', date: 'd', text: 't', value: 'v', err: 'e', q: 'q', s: 1, ms: 1, v: '1', model: 'm', type: 't', key: 'k' })).not.toThrow()
    }
  })
})
