import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  YunhuSettingsError,
  defaultSettingsValues,
  parseLlmParamsTemplate,
  parseMcpJson,
  parseParamJson,
  parseSettingsForm,
  parseSettingsValues,
  serializeSettingsForm,
  serializeSettingsValues,
  splitOptions,
  tryParseSettingsForm,
  validateSettingsForm,
  validateSettingsValues
} from '../../../src/core/protocols/yunhu/settings-schema'
import type { YunhuSettingsField, YunhuSettingsForm, YunhuSettingsValues } from '../../../src/shared/yunhu-api'

/** The settingsJson example of the seed (get-user-settings-json), verbatim in shape. */
const SEED_FORM = [
  {
    id: 'pqkyru',
    key: 0,
    props: [
      { name: '标签', type: 'label', value: '' },
      { name: '选项', placeholder: '用#分割,如:北京#上海#天津', type: 'options', value: '' }
    ],
    propsValue: { label: '标签', options: '用#分割,如:北京#上海#天津' },
    title: 'Radio 单选框',
    type: 'radio'
  },
  {
    id: 'xmmtbi',
    key: 1,
    props: [
      { name: '标签', type: 'label', value: '' },
      { name: '默认内容', type: 'defaultValue', value: '' },
      { name: '占位文本', type: 'placeholder', value: '' }
    ],
    propsValue: { defaultValue: '默认内容', label: '标签', placeholder: '占位文本' },
    title: 'Input 输入框',
    type: 'input'
  },
  {
    id: 'vnafdx',
    key: 2,
    props: [
      { name: '标签', type: 'label', value: '' },
      { name: '默认状态', placeholder: '1:默认打开,0:默认关闭', type: 'defaultValue', value: '' }
    ],
    propsValue: { defaultValue: '1:默认打开,0:默认关闭', label: '标签' },
    title: 'Switch 开关',
    type: 'switch'
  },
  {
    id: 'sdudlm',
    key: 3,
    props: [{ name: '标签', type: 'label', value: '' }],
    propsValue: { label: '标签', options: '用#分割,如:北京#上海#天津' },
    title: 'Checkbox 多选框',
    type: 'checkbox'
  },
  {
    id: 'qievxs',
    key: 4,
    props: [{ name: '标签', type: 'label', value: '' }],
    propsValue: { label: '标签', placeholder: '占位文本' },
    title: 'textarea 多行输入框',
    type: 'textarea'
  },
  {
    id: 'pzdslt',
    key: 5,
    props: [{ name: '标签', type: 'label', value: '' }],
    propsValue: { label: '标签', options: '北京#上海#天津' },
    title: 'Select 选择器',
    type: 'select'
  }
]

