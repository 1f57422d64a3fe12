/**
 * IPC between the window and the core: one `ipcMain.handle` per channel of API_CHANNELS, all from the
 * handler table, each checking that the call comes from the app's own top-level frame; core events are
 * forwarded to the window as `evt:<name>`.
 *
 * Replies cross as an envelope (`{ ok: true, value }` or `{ ok: false, error }`) that the preload
 * unwraps into the value or a plain `Error(message)`: no stack, no Electron "Error invoking remote
 * method" prefix, no foreign properties reach the page.
 */
import { ipcMain } from 'electron'
import type { IpcMainInvokeEvent, WebContents } from 'electron'
import type { EventEmitter } from 'node:events'
import { API_CHANNELS, EVENT_PREFIX, MAIN_EVENTS, type ApiChannel } from '../shared/api'
import type { ApiHandlers } from '../core/handlers'
import { errorMessage } from '../core/transport/errors'
import type { AppUrlCheck } from './webcontents-handler'

/** The handler table: createHandlers in src/core/handlers.ts makes it. */
export type { ApiHandlers as ApiHandlerTable }
/** A readable one-line message from anything thrown (the core's; never a stack trace). */
export { errorMessage }

export type IpcReply = { ok: true; value: unknown } | { ok: false; error: string }

/** Throws unless the call comes from the app's own top-level frame. */
export function assertTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, isAppUrl: AppUrlCheck): void {
  const frame = event.senderFrame
  if (!frame) throw new Error('IPC rejected: the sending frame is gone.')
  if (frame.parent) throw new Error('IPC rejected: subframes may not call the API.')
  if (!isAppUrl(frame.url)) throw new Error('IPC rejected: the sender is not the MioDesk app.')
}

export interface IpcOptions {
  handlers: ApiHandlers
  isAppUrl: AppUrlCheck
  onError?: (channel: ApiChannel, err: unknown) => void
}

/** Registers every API channel exactly once; returns a function that removes them again. */
export function registerIpcHandlers({ handlers, isAppUrl, onError }: IpcOptions): () => void {
  for (const channel of API_CHANNELS) {
    const handler = handlers[channel] as ((...args: unknown[]) => Promise<unknown>) | undefined
    if (typeof handler !== 'function') throw new Error(`No handler for API channel ${channel}`)
    ipcMain.handle(channel, async (event, ...args: unknown[]): Promise<IpcReply> => {
      assertTrustedSender(event, isAppUrl)
      try {
        return { ok: true, value: await handler(...args) }
      } catch (err) {
        onError?.(channel, err)
        return { ok: false, error: errorMessage(err) }
      }
    })
  }
  return () => {
    for (const channel of API_CHANNELS) ipcMain.removeHandler(channel)
  }
}

/** Forwards every MainEvents name from the core to the window's webContents; returns an unsubscribe. */
export function forwardCoreEvents(events: Pick<EventEmitter, 'on' | 'off'>, getTarget: () => WebContents | null | undefined): () => void {
  const listeners = MAIN_EVENTS.map((name) => {
    const listener = (payload: unknown): void => {
      const target = getTarget()
      if (!target || target.isDestroyed()) return
      target.send(EVENT_PREFIX + name, payload)
    }
    events.on(name, listener)
    return [name, listener] as const
  })
  return () => {
    for (const [name, listener] of listeners) events.off(name, listener)
  }
}
