/**
 * The preload (sandboxed, CommonJS bundle): exposes exactly one object, `window.api`, built by the
 * shared `buildApi` over ipcRenderer. No raw ipcRenderer, no IPC event object and no Node API reaches
 * the page. Calls are limited to API_CHANNELS and events to MAIN_EVENTS.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { buildApi, EVENT_PREFIX, isApiChannel, isMainEvent, type ApiCarrier } from '../shared/api'

const REMOTE_PREFIX = /^Error invoking remote method '[^']*': (?:\w*Error: )?/

/** Unwraps main's `{ ok, value | error }` reply into the value or a plain Error with a readable message. */
export function unwrapReply(reply: unknown): unknown {
  if (reply && typeof reply === 'object' && 'ok' in reply) {
    const r = reply as { ok: unknown; value?: unknown; error?: unknown }
    if (r.ok === true) return r.value
    throw new Error(typeof r.error === 'string' && r.error ? r.error : 'Request failed.')
  }
  throw new Error('Malformed reply from the main process.')
}

export const carrier: ApiCarrier = {
  async invoke(channel, args) {
    if (!isApiChannel(channel)) throw new Error(`Unknown API channel: ${String(channel)}`)
    let reply: unknown
    try {
      reply = await ipcRenderer.invoke(channel, ...(Array.isArray(args) ? args : []))
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err)
      throw new Error(msg.replace(REMOTE_PREFIX, '') || 'Request failed.')
    }
    return unwrapReply(reply)
  },
  subscribe(event, listener) {
    if (!isMainEvent(event)) throw new Error(`Unknown event: ${String(event)}`)
    const channel = EVENT_PREFIX + event
    // Only the payload is passed on: the IpcRendererEvent (with `sender`) never reaches the page.
    const handler = (_event: unknown, payload: unknown): void => listener(payload)
    ipcRenderer.on(channel, handler)
    return () => {
      ipcRenderer.removeListener(channel, handler)
    }
  }
}

const api = buildApi(carrier)

contextBridge.exposeInMainWorld('api', api)

export type PreloadApi = typeof api