describe('parseSettingsForm', () => {
  it('reads the seed example: every type with its props, options split on #', () => {
    const form = parseSettingsForm(JSON.stringify(SEED_FORM))
    expect(form.fields.map((f) => [f.id, f.type, f.key])).toEqual([
      ['pqkyru', 'radio', 0],
      ['xmmtbi', 'input', 1],
      ['vnafdx', 'switch', 2],
      ['sdudlm', 'checkbox', 3],
      ['qievxs', 'textarea', 4],
      ['pzdslt', 'select', 5]
    ])
    const [radio, input, sw, checkbox, textarea, select] = form.fields as any[]
    expect(radio).toMatchObject({ title: 'Radio 单选框', label: '标签', options: ['用', '分割,如:北京', '上海', '天津'], defaultValue: '' })
    expect(radio.props[1]).toEqual({ name: '选项', placeholder: '用#分割,如:北京#上海#天津', type: 'options', value: '' })
    expect(input).toMatchObject({ label: '标签', defaultValue: '默认内容', placeholder: '占位文本' })
    expect(sw).toMatchObject({ defaultValue: true })
    expect(checkbox).toMatchObject({ defaultValue: [] })
    expect(textarea).toMatchObject({ placeholder: '占位文本', defaultValue: '' })
    expect(select).toMatchObject({ options: ['北京', '上海', '天津'] })
  })

  it('accepts an already-parsed array, a double-encoded string, and "" (empty form)', () => {
    expect(parseSettingsForm(SEED_FORM).fields).toHaveLength(6)
    expect(parseSettingsForm(JSON.stringify(JSON.stringify(SEED_FORM))).fields).toHaveLength(6)
    expect(parseSettingsForm('')).toEqual({ fields: [] })
    expect(parseSettingsForm('  ')).toEqual({ fields: [] })
    expect(parseSettingsForm(undefined)).toEqual({ fields: [] })
  })

  it('reads a label item and keeps unknown propsValue entries', () => {
    const f = parseSettingsForm([{ id: 'a', type: 'label', propsValue: { label: '说明', color: 'red' } }])
    expect(f.fields[0]).toEqual({ id: 'a', key: 0, title: '', label: '说明', props: [], extraProps: { color: 'red' }, type: 'label' })
  })

  it('invalid input is an error in words, never a crash', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['[{"id":', /^The settingJson is not valid JSON \(/],
      ['{}', /must be a list of form items, got an object/],
      ['[1]', /item 1 must be an object, got a number/],
      ['[{"id":"a","type":"slider"}]', /item 1 has type "slider", expected one of label, input, radio, checkbox, select, switch, textarea/],
      ['[{"type":"input"}]', /item 1 \(input\) has no id/],
      ['[{"id":"a","type":"input"},{"id":"a","type":"radio"}]', /two items with the id "a"/],
      ['[{"id":"a","type":"input","propsValue":[]}]', /propsValue must be an object, got an array/],
      ['[{"id":"a","type":"input","propsValue":{"label":{}}}]', /propsValue.label must be text/],
      ['[{"id":"a","type":"input","props":"x"}]', /props must be a list, got a string/],
      ['[{"id":"a","type":"input","props":[null]}]', /props\[0\] must be an object, got null/],
      ['"just text"', /must be a list of form items, got a string/]
    ]
    for (const [input, re] of cases) {
      let err: unknown
      try {
        parseSettingsForm(input)
      } catch (e) {
        err = e
      }
      expect(err, String(input)).toBeInstanceOf(YunhuSettingsError)
      expect((err as Error).message).toMatch(re)
      expect((err as YunhuSettingsError).kind).toBe('protocol')
    }
    expect(tryParseSettingsForm('nope').error).toMatch(/not valid JSON/)
    expect(tryParseSettingsForm('[]').form).toEqual({ fields: [] })
  })

  it('never throws anything but YunhuSettingsError on random strings and JSON values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify([v, { id: 'x', type: 'radio', propsValue: v }]))), (s) => {
        try {
          parseSettingsForm(s)
          parseSettingsValues(s)
        } catch (e) {
          if (!(e instanceof YunhuSettingsError)) throw e
        }
      }),
      { numRuns: 2000 }
    )
  })
})

// ------------------------------------------------------------------------------ generators

const text = fc.string({ maxLength: 12 })
const option = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes('#') && s.trim() === s && s !== '')
const options = fc.uniqueArray(option, { minLength: 0, maxLength: 5 })
const prop = fc.record({ name: text, type: fc.constantFrom('label', 'options', 'defaultValue', 'placeholder'), value: text }, { requiredKeys: ['name', 'type', 'value'] })
const propWithPlaceholder = fc.tuple(prop, fc.option(text, { nil: undefined })).map(([p, ph]) => (ph === undefined ? p : { ...p, placeholder: ph }))
const base = fc.record({
  title: text,
  label: text,
  props: fc.array(propWithPlaceholder, { maxLength: 3 }),
  extra: fc.option(fc.dictionary(fc.constantFrom('color', 'hint', 'unit'), text, { minKeys: 1 }), { nil: undefined })
})

const field: fc.Arbitrary<Omit<YunhuSettingsField, 'id' | 'key'>> = fc.oneof(
  base.map((b) => ({ type: 'label' as const, b })),
  fc.tuple(base, fc.constantFrom('input' as const, 'textarea' as const), text, text).map(([b, type, d, p]) => ({ type, b, defaultValue: d, placeholder: p })),
  fc.tuple(base, fc.boolean()).map(([b, d]) => ({ type: 'switch' as const, b, defaultValue: d })),
  fc.tuple(base, fc.constantFrom('radio' as const, 'select' as const), options, text).map(([b, type, o, d]) => ({ type, b, options: o, defaultValue: d.trim() })),
  fc.tuple(base, options, fc.array(option, { maxLength: 3 })).map(([b, o, d]) => ({ type: 'checkbox' as const, b, options: o, defaultValue: d }))
).map(({ b, ...rest }) => {
  const f: any = { ...rest, title: b.title, label: b.label, props: b.props }
  if (b.extra) f.extraProps = b.extra
  return f
})

