/**
 * The JSON strings Yunhu bots carry, in one pure module shared by main (src/core/protocols/yunhu/
 * settings-schema.ts, which turns errors into TransportErrors) and the renderer (the form builder and
 * the group settings dialog): the settings form schema (`settingJson` of a bot, `settingsJson` of
 * get-user-settings-json), the per-group saved values, and the LLM `mcpJson`, `paramJson` and `params`
 * template. No Node or DOM imports. Every failure is a YunhuSettingsFormatError whose message says in
 * words what is wrong (never a crash on bad input).
 *
 * Form items (docs/protocol/yunhu-seed.txt, get-user-settings-json):
 *   { id, key, title, type, props: [{name, type, value, placeholder?}], propsValue: {label, options?, defaultValue?, placeholder?} }
 * with type one of label, input, radio, checkbox, select, switch, textarea; options split on "#".
 *
 * Per-group saved settings are the form's item list with a `value` on each item: a string (input,
 * textarea, radio, select; those two also get `selectIndex`/`selectValue`), a boolean (switch) or a
 * string list (checkbox). parseSettingsValues also
 * reads `{id: {id, type, value}}` (the shape bots get in their setting event) and `{id: value}` maps.
 */
import {
  YUNHU_SETTINGS_TYPES,
  type YunhuLlmParam,
  type YunhuSettingsField,
  type YunhuSettingsForm,
  type YunhuSettingsIssue,
  type YunhuSettingsProp,
  type YunhuSettingsType,
  type YunhuSettingsValue,
  type YunhuSettingsValues
} from './yunhu-api'

