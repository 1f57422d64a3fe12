/**
 * Pure Yunhu (云湖) helpers for the renderer: the bot settings form (parse a `settingJson` string,
 * serialise it back, validate values), buttons, URLs and masking. The form logic mirrors the core's
 * settings-schema so the console can show a bot's raw `settingJson` and edit it without a round trip.
 */
import type { YunhuSettingsField, YunhuSettingsForm, YunhuSettingsIssue, YunhuSettingsProp, YunhuSettingsType, YunhuSettingsValues } from '@shared/yunhu-api'
import type { YunhuButton } from '@shared/yunhu'

/** The six item types a group admin fills in (plus `label`, display only). */
export const FORM_TYPES = ['radio', 'input', 'switch', 'checkbox', 'textarea', 'select'] as const
export const ALL_FORM_TYPES: readonly YunhuSettingsType[] = ['label', ...FORM_TYPES]

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined)

/** Splits an options string on "#" (trimmed, empty entries dropped). */
export function splitOptions(s: string): string[] {
  return s
    .split('#')
    .map((o) => o.trim())
    .filter((o) => o !== '')
}

const TITLES: Record<YunhuSettingsType, string> = {
  label: 'Label 标签',
  radio: 'Radio 单选框',
  input: 'Input 输入框',
  switch: 'Switch 开关',
  checkbox: 'Checkbox 多选框',
  textarea: 'textarea 多行输入框',
  select: 'Select 选择器'
}

/** The props list the Yunhu editor attaches to each item type (kept so a form round-trips). */
export function defaultProps(type: YunhuSettingsType): YunhuSettingsProp[] {
  const label = { name: '标签', type: 'label', value: '' }
  const options = { name: '选项', placeholder: '用#分割,如:北京#上海#天津', type: 'options', value: '' }
  switch (type) {
    case 'label':
      return [label]
    case 'input':
      return [label, { name: '默认内容', type: 'defaultValue', value: '' }, { name: '占位文本', type: 'placeholder', value: '' }]
    case 'textarea':
      return [label, { name: '占位文本', type: 'placeholder', value: '' }]
    case 'switch':
      return [label, { name: '默认状态', placeholder: '1:默认打开,0:默认关闭', type: 'defaultValue', value: '' }]
    default:
      return [label, options]
  }
}

/** A random item id in the editor's style (6 lowercase letters), unique within `taken`. */
export function newFieldId(taken: Iterable<string> = [], rnd: () => number = Math.random): string {
  const used = new Set(taken)
  for (;;) {
    let id = ''
    for (let i = 0; i < 6; i++) id += String.fromCharCode(97 + Math.floor(rnd() * 26))
    if (!used.has(id)) return id
  }
}

/** A new item of a type with empty props. */
export function newField(type: YunhuSettingsType, key: number, taken: Iterable<string> = []): YunhuSettingsField {
  const base = { id: newFieldId(taken), key, title: TITLES[type], label: '', props: defaultProps(type) }
  switch (type) {
    case 'label':
      return { ...base, type }
    case 'input':
    case 'textarea':
      return { ...base, type, defaultValue: '', placeholder: '' }
    case 'switch':
      return { ...base, type, defaultValue: false }
    case 'radio':
    case 'select':
      return { ...base, type, options: [], defaultValue: '' }
    case 'checkbox':
      return { ...base, type, options: [], defaultValue: [] }
  }
}

/** Changes an item's type, keeping its id, key and label (and options where both types have them). */
export function changeFieldType(f: YunhuSettingsField, type: YunhuSettingsType): YunhuSettingsField {
  const next = newField(type, f.key)
  const options = 'options' in f ? f.options : []
  const out = { ...next, id: f.id, label: f.label } as YunhuSettingsField
  if ('options' in out) out.options = [...options]
  return out
}

export class FormJsonError extends Error {}