const formArb: fc.Arbitrary<YunhuSettingsForm> = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 8 })
  .chain((ids) => fc.tuple(...ids.map(() => field)).map((fs) => ({ fields: fs.map((f, i) => ({ ...f, id: ids[i]!, key: i }) as YunhuSettingsField) })))

/** Values that fit a form: any subset of its value fields. */
function valuesArb(form: YunhuSettingsForm): fc.Arbitrary<YunhuSettingsValues> {
  const entries = form.fields
    .filter((f) => f.type !== 'label')
    .map((f) => {
      let v: fc.Arbitrary<any>
      if (f.type === 'switch') v = fc.boolean()
      else if (f.type === 'checkbox') v = fc.subarray(f.options)
      else if (f.type === 'radio' || f.type === 'select') v = f.options.length ? fc.constantFrom('', ...f.options) : fc.constant('')
      else v = text
      return fc.option(v.map((x) => [f.id, x] as const), { nil: undefined })
    })
  return fc.tuple(...entries).map((es) => Object.fromEntries(es.filter((e) => e !== undefined)))
}

describe('round trips (fast-check)', () => {
  it('parseSettingsForm(serializeSettingsForm(form)) = form', () => {
    fc.assert(
      fc.property(formArb, (form) => {
        expect(validateSettingsForm(form)).toEqual([])
        expect(parseSettingsForm(serializeSettingsForm(form))).toEqual(form)
      }),
      { numRuns: 500 }
    )
  })

  it('serialize is stable after one parse (string fixpoint)', () => {
    fc.assert(
      fc.property(formArb, (form) => {
        const s = serializeSettingsForm(form)
        expect(serializeSettingsForm(parseSettingsForm(s))).toBe(s)
      }),
      { numRuns: 300 }
    )
  })

  it('values fitting a form validate, and survive serialise → parse (defaults filled in)', () => {
    fc.assert(
      fc.property(
        formArb.chain((form) => valuesArb(form).map((values) => ({ form, values }))),
        ({ form, values }) => {
          expect(validateSettingsValues(form, values)).toEqual([])
          const s = serializeSettingsValues(form, values)
          // the saved string is still a valid form (the server checks it as one) ...
          expect(parseSettingsForm(s)).toEqual(form)
          // ... whose items carry the values
          expect(parseSettingsValues(s, form)).toEqual({ ...defaultSettingsValues(form), ...values })
        }
      ),
      { numRuns: 500 }
    )
  })

  it('splitOptions ∘ join("#") is the identity for valid options', () => {
    fc.assert(
      fc.property(options, (o) => {
        expect(splitOptions(o.join('#'))).toEqual(o)
      })
    )
  })
})

