/**
 * Pure Yunhu (云湖) helpers for the renderer: the form builder's item helpers, buttons, URLs and
 * masking. Parsing, serialising and validating the bot settings form and its values is
 * @shared/yunhu-settings (the same code the core runs); parseForm/formToJson add the editor's defaults.
 */
import type { YunhuSettingsField, YunhuSettingsForm, YunhuSettingsProp, YunhuSettingsType } from '@shared/yunhu-api'
import { parseSettingsForm, settingsFormItems, tryParseSettingsForm, type SettingsFormDefaults } from '@shared/yunhu-settings'

export {
  splitOptions,
  initialSettingsValues as initialValues,
  validateSettingsFormForSave as validateForm,
  validateAllSettingsValues as validateValues
} from '@shared/yunhu-settings'

/** The six item types a group admin fills in (plus `label`, display only). */
export const FORM_TYPES = ['radio', 'input', 'switch', 'checkbox', 'textarea', 'select'] as const


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

/** What an item without a title or props gets when parsed here: what the Yunhu editor attaches. */
const EDITOR_DEFAULTS: SettingsFormDefaults = { title: (type) => TITLES[type], props: defaultProps }

/** Parses a settings form from its JSON string (or parsed list); throws in words (shared parser, editor defaults). */
export function parseForm(input: unknown): YunhuSettingsForm {
  return parseSettingsForm(input, 'settingJson', EDITOR_DEFAULTS)
}

export function tryParseForm(input: unknown): { form: YunhuSettingsForm; error?: undefined } | { form?: undefined; error: string } {
  return tryParseSettingsForm(input, 'settingJson', EDITOR_DEFAULTS)
}

/** The form as the item list Yunhu stores (`settingJson`), keys numbered by position, pretty-printed. */
export function formToJson(form: YunhuSettingsForm, indent = 2): string {
  return JSON.stringify(settingsFormItems(renumber(form)), null, indent)
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
export { buttonAction, buttonRows, type ButtonAction } from '@shared/model/parts'

/** API base URL: trims, adds https:// when no scheme, drops a trailing slash. '' when invalid. */
export function normaliseApiBase(s: string): string {
  let v = s.trim()
  if (!v) return ''
  if (!/^[a-z]+:\/\//i.test(v)) v = `https://${v}`
  if (!isHttpUrl(v)) return ''
  return v.replace(/\/+$/, '')
}