/** A settings string or form that is not valid; `what` names the string, e.g. "settingJson". */
export class YunhuSettingsFormatError extends Error {
  override readonly name: string = 'YunhuSettingsFormatError'
  /** Which string failed, e.g. "settingJson". */
  readonly what: string
  readonly issues: YunhuSettingsIssue[]
  constructor(what: string, message: string, issues: YunhuSettingsIssue[] = []) {
    super(message)
    this.what = what
    this.issues = issues
  }
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`)

/**
 * JSON.parse with an error in words. Empty/blank input gives `empty`. A JSON string that itself
 * holds JSON (double-escaped, as some servers send) is parsed once more.
 */
export function parseJsonString(input: unknown, what: string, empty: unknown): unknown {
  if (input === undefined || input === null) return empty
  if (typeof input !== 'string') return input // already parsed (e.g. settingsJson sent as an array)
  if (input.trim() === '') return empty
  let v: unknown
  try {
    v = JSON.parse(input)
  } catch (e) {
    throw new YunhuSettingsFormatError(what, `The ${what} is not valid JSON (${(e as Error).message})`)
  }
  if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
    try {
      v = JSON.parse(v)
    } catch (e) {
      throw new YunhuSettingsFormatError(what, `The ${what} holds a string that is not valid JSON (${(e as Error).message})`)
    }
  }
  return v
}

// ------------------------------------------------------------------------------------ form

/** propsValue keys each type reads into typed fields. */
const TYPED_KEYS: Record<YunhuSettingsType, readonly string[]> = {
  label: ['label'],
  input: ['label', 'defaultValue', 'placeholder'],
  textarea: ['label', 'defaultValue', 'placeholder'],
  switch: ['label', 'defaultValue'],
  radio: ['label', 'options', 'defaultValue'],
  select: ['label', 'options', 'defaultValue'],
  checkbox: ['label', 'options', 'defaultValue']
}

/** Splits an options string on "#" (trimmed, empty entries dropped). */
export function splitOptions(s: string): string[] {
  return s
    .split('#')
    .map((o) => o.trim())
    .filter((o) => o !== '')
}

function switchDefault(s: string): boolean {
  return /^\s*(1|true|on)(?![0-9a-z])/i.test(s)
}

function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return undefined
}

/**
 * What an item without a `title` or without `props` gets. The core leaves them empty; the renderer's
 * form builder fills in what the Yunhu editor would attach to an item of that type.
 */
export interface SettingsFormDefaults {
  title(type: YunhuSettingsType): string
  props(type: YunhuSettingsType): YunhuSettingsProp[]
}

const EMPTY_DEFAULTS: SettingsFormDefaults = { title: () => '', props: () => [] }

function parseProps(raw: unknown, where: string, what: string, missing: () => YunhuSettingsProp[]): YunhuSettingsProp[] {
  if (raw === undefined || raw === null) return missing()
  if (!Array.isArray(raw)) throw new YunhuSettingsFormatError(what, `The ${what}: ${where}.props must be a list, got ${describe(raw)}`)
  return raw.map((p, i) => {
    if (!isObj(p)) throw new YunhuSettingsFormatError(what, `The ${what}: ${where}.props[${i}] must be an object, got ${describe(p)}`)
    const out: YunhuSettingsProp = {
      name: scalarString(p.name) ?? '',
      type: scalarString(p.type) ?? '',
      value: scalarString(p.value) ?? ''
    }
    const ph = scalarString(p.placeholder)
    if (ph !== undefined) out.placeholder = ph
    return out
  })
}

function parseField(item: unknown, index: number, what: string, defaults: SettingsFormDefaults): YunhuSettingsField {
  const where = `item ${index + 1}`
  if (!isObj(item)) throw new YunhuSettingsFormatError(what, `The ${what}: ${where} must be an object, got ${describe(item)}`)
  const type = item.type
  if (typeof type !== 'string' || !(YUNHU_SETTINGS_TYPES as readonly string[]).includes(type)) {
    throw new YunhuSettingsFormatError(
      what,
      `The ${what}: ${where} has type ${JSON.stringify(type)}, expected one of ${YUNHU_SETTINGS_TYPES.join(', ')}`
    )
  }
  const t = type as YunhuSettingsType
  const id = scalarString(item.id)
  if (!id) throw new YunhuSettingsFormatError(what, `The ${what}: ${where} (${t}) has no id`)
  const key = typeof item.key === 'number' && Number.isFinite(item.key) ? item.key : typeof item.key === 'string' && /^\d+$/.test(item.key) ? Number(item.key) : index
  const pvRaw = item.propsValue ?? {}
  if (!isObj(pvRaw)) throw new YunhuSettingsFormatError(what, `The ${what}: ${where}.propsValue must be an object, got ${describe(pvRaw)}`)
  const pv: Record<string, string> = {}
  for (const [k, v] of Object.entries(pvRaw)) {
    const s = scalarString(v)
    if (s !== undefined) pv[k] = s
    else if (v !== null && v !== undefined) throw new YunhuSettingsFormatError(what, `The ${what}: ${where}.propsValue.${k} must be text, got ${describe(v)}`)
  }
  const extra: Record<string, string> = {}
  for (const k of Object.keys(pv)) if (!TYPED_KEYS[t].includes(k)) extra[k] = pv[k]
  const base = {
    id,
    key,
    title: scalarString(item.title) ?? defaults.title(t),
    label: pv.label ?? '',
    props: parseProps(item.props, where, what, () => defaults.props(t)),
    ...(Object.keys(extra).length ? { extraProps: extra } : {})
  }
  switch (t) {
    case 'label':
      return { ...base, type: t }
    case 'input':
    case 'textarea':
      return { ...base, type: t, defaultValue: pv.defaultValue ?? '', placeholder: pv.placeholder ?? '' }
    case 'switch':
      return { ...base, type: t, defaultValue: switchDefault(pv.defaultValue ?? '') }
    case 'radio':
    case 'select':
      return { ...base, type: t, options: splitOptions(pv.options ?? ''), defaultValue: (pv.defaultValue ?? '').trim() }
    case 'checkbox':
      return { ...base, type: t, options: splitOptions(pv.options ?? ''), defaultValue: splitOptions(pv.defaultValue ?? '') }
  }
}

/**
 * Parses a settings form schema (a JSON string, or the already-parsed array). Empty input is an
 * empty form. Throws YunhuSettingsFormatError in words on invalid JSON or a malformed item.
 * Items without a title or props get `defaults` (empty unless given).
 */
export function parseSettingsForm(input: unknown, what = 'settingJson', defaults: SettingsFormDefaults = EMPTY_DEFAULTS): YunhuSettingsForm {
  const v = parseJsonString(input, what, [])
  if (!Array.isArray(v)) throw new YunhuSettingsFormatError(what, `The ${what} must be a list of form items, got ${describe(v)}`)
  const fields = v.map((item, i) => parseField(item, i, what, defaults))
  const seen = new Set<string>()
  for (const f of fields) {
    if (seen.has(f.id)) throw new YunhuSettingsFormatError(what, `The ${what} has two items with the id "${f.id}"`)
    seen.add(f.id)
  }
  return { fields }
}

/** Like parseSettingsForm, but returns the error instead of throwing. */
export function tryParseSettingsForm(
  input: unknown,
  what = 'settingJson',
  defaults: SettingsFormDefaults = EMPTY_DEFAULTS
): { form: YunhuSettingsForm; error?: undefined } | { form?: undefined; error: string } {
  try {
    return { form: parseSettingsForm(input, what, defaults) }
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) }
  }
}

/** Problems that would stop a form from round-tripping through its string form. */
export function validateSettingsForm(form: YunhuSettingsForm): YunhuSettingsIssue[] {
  const issues: YunhuSettingsIssue[] = []
  const seen = new Set<string>()
  if (!isObj(form) || !Array.isArray(form.fields)) return [{ id: '', message: 'The form must be an object with a list of fields' }]
  form.fields.forEach((f, i) => {
    const id = typeof f?.id === 'string' ? f.id : ''
    if (!id) issues.push({ id: '', message: `Field ${i + 1} has no id` })
    else if (seen.has(id)) issues.push({ id, message: `Two fields have the id "${id}"` })
    seen.add(id)
    if (!(YUNHU_SETTINGS_TYPES as readonly string[]).includes(f?.type)) {
      issues.push({ id, message: `Field "${id}" has the unknown type ${JSON.stringify(f?.type)}` })
      return
    }
    if ('options' in f) {
      f.options.forEach((o) => {
        if (o.includes('#')) issues.push({ id, message: `Option "${o}" of "${id}" contains "#", the option separator` })
        else if (o.trim() !== o || o === '') issues.push({ id, message: `Option ${JSON.stringify(o)} of "${id}" is empty or has surrounding spaces` })
      })
    }
    if (f.type === 'checkbox' && f.defaultValue.some((o) => o.includes('#'))) issues.push({ id, message: `A default of "${id}" contains "#"` })
  })
  return issues
}

/**
 * Everything validateSettingsForm finds, plus what stops the form builder from saving a form: an id
 * of spaces only, an item without a label, a choice item without options or listing one twice, a
 * default that is not one of the item's options.
 */
export function validateSettingsFormForSave(form: YunhuSettingsForm): YunhuSettingsIssue[] {
  const issues = validateSettingsForm(form)
  if (!isObj(form) || !Array.isArray(form.fields)) return issues
  form.fields.forEach((f, i) => {
    const name = f.label || `#${i + 1}`
    if (f.id && !f.id.trim()) issues.push({ id: f.id, message: `Item ${i + 1} has no id` })
    if (!f.label.trim()) issues.push({ id: f.id, message: `Item ${i + 1} needs a label` })
    if ('options' in f) {
      if (!f.options.length) issues.push({ id: f.id, message: `"${name}" needs at least one option` })
      if (new Set(f.options).size !== f.options.length) issues.push({ id: f.id, message: `"${name}" lists an option twice` })
      if (f.type !== 'checkbox' && f.defaultValue && !f.options.includes(f.defaultValue)) issues.push({ id: f.id, message: `The default of "${name}" is not one of its options` })
      if (f.type === 'checkbox' && f.defaultValue.some((o) => !f.options.includes(o))) issues.push({ id: f.id, message: `A default of "${name}" is not one of its options` })
    }
  })
  return issues
}