/** Parses a settings form from its JSON string (or parsed list). Throws FormJsonError in words. */
export function parseForm(input: unknown): YunhuSettingsForm {
  let v: unknown = input
  if (typeof input === 'string') {
    if (!input.trim()) return { fields: [] }
    try {
      v = JSON.parse(input)
      if (typeof v === 'string' && /^\s*\[/.test(v)) v = JSON.parse(v)
    } catch (e) {
      throw new FormJsonError(`Not valid JSON: ${(e as Error).message}`)
    }
  }
  if (v === null || v === undefined) return { fields: [] }
  if (!Array.isArray(v)) throw new FormJsonError('The settings JSON must be a list of form items')
  const seen = new Set<string>()
  const fields = v.map((item, i): YunhuSettingsField => {
    const where = `Item ${i + 1}`
    if (!isObj(item)) throw new FormJsonError(`${where} must be an object`)
    const type = item.type
    if (typeof type !== 'string' || !(ALL_FORM_TYPES as readonly string[]).includes(type)) {
      throw new FormJsonError(`${where} has type ${JSON.stringify(type)}; expected one of ${FORM_TYPES.join(', ')}`)
    }
    const id = text(item.id)
    if (!id) throw new FormJsonError(`${where} has no id`)
    if (seen.has(id)) throw new FormJsonError(`Two items have the id "${id}"`)
    seen.add(id)
    const pvRaw = item.propsValue ?? {}
    if (!isObj(pvRaw)) throw new FormJsonError(`${where}: propsValue must be an object`)
    const pv: Record<string, string> = {}
    for (const [k, val] of Object.entries(pvRaw)) {
      const s = text(val)
      if (s !== undefined) pv[k] = s
    }
    const props: YunhuSettingsProp[] = Array.isArray(item.props)
      ? item.props.filter(isObj).map((p) => {
          const out: YunhuSettingsProp = { name: text(p.name) ?? '', type: text(p.type) ?? '', value: text(p.value) ?? '' }
          const ph = text(p.placeholder)
          if (ph !== undefined) out.placeholder = ph
          return out
        })
      : defaultProps(type as YunhuSettingsType)
    const known = new Set(['label', 'options', 'defaultValue', 'placeholder'])
    const extra: Record<string, string> = {}
    for (const [k, val] of Object.entries(pv)) if (!known.has(k)) extra[k] = val
    const key = typeof item.key === 'number' ? item.key : i
    const base = { id, key, title: text(item.title) ?? TITLES[type as YunhuSettingsType], label: pv.label ?? '', props, ...(Object.keys(extra).length ? { extraProps: extra } : {}) }
    switch (type as YunhuSettingsType) {
      case 'label':
        return { ...base, type: 'label' }
      case 'input':
      case 'textarea':
        return { ...base, type: type as 'input' | 'textarea', defaultValue: pv.defaultValue ?? '', placeholder: pv.placeholder ?? '' }
      case 'switch':
        return { ...base, type: 'switch', defaultValue: /^\s*(1|true|on)\b/i.test(pv.defaultValue ?? '') }
      case 'radio':
      case 'select':
        return { ...base, type: type as 'radio' | 'select', options: splitOptions(pv.options ?? ''), defaultValue: (pv.defaultValue ?? '').trim() }
      case 'checkbox':
        return { ...base, type: 'checkbox', options: splitOptions(pv.options ?? ''), defaultValue: splitOptions(pv.defaultValue ?? '') }
    }
  })
  return { fields }
}

export function tryParseForm(input: unknown): { form: YunhuSettingsForm; error?: undefined } | { form?: undefined; error: string } {
  try {
    return { form: parseForm(input) }
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) }
  }
}

/** Problems that stop a form from being saved (ids, labels, options). */
export function validateForm(form: YunhuSettingsForm): YunhuSettingsIssue[] {
  const issues: YunhuSettingsIssue[] = []
  const seen = new Set<string>()
  form.fields.forEach((f, i) => {
    const name = f.label || `#${i + 1}`
    if (!f.id.trim()) issues.push({ id: f.id, message: `Item ${i + 1} has no id` })
    else if (seen.has(f.id)) issues.push({ id: f.id, message: `Two items have the id "${f.id}"` })
    seen.add(f.id)
    if (!f.label.trim()) issues.push({ id: f.id, message: `Item ${i + 1} needs a label` })
    if ('options' in f) {
      if (!f.options.length) issues.push({ id: f.id, message: `"${name}" needs at least one option` })
      if (new Set(f.options).size !== f.options.length) issues.push({ id: f.id, message: `"${name}" lists an option twice` })
      if (f.options.some((o) => o.includes('#'))) issues.push({ id: f.id, message: `An option of "${name}" contains "#", the separator` })
      if (f.type !== 'checkbox' && f.defaultValue && !f.options.includes(f.defaultValue)) issues.push({ id: f.id, message: `The default of "${name}" is not one of its options` })
      if (f.type === 'checkbox' && f.defaultValue.some((o) => !f.options.includes(o))) issues.push({ id: f.id, message: `A default of "${name}" is not one of its options` })
    }
  })
  return issues
}

/** The form as the item list Yunhu stores (`settingJson`), pretty-printed. */
export function formToJson(form: YunhuSettingsForm, indent = 2): string {
  const items = form.fields.map((f, i) => {
    const pv: Record<string, string> = { ...(f.extraProps ?? {}), label: f.label }
    if (f.type === 'input' || f.type === 'textarea') {
      pv.defaultValue = f.defaultValue
      pv.placeholder = f.placeholder
    } else if (f.type === 'switch') pv.defaultValue = f.defaultValue ? '1' : '0'
    else if (f.type === 'radio' || f.type === 'select') {
      pv.options = f.options.join('#')
      pv.defaultValue = f.defaultValue
    } else if (f.type === 'checkbox') {
      pv.options = f.options.join('#')
      pv.defaultValue = f.defaultValue.join('#')
    }
    return { id: f.id, key: i, type: f.type, title: f.title, props: f.props, propsValue: pv }
  })
  return JSON.stringify(items, null, indent)
}

