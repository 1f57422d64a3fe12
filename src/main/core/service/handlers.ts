/**
 * The one handler table: channel → implementation. Electron's ipc.ts and the browser bridge both
 * register exactly these, so the browser path runs the same code as the app.
 */
import type { ApiChannel, ApiMethods } from '../../../shared/api'
import type { AppCore } from './app-core'

export type ApiHandlers = { [C in ApiChannel]: (...args: Parameters<ApiMethods[C]>) => ReturnType<ApiMethods[C]> }

export function createHandlers(core: AppCore): ApiHandlers {
  return {
    'app:info': async () => core.info(),
    'app:open-external': (url) => core.openExternal(url),
    'settings:get': async () => core.getSettings(),
    'settings:set': async (patch) => core.setSettings(patch),
    'accounts:list': async () => core.listAccounts(),
    'accounts:add-mio': (input) => core.addMioAccount(input),
    'accounts:remove': async (id) => core.removeAccount(id),
    'accounts:reconnect': async (id) => core.reconnect(id),
    'contacts:list': async (id) => core.listContacts(id),
    'contacts:save-llm': async (id, c) => core.saveLlm(id, c),
    'contacts:delete-llm': async (id, c) => core.deleteLlm(id, c),
    'history:list': async (a, c, before, limit) => core.listHistory(a, c, before, limit),
    'mio:send': (a, c, segs) => core.send(a, c, segs),
    'mio:retry': (a, c, m) => core.retry(a, c, m),
    'mio:recall': (a, c, m) => core.recall(a, c, m),
    'mio:forward': (a, from, ids, to) => core.forward(a, from, ids, to),
    'mio:share': (a, c) => core.share(a, c),
    'mio:models': (a) => core.models(a),
    'mio:complete': (a, c, p) => core.complete(a, c, p),
    'mio:complete-retry': (a, c, m) => core.completeRetry(a, c, m),
    'mio:abort': async (a, c, m) => core.abort(a, c, m),
    'mio:ping': (a) => core.ping(a),
    // Yunhu: wired to the Yunhu account service (in progress; until then every call says so in words).
    ...yunhuPending()
  }
}

type YunhuChannel = Extract<ApiChannel, `yunhu:${string}` | 'accounts:add-yunhu' | 'accounts:relogin-yunhu'>

function yunhuPending(): Pick<ApiHandlers, YunhuChannel> {
  const fail = async (): Promise<never> => {
    throw new Error('Yunhu accounts are not available in this build yet')
  }
  return {
    'accounts:add-yunhu': fail,
    'accounts:relogin-yunhu': fail,
    'yunhu:banners': fail,
    'yunhu:store': fail,
    'yunhu:bot-detail': fail,
    'yunhu:my-bots': fail,
    'yunhu:bot-info': fail,
    'yunhu:create-bot': fail,
    'yunhu:edit-bot': fail,
    'yunhu:reset-token': fail,
    'yunhu:set-link': fail,
    'yunhu:remove-follower': fail,
    'yunhu:remove-group': fail,
    'yunhu:llm-models': fail,
    'yunhu:llm-settings': fail,
    'yunhu:edit-setting-form': fail,
    'yunhu:group-settings': fail,
    'yunhu:save-group-settings': fail,
    'yunhu:board': fail,
    'yunhu:send': fail,
    'yunhu:recall': fail,
    'yunhu:button': fail
  }
}

/** Calls a handler by channel name with untrusted arguments (used by every carrier). */
export async function dispatch(handlers: ApiHandlers, channel: ApiChannel, args: unknown[]): Promise<unknown> {
  const fn = handlers[channel] as (...a: unknown[]) => Promise<unknown>
  return fn(...(Array.isArray(args) ? args : []))
}