export type YunhuSettingsFormItem = {
  id: string
  key: number
  props: YunhuSettingsProp[]
  propsValue: Record<string, string>
  title: string
  type: string
  value?: YunhuSettingsValue
  selectIndex?: number
  selectValue?: string
}

/** The form as the item list Yunhu stores, without checking it (see serializeSettingsForm). */
export function settingsFormItems(form: YunhuSettingsForm): YunhuSettingsFormItem[] {
  return form.fields.map((f) => {
    const pv: Record<string, string> = { ...(f.extraProps ?? {}), label: f.label }
    switch (f.type) {
      case 'label':
        break
      case 'input':
      case 'textarea':
        pv.defaultValue = f.defaultValue
        pv.placeholder = f.placeholder
        break
      case 'switch':
        pv.defaultValue = f.defaultValue ? '1' : '0'
        break
      case 'radio':
      case 'select':
        pv.options = f.options.join('#')
        pv.defaultValue = f.defaultValue
        break
      case 'checkbox':
        pv.options = f.options.join('#')
        pv.defaultValue = f.defaultValue.join('#')
        break
    }
    return { id: f.id, key: f.key, props: f.props, propsValue: pv, title: f.title, type: f.type }
  })
}

function formItems(form: YunhuSettingsForm): YunhuSettingsFormItem[] {
  const issues = validateSettingsForm(form)
  if (issues.length) throw new YunhuSettingsFormatError('settings form', `The settings form is invalid: ${issues.map((i) => i.message).join('; ')}`, issues)
  return settingsFormItems(form)
}