/** Keys renumbered to positions (after a reorder). */
export function renumber(form: YunhuSettingsForm): YunhuSettingsForm {
  return { fields: form.fields.map((f, i) => ({ ...f, key: i })) }
}

export function moveField(form: YunhuSettingsForm, from: number, to: number): YunhuSettingsForm {
  if (to < 0 || to >= form.fields.length || from === to) return form
  const fields = form.fields.slice()
  const [f] = fields.splice(from, 1)
  fields.splice(to, 0, f!)
  return renumber({ fields })
}

/** Starting values: saved ones where they fit the form, else defaults. */
export function initialValues(form: YunhuSettingsForm, saved: YunhuSettingsValues = {}): YunhuSettingsValues {
  const out: YunhuSettingsValues = {}
  for (const f of form.fields) {
    const s = saved[f.id]
    switch (f.type) {
      case 'label':
        break
      case 'input':
      case 'textarea':
        out[f.id] = typeof s === 'string' ? s : f.defaultValue
        break
      case 'switch':
        out[f.id] = typeof s === 'boolean' ? s : f.defaultValue
        break
      case 'radio':
      case 'select':
        out[f.id] = typeof s === 'string' && f.options.includes(s) ? s : f.options.includes(f.defaultValue) ? f.defaultValue : ''
        break
      case 'checkbox':
        out[f.id] = Array.isArray(s) ? s.filter((o) => f.options.includes(o)) : f.defaultValue.filter((o) => f.options.includes(o))
        break
    }
  }
  return out
}

/** Value problems a group admin can fix (text too long, an option that is not offered). */
export function validateValues(form: YunhuSettingsForm, values: YunhuSettingsValues, maxText = 2000): YunhuSettingsIssue[] {
  const issues: YunhuSettingsIssue[] = []
  for (const f of form.fields) {
    const v = values[f.id]
    const name = f.label || f.id
    if (f.type === 'input' || f.type === 'textarea') {
      if (typeof v !== 'string') issues.push({ id: f.id, message: `"${name}" takes text` })
      else if (v.length > maxText) issues.push({ id: f.id, message: `"${name}" is longer than ${maxText} characters` })
    } else if (f.type === 'radio' || f.type === 'select') {
      if (typeof v !== 'string' || (v !== '' && !f.options.includes(v))) issues.push({ id: f.id, message: `"${name}": pick one of the options` })
    } else if (f.type === 'checkbox') {
      if (!Array.isArray(v) || v.some((o) => !f.options.includes(o))) issues.push({ id: f.id, message: `"${name}": pick among the options` })
    } else if (f.type === 'switch' && typeof v !== 'boolean') issues.push({ id: f.id, message: `"${name}" is on or off` })
  }
  return issues
}

/** True for an absolute http(s) URL with a host. */
export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s.trim())
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname
  } catch {
    return false
  }
}

/** "abcd…wxyz" style mask that never reveals more than the last 4 characters. */
export function maskSecret(s: string): string {
  if (!s) return ''
  return '•'.repeat(Math.min(12, Math.max(8, s.length - 4))) + s.slice(-4)
}

/** Normalises a `buttons` segment's rows (unknown shapes dropped). */
export function buttonRows(data: unknown): YunhuButton[][] {
  const rows = isObj(data) ? data.rows : undefined
  if (!Array.isArray(rows)) return []
  return rows
    .map((r) => (Array.isArray(r) ? r : [r]))
    .map((r) =>
      r.filter(isObj).map((b) => ({ text: text(b.text) ?? '', actionType: Number(b.actionType) || 0, url: text(b.url), value: text(b.value) }))
    )
    .filter((r) => r.length > 0)
}

export type ButtonAction = { kind: 'open'; url: string } | { kind: 'copy'; value: string } | { kind: 'report'; value: string }

/**
 * What a click on a button does, per the facts file: actionType 1 opens `url`, 2 copies `value`,
 * 3 reports the click (button-report with `value`). Other values: a URL opens, else the click is reported.
 */
export function buttonAction(b: YunhuButton): ButtonAction {
  if (b.actionType === 1 && b.url) return { kind: 'open', url: b.url }
  if (b.actionType === 2) return { kind: 'copy', value: b.value ?? b.text }
  if (b.actionType === 3) return { kind: 'report', value: b.value ?? '' }
  if (b.url) return { kind: 'open', url: b.url }
  return { kind: 'report', value: b.value ?? '' }
}

/** API base URL: trims, adds https:// when no scheme, drops a trailing slash. '' when invalid. */
export function normaliseApiBase(s: string): string {
  let v = s.trim()
  if (!v) return ''
  if (!/^[a-z]+:\/\//i.test(v)) v = `https://${v}`
  if (!isHttpUrl(v)) return ''
  return v.replace(/\/+$/, '')
}
