/**
 * The one handler table: channel → implementation. Electron's ipc.ts and the browser bridge both
 * register exactly these, so the browser path runs the same code as the app.
 */
import type { ApiChannel, ApiMethods } from '../shared/api'
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
    'contacts:list': async (id) => (core.yunhu.owns(id) ? core.yunhu.listContacts(id) : core.listContacts(id)),
    'contacts:save-llm': async (id, c) => core.saveLlm(id, c),
    'contacts:delete-llm': async (id, c) => core.deleteLlm(id, c),
    'history:list': async (a, c, before, limit) => (core.yunhu.owns(a) ? core.yunhu.listHistory(a, c, before, limit) : core.listHistory(a, c, before, limit)),
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
    // Yunhu (yunhu-accounts.ts)
    'accounts:add-yunhu': (input) => core.yunhu.addAccount(input),
    'accounts:relogin-yunhu': (id, input) => core.yunhu.relogin(id, input),
    'yunhu:banners': (a) => core.yunhu.banners(a),
    'yunhu:store': (a) => core.yunhu.store(a),
    'yunhu:bot-detail': (a, bot) => core.yunhu.botDetail(a, bot),
    'yunhu:my-bots': (a) => core.yunhu.myBots(a),
    'yunhu:bot-info': (a, bot) => core.yunhu.botInfo(a, bot),
    'yunhu:create-bot': (a, input) => core.yunhu.createBot(a, input),
    'yunhu:edit-bot': (a, input) => core.yunhu.editBot(a, input),
    'yunhu:reset-token': (a, bot) => core.yunhu.resetToken(a, bot),
    'yunhu:set-link': (a, bot, link) => core.yunhu.setLink(a, bot, link),
    'yunhu:remove-follower': (a, bot, user) => core.yunhu.removeFollower(a, bot, user),
    'yunhu:remove-group': (a, bot, group) => core.yunhu.removeGroup(a, bot, group),
    'yunhu:llm-models': (a) => core.yunhu.llmModels(a),
    'yunhu:llm-settings': (a, bot) => core.yunhu.llmSettings(a, bot),
    'yunhu:edit-setting-form': (a, bot, form) => core.yunhu.editSettingForm(a, bot, form),
    'yunhu:group-settings': (a, bot, group) => core.yunhu.groupSettings(a, bot, group),
    'yunhu:save-group-settings': (a, bot, group, values) => core.yunhu.saveGroupSettings(a, bot, group, values),
    'yunhu:board': (a, c) => core.yunhu.board(a, c),
    'yunhu:send': (a, c, m) => core.yunhu.send(a, c, m),
    'yunhu:recall': (a, c, m) => core.yunhu.recall(a, c, m),
    'yunhu:button': (a, c, m, v) => core.yunhu.button(a, c, m, v)
  }
}

/** Calls a handler by channel name with untrusted arguments (used by every carrier). */
export async function dispatch(handlers: ApiHandlers, channel: ApiChannel, args: unknown[]): Promise<unknown> {
  const fn = handlers[channel] as (...a: unknown[]) => Promise<unknown>
  // JSON carriers (the browser bridge) turn omitted arguments into null: treat null as "not given".
  return fn(...(Array.isArray(args) ? args.map((a) => (a === null ? undefined : a)) : []))
}