/** The settings form back to its JSON string (the shape the seed shows). Throws on an invalid form. */
export function serializeSettingsForm(form: YunhuSettingsForm): string {
  return JSON.stringify(formItems(form))
}

// ------------------------------------------------------------------------------------ values

/** The value each field starts with (labels have none). */
export function defaultSettingsValues(form: YunhuSettingsForm): YunhuSettingsValues {
  return initialSettingsValues(form)
}

/** Starting values: saved ones where they fit the form, else the defaults (labels have none). */
export function initialSettingsValues(form: YunhuSettingsForm, saved: YunhuSettingsValues = {}): YunhuSettingsValues {
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

/** Checks values against the form: known ids, the right type per field, options from the list. */
export function validateSettingsValues(form: YunhuSettingsForm, values: YunhuSettingsValues): YunhuSettingsIssue[] {
  const issues: YunhuSettingsIssue[] = []
  if (!isObj(values)) return [{ id: '', message: `The values must be an object keyed by field id, got ${describe(values)}` }]
  const byId = new Map(form.fields.map((f) => [f.id, f]))
  for (const [id, v] of Object.entries(values)) {
    const f = byId.get(id)
    if (!f) {
      issues.push({ id, message: `There is no setting with the id "${id}"` })
      continue
    }
    const name = f.label || f.title || id
    switch (f.type) {
      case 'label':
        issues.push({ id, message: `"${name}" is a label and takes no value` })
        break
      case 'input':
      case 'textarea':
        if (typeof v !== 'string') issues.push({ id, message: `"${name}" takes text, got ${describe(v)}` })
        break
      case 'switch':
        if (typeof v !== 'boolean') issues.push({ id, message: `"${name}" is a switch and takes true or false, got ${describe(v)}` })
        break
      case 'radio':
      case 'select':
        if (typeof v !== 'string') issues.push({ id, message: `"${name}" takes one option, got ${describe(v)}` })
        else if (v !== '' && !f.options.includes(v)) issues.push({ id, message: `"${v}" is not an option of "${name}" (${f.options.join(', ') || 'no options'})` })
        break
      case 'checkbox':
        if (!Array.isArray(v) || v.some((o) => typeof o !== 'string')) issues.push({ id, message: `"${name}" takes a list of options, got ${describe(v)}` })
        else {
          const bad = v.filter((o) => !f.options.includes(o))
          if (bad.length) issues.push({ id, message: `${bad.map((o) => `"${o}"`).join(', ')} ${bad.length > 1 ? 'are not options' : 'is not an option'} of "${name}"` })
          if (new Set(v).size !== v.length) issues.push({ id, message: `"${name}" lists an option twice` })
        }
        break
    }
  }
  return issues
}

/**
 * Everything validateSettingsValues finds, plus what a group admin must fix before saving the whole
 * form: a field without a value, text longer than `maxText`.
 */
export function validateAllSettingsValues(form: YunhuSettingsForm, values: YunhuSettingsValues, maxText = 2000): YunhuSettingsIssue[] {
  const issues = validateSettingsValues(form, values)
  if (!isObj(values)) return issues
  for (const f of form.fields) {
    if (f.type === 'label') continue
    const v = values[f.id]
    const name = f.label || f.title || f.id
    if (!Object.hasOwn(values, f.id)) issues.push({ id: f.id, message: `"${name}" has no value` })
    else if ((f.type === 'input' || f.type === 'textarea') && typeof v === 'string' && v.length > maxText) {
      issues.push({ id: f.id, message: `"${name}" is longer than ${maxText} characters` })
    }
  }
  return issues
}

/**
 * The per-group settings to save (send-setting-json): the form's item list (the seed calls it a
 * "设置json数组") with each item carrying its `value` (defaults filled in for missing fields; labels
 * carry none). Throws YunhuSettingsFormatError when the values do not fit the form.
 */
export function serializeSettingsValues(form: YunhuSettingsForm, values: YunhuSettingsValues): string {
  const issues = validateSettingsValues(form, values)
  if (issues.length) throw new YunhuSettingsFormatError('settings values', `The settings are invalid: ${issues.map((i) => i.message).join('; ')}`, issues)
  const all = { ...defaultSettingsValues(form), ...values }
  const items = formItems(form)
  form.fields.forEach((f, i) => {
    const v = all[f.id]
    if (f.type === 'label' || v === undefined) return
    items[i].value = v
    if ((f.type === 'radio' || f.type === 'select') && typeof v === 'string') {
      // Also in the selectIndex/selectValue form some clients save single choices in.
      items[i].selectIndex = f.options.indexOf(v)
      items[i].selectValue = v
    }
  })
  return JSON.stringify(items)
}

/** An item's saved value: `value`, or `selectValue` (radio/select items as some clients save them). */
function savedValue(item: Obj): unknown {
  if (item.value !== undefined && item.value !== null) return item.value
  if (typeof item.selectValue === 'string') return item.selectValue
  return undefined
}

function coerceValue(v: unknown): YunhuSettingsValue | undefined {
  if (typeof v === 'string' || typeof v === 'boolean') return v
  if (typeof v === 'number') return String(v)
  if (Array.isArray(v) && v.every((o) => typeof o === 'string')) return [...v]
  return undefined
}

/**
 * Reads saved values: `{id: {id, type, value}}`, `{id: value}`, or a list of items with `id` and
 * `value`. With a form, switch values "1"/"0" become booleans and checkbox strings split on "#".
 */
export function parseSettingsValues(input: unknown, form?: YunhuSettingsForm, what = 'saved settings'): YunhuSettingsValues {
  const v = parseJsonString(input, what, {})
  const out: YunhuSettingsValues = {}
  const put = (id: string, raw: unknown): void => {
    const c = coerceValue(raw)
    if (c === undefined) throw new YunhuSettingsFormatError(what, `The ${what}: the value of "${id}" is ${describe(raw)}, expected text, true/false or a list`)
    out[id] = c
  }
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (!isObj(item)) throw new YunhuSettingsFormatError(what, `The ${what}: item ${i + 1} must be an object, got ${describe(item)}`)
      const id = scalarString(item.id)
      const value = savedValue(item)
      if (id && value !== undefined) put(id, value)
    })
  } else if (isObj(v)) {
    for (const [id, entry] of Object.entries(v)) {
      if (isObj(entry)) {
        const value = savedValue(entry)
        if (value !== undefined) put(id, value)
      } else if (entry !== null && entry !== undefined) put(id, entry)
    }
  } else {
    throw new YunhuSettingsFormatError(what, `The ${what} must be an object or a list, got ${describe(v)}`)
  }
  if (form) {
    for (const f of form.fields) {
      const cur = out[f.id]
      if (cur === undefined) continue
      if (f.type === 'switch' && typeof cur === 'string') out[f.id] = switchDefault(cur)
      if (f.type === 'checkbox' && typeof cur === 'string') out[f.id] = splitOptions(cur)
    }
  }
  return out
}

