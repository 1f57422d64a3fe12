// Shared helpers for the Yunhu codec tests (not a test file itself).
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { yunhuFieldMeta } from '../../../src/core/protocols/yunhu/codec/generated/yunhu-meta.js'
import type { YunhuPushEvent } from '../../../src/shared/yunhu'

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/yunhu-fixtures/', import.meta.url))

export interface IndexEntry {
  name: string
  kind: string
  payload_kind: string | null
  category: string
  expect: 'ok' | 'ignore' | 'decode_error' | 'payload_decode_error'
}

export interface Fixture extends IndexEntry {
  bin: Uint8Array
  json: Record<string, any>
  /** The decoded object the fixture expects (the .json minus its metadata keys). */
  expected: Record<string, any>
}

const META_KEYS = new Set(['kind', 'payload_kind', 'category', 'expect', 'byte_length', 'sha256', 'extra', 'notes'])

export function loadIndex(): IndexEntry[] {
  return JSON.parse(readFileSync(FIXTURE_DIR + 'INDEX.json', 'utf8')) as IndexEntry[]
}

export function binNamesOnDisk(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => f.slice(0, -4))
    .sort()
}

export function loadFixtures(): Fixture[] {
  return loadIndex().map((e) => {
    const json = JSON.parse(readFileSync(`${FIXTURE_DIR}${e.name}.json`, 'utf8')) as Record<string, any>
    const expected: Record<string, any> = {}
    for (const [k, v] of Object.entries(json)) if (!META_KEYS.has(k)) expected[k] = v
    return { ...e, bin: new Uint8Array(readFileSync(`${FIXTURE_DIR}${e.name}.bin`)), json, expected }
  })
}

/** A decoded event in the fixtures' form: {info: {seq, cmd}, data: {type_url, value | value_base64}}. */
export function eventToFixtureForm(ev: YunhuPushEvent): Record<string, any> {
  const out: Record<string, any> = {}
  const info: Record<string, string> = {}
  if (ev.seq) info.seq = ev.seq
  if (ev.cmd) info.cmd = ev.cmd
  if (ev.seq || ev.cmd) out.info = info
  const data: Record<string, any> = {}
  if (ev.type_url !== undefined) data.type_url = ev.type_url
  if ('message' in ev) data.value = ev.message
  else if (ev.kind === 'unknown' && ev.value !== undefined) {
    data.value = null
    data.value_base64 = Buffer.from(ev.value).toString('base64')
  }
  if (Object.keys(data).length) out.data = data
  return out
}

const INT64_RE = /^-?(0|[1-9][0-9]*)$/

/**
 * Asserts `obj` is a plain decoded object of schema type `typeName`: only schema fields, no
 * defaults, 64-bit ints as in-range decimal strings, int32/enums as integers, nested plain objects.
 * Returns an error string, or '' when valid.
 */
export function checkPlain(typeName: string, obj: unknown, path = typeName): string {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return `${path}: not an object`
  if (Object.getPrototypeOf(obj) !== Object.prototype) return `${path}: not a plain object`
  const fields = yunhuFieldMeta[typeName]
  if (!fields) return `${path}: unknown type ${typeName}`
  for (const [k, v] of Object.entries(obj)) {
    const f = fields[k]
    if (!f) return `${path}.${k}: not a field of ${typeName}`
    const values = f.repeated ? v : [v]
    if (!Array.isArray(values)) return `${path}.${k}: repeated field is not an array`
    if (f.repeated && values.length === 0) return `${path}.${k}: empty repeated field present`
    for (const e of values) {
      const p = `${path}.${k}`
      switch (f.kind) {
        case 'string':
          if (typeof e !== 'string' || (!f.repeated && e === '')) return `${p}: bad string ${String(e)}`
          break
        case 'bool':
          if (e !== true) return `${p}: bool must be true when present`
          break
        case 'bytes':
          if (!(e instanceof Uint8Array)) return `${p}: not bytes`
          break
        case 'int32':
        case 'enum':
          if (typeof e !== 'number' || !Number.isInteger(e) || e === 0 || e < -2147483648 || e > 2147483647) return `${p}: bad int32 ${String(e)}`
          break
        case 'int64':
        case 'uint64': {
          if (typeof e !== 'string' || !INT64_RE.test(e) || e === '0') return `${p}: bad 64-bit string ${String(e)}`
          const n = BigInt(e)
          if (f.kind === 'uint64' ? n < 0n || n >= 1n << 64n : n < -(1n << 63n) || n >= 1n << 63n) return `${p}: out of range ${e}`
          break
        }
        case 'double':
          if (typeof e !== 'number' || e === 0) return `${p}: bad double ${String(e)}`
          break
        case 'message': {
          const err = checkPlain(f.type!, e, p)
          if (err) return err
          break
        }
        default:
          return `${p}: unexpected kind ${f.kind}`
      }
    }
  }
  return ''
}
