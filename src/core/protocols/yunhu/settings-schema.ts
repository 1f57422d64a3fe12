/**
 * The JSON strings Yunhu bots carry (settings forms, saved per-group values, the LLM `mcpJson`,
 * `paramJson` and `params` template). The logic lives in src/shared/yunhu-settings.ts, shared with the
 * renderer; the core's versions below throw YunhuSettingsError, a TransportError of kind `protocol`,
 * so callers treat a bad settings string like any other unusable server answer.
 */
import { TransportError } from '../../transport/errors'
import * as settings from '../../../shared/yunhu-settings'
import type { YunhuSettingsIssue } from '../../../shared/yunhu-api'

export class YunhuSettingsError extends TransportError {
  override readonly name: string = 'YunhuSettingsError'
  /** Which string failed, e.g. "settingJson". */
  readonly what: string
  readonly issues: YunhuSettingsIssue[]
  constructor(what: string, message: string, issues: YunhuSettingsIssue[] = []) {
    super('protocol', message)
    this.what = what
    this.issues = issues
  }
}

/** `fn`, throwing YunhuSettingsError (same what, message and issues) where the shared code throws its format error. */
function asTransportErrors<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return fn(...args)
    } catch (e) {
      if (e instanceof settings.YunhuSettingsFormatError) throw new YunhuSettingsError(e.what, e.message, e.issues)
      throw e
    }
  }
}

export {
  defaultSettingsValues,
  splitOptions,
  tryParseSettingsForm,
  validateSettingsForm,
  validateSettingsValues
} from '../../../shared/yunhu-settings'

/** JSON.parse with an error in words; "" gives `empty`; a double-encoded string is parsed once more. */
export const parseJsonString = asTransportErrors(settings.parseJsonString)
/** A settings form schema (JSON string or parsed array); "" is an empty form. */
export const parseSettingsForm = asTransportErrors(settings.parseSettingsForm)
/** The settings form back to its JSON string (the shape the seed shows). Throws on an invalid form. */
export const serializeSettingsForm = asTransportErrors(settings.serializeSettingsForm)
/** The per-group settings to save (send-setting-json), defaults filled in. Throws when the values do not fit. */
export const serializeSettingsValues = asTransportErrors(settings.serializeSettingsValues)
/** Saved values: `{id: {id, type, value}}`, `{id: value}` or a list of items; coerced to the form when given. */
export const parseSettingsValues = asTransportErrors(settings.parseSettingsValues)
/** `mcpJson` of the LLM settings: an object ("" → {}). */
export const parseMcpJson = asTransportErrors(settings.parseMcpJson)
/** `paramJson` of the LLM settings: an object or a list ("" → {}). */
export const parseParamJson = asTransportErrors(settings.parseParamJson)
/** `params` of an LLM model: the parameter template ("" or null → []). */
export const parseLlmParamsTemplate = asTransportErrors(settings.parseLlmParamsTemplate)