// ------------------------------------------------------------------------------------ LLM JSON

/** `mcpJson` of the LLM settings: an object ("" → {}). */
export function parseMcpJson(input: unknown): Record<string, unknown> {
  const v = parseJsonString(input, 'mcpJson', {})
  if (!isObj(v)) throw new YunhuSettingsFormatError('mcpJson', `The mcpJson must be a JSON object, got ${describe(v)}`)
  return v
}

/** `paramJson` of the LLM settings: an object or a list ("" → {}). */
export function parseParamJson(input: unknown): Record<string, unknown> | unknown[] {
  const v = parseJsonString(input, 'paramJson', {})
  if (!isObj(v) && !Array.isArray(v)) throw new YunhuSettingsFormatError('paramJson', `The paramJson must be a JSON object or list, got ${describe(v)}`)
  return v
}

/** `params` of an LLM model: the parameter template, a list of {name, type, …} ("" or null → []). */
export function parseLlmParamsTemplate(input: unknown): YunhuLlmParam[] {
  const v = parseJsonString(input, 'params template', [])
  if (!Array.isArray(v)) throw new YunhuSettingsFormatError('params template', `The params template must be a list, got ${describe(v)}`)
  return v.map((p, i) => {
    if (!isObj(p) || typeof p.name !== 'string') {
      throw new YunhuSettingsFormatError('params template', `The params template: entry ${i + 1} must be an object with a "name"`)
    }
    return { ...p, name: p.name, type: typeof p.type === 'string' ? p.type : 'input' }
  })
}