describe('values', () => {
  const form = parseSettingsForm(JSON.stringify(SEED_FORM))

  it('defaults: switch from "1…", option defaults only when listed, labels none', () => {
    const f2 = parseSettingsForm([
      { id: 'r', type: 'radio', propsValue: { options: 'a#b', defaultValue: 'b' } },
      { id: 'r2', type: 'select', propsValue: { options: 'a#b', defaultValue: 'z' } },
      { id: 'c', type: 'checkbox', propsValue: { options: 'a#b#c', defaultValue: 'c#z#a' } },
      { id: 's', type: 'switch', propsValue: { defaultValue: '0' } },
      { id: 'l', type: 'label' }
    ])
    expect(defaultSettingsValues(f2)).toEqual({ r: 'b', r2: '', c: ['c', 'a'], s: false })
  })

  it('validateSettingsValues reports each problem in words', () => {
    const issues = validateSettingsValues(form, {
      nope: 'x',
      pqkyru: '广州',
      xmmtbi: 3 as any,
      vnafdx: 'yes' as any,
      sdudlm: ['上海', '火星', '上海'],
      pzdslt: ['北京'] as any
    })
    expect(issues).toEqual([
      { id: 'nope', message: 'There is no setting with the id "nope"' },
      { id: 'pqkyru', message: '"广州" is not an option of "标签" (用, 分割,如:北京, 上海, 天津)' },
      { id: 'xmmtbi', message: '"标签" takes text, got a number' },
      { id: 'vnafdx', message: '"标签" is a switch and takes true or false, got a string' },
      { id: 'sdudlm', message: '"火星" is not an option of "标签"' },
      { id: 'sdudlm', message: '"标签" lists an option twice' },
      { id: 'pzdslt', message: '"标签" takes one option, got an array' }
    ])
    expect(validateSettingsValues(parseSettingsForm([{ id: 'l', type: 'label' }]), { l: 'x' })[0]!.message).toMatch(/is a label and takes no value/)
    expect(validateSettingsValues(form, [] as any)[0]!.message).toMatch(/must be an object keyed by field id/)
  })

  it('serializeSettingsValues refuses invalid values with the issues attached', () => {
    const err = (() => {
      try {
        serializeSettingsValues(form, { pzdslt: '广州' })
      } catch (e) {
        return e as YunhuSettingsError
      }
    })()
    expect(err).toBeInstanceOf(YunhuSettingsError)
    expect(err!.issues).toEqual([{ id: 'pzdslt', message: '"广州" is not an option of "标签" (北京, 上海, 天津)' }])
  })

  it('parseSettingsValues reads the event map, plain maps and item lists; coerces with a form', () => {
    expect(parseSettingsValues('{"a":{"id":"a","type":"radio","value":"x"},"b":{"id":"b","type":"switch","value":true}}')).toEqual({ a: 'x', b: true })
    expect(parseSettingsValues({ a: 'x', n: 3, c: ['p'] })).toEqual({ a: 'x', n: '3', c: ['p'] })
    expect(parseSettingsValues('[{"id":"a","value":"x"},{"id":"b"}]')).toEqual({ a: 'x' })
    expect(parseSettingsValues('[{"id":"r","type":"radio","selectIndex":1,"selectValue":"b"}]')).toEqual({ r: 'b' })
    expect(parseSettingsValues('{"vnafdx":"1","sdudlm":"上海#天津"}', form)).toEqual({ vnafdx: true, sdudlm: ['上海', '天津'] })
    expect(parseSettingsValues('')).toEqual({})
    expect(() => parseSettingsValues('{"a":{"value":{}}}')).toThrow(/the value of "a" is an object/)
    expect(() => parseSettingsValues('3')).toThrow(/must be an object or a list, got a number/)
    expect(() => parseSettingsValues('{oops', undefined, '--json value')).toThrow(/^The --json value is not valid JSON/)
  })

  it('serializeSettingsForm refuses forms that would not round-trip', () => {
    const bad: YunhuSettingsForm = { fields: [{ id: 'a', key: 0, type: 'radio', title: '', label: '', props: [], options: ['x#y'], defaultValue: '' }] }
    expect(() => serializeSettingsForm(bad)).toThrow(/contains "#", the option separator/)
    const dup: YunhuSettingsForm = { fields: [{ id: 'a', key: 0, type: 'label', title: '', label: '', props: [] }, { id: 'a', key: 1, type: 'label', title: '', label: '', props: [] }] }
    expect(() => serializeSettingsForm(dup)).toThrow(/Two fields have the id "a"/)
  })
})

describe('LLM JSON strings', () => {
  it('mcpJson: object, "" → {}, errors in words', () => {
    expect(parseMcpJson('{"mcpServers":{"x":{"url":"https://m"}}}')).toEqual({ mcpServers: { x: { url: 'https://m' } } })
    expect(parseMcpJson('')).toEqual({})
    expect(() => parseMcpJson('[]')).toThrow('The mcpJson must be a JSON object, got an array')
    expect(() => parseMcpJson('{')).toThrow(/^The mcpJson is not valid JSON/)
  })

  it('paramJson: object or list', () => {
    expect(parseParamJson('{"API Key":"k"}')).toEqual({ 'API Key': 'k' })
    expect(parseParamJson('[{"name":"API Key","value":"k"}]')).toEqual([{ name: 'API Key', value: 'k' }])
    expect(parseParamJson('')).toEqual({})
    expect(() => parseParamJson('1')).toThrow('The paramJson must be a JSON object or list, got a number')
  })

  it('params template of the model list', () => {
    expect(parseLlmParamsTemplate('[{"name": "API Key", "type": "input"}]')).toEqual([{ name: 'API Key', type: 'input' }])
    expect(parseLlmParamsTemplate(null)).toEqual([])
    expect(parseLlmParamsTemplate('[{"name":"Base"}]')).toEqual([{ name: 'Base', type: 'input' }])
    expect(() => parseLlmParamsTemplate('[{}]')).toThrow(/entry 1 must be an object with a "name"/)
    expect(() => parseLlmParamsTemplate('{"a":1}')).toThrow(/must be a list/)
  })
})
