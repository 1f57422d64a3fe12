/**
 * The one handler table: channel → implementation. Electron's ipc.ts and the browser bridge both
 * register exactly these, so the browser path runs the same code as the app.
 */
import type { ApiChannel, ApiMethods } from '../shared/api'
import type { AppCore } from './app-core'

export type ApiHandlers = { [C in ApiChannel]: (...args: Parameters<ApiMethods[C]>) => ReturnType<ApiMethods[C]> }

export function createHandlers(core: AppCore): ApiHandlers {
  const accounts = core.accounts
  const { mio, yunhu } = core
  return {
    'app:info': async () => core.info(),
    'app:open-external': (url) => core.openExternal(url),
    'app:save-url': (url) => core.saveUrl(url),
    'media:status': (a, url) => core.mediaStatus(a, url),
    'media:stage': (file) => core.outgoing.stage(file),
    'settings:get': async () => core.getSettings(),
    'settings:set': async (patch) => core.setSettings(patch),
    // Generic: routed by account id (or kind) through the registry.
    'accounts:list': async () => accounts.list(),
    'accounts:add': (kind, input) => accounts.add(kind, input),
    'accounts:relogin': (id, input) => accounts.relogin(id, input),
    'accounts:remove': async (id) => accounts.remove(id),
    'accounts:reconnect': async (id) => accounts.reconnect(id),
    'contacts:list': (id) => accounts.contacts(id),
    'history:list': (a, c, before, limit) => accounts.history(a, c, before, limit),
    'history:search': async (q) => core.searchHistory(q),
    'history:export': (a, c, f, o) => core.exportConversation(a, c, f, o),
    'backup:create': (o) => core.backup.create(o),
    'backup:list': async () => core.backup.list(),
    'backup:restore': (s, p) => core.backup.restore(s, p),
    'messages:send': (a, c, segs, options) => accounts.send(a, c, segs, options),
    'messages:retry': (a, c, m) => accounts.retry(a, c, m),
    'messages:recall': (a, c, m) => accounts.recall(a, c, m),
    'messages:edit': (a, c, m, segs) => accounts.edit(a, c, m, segs),
    'messages:forward': (a, from, ids, to) => accounts.forward(a, from, ids, to),
    'messages:search': (a, c, word, before) => accounts.search(a, c, word, before),
    'history:around': (a, c, m) => core.historyAround(a, c, m),
    'conversations:read': (a, c) => accounts.markRead(a, c),
    'conversations:pin': (a, c, on) => accounts.pin(a, c, on),
    'conversations:remove': (a, c) => accounts.removeConversation(a, c),
    'conversations:mute': (a, c, on) => accounts.mute(a, c, on),
    'conversations:draft': (a, c, text) => accounts.syncDraft(a, c, text),
    // Mio-Chat only: model contacts, share, models, completions.
    'contacts:save-llm': async (id, c) => mio.saveLlm(id, c),
    'contacts:delete-llm': async (id, c) => mio.deleteLlm(id, c),
    'mio:share': (a, c) => mio.share(a, c),
    'mio:models': (a) => mio.models(a),
    'mio:complete': (a, c, p) => mio.complete(a, c, p),
    'mio:complete-retry': (a, c, m) => mio.completeRetry(a, c, m),
    'mio:edit-prompt': (a, c, m, text) => mio.editPrompt(a, c, m, text),
    'mio:show-version': (a, c, m, i) => mio.showVersion(a, c, m, i),
    'mio:abort': async (a, c, m) => mio.abort(a, c, m),
    'mio:answer': (a, c, m, approved, reason, always) => mio.answer(a, c, m, approved, reason, always),
    'mio:presets': (a) => mio.presets(a),
    'mio:ping': (a) => mio.ping(a),
    'mio:tools': async (a) => mio.tools(a),
    // Yunhu only: the bot store and console, boards, buttons.
    'yunhu:banners': (a) => yunhu.banners(a),
    'yunhu:store': (a) => yunhu.store(a),
    'yunhu:bot-detail': (a, bot) => yunhu.botDetail(a, bot),
    'yunhu:my-bots': (a) => yunhu.myBots(a),
    'yunhu:bot-info': (a, bot) => yunhu.botInfo(a, bot),
    'yunhu:create-bot': (a, input) => yunhu.createBot(a, input),
    'yunhu:edit-bot': (a, input) => yunhu.editBot(a, input),
    'yunhu:reset-token': (a, bot) => yunhu.resetToken(a, bot),
    'yunhu:set-link': (a, bot, link) => yunhu.setLink(a, bot, link),
    'yunhu:remove-follower': (a, bot, user) => yunhu.removeFollower(a, bot, user),
    'yunhu:remove-group': (a, bot, group) => yunhu.removeGroup(a, bot, group),
    'yunhu:llm-models': (a) => yunhu.llmModels(a),
    'yunhu:llm-settings': (a, bot) => yunhu.llmSettings(a, bot),
    'yunhu:edit-setting-form': (a, bot, form) => yunhu.editSettingForm(a, bot, form),
    'yunhu:group-settings': (a, bot, group) => yunhu.groupSettings(a, bot, group),
    'yunhu:save-group-settings': (a, bot, group, values) => yunhu.saveGroupSettings(a, bot, group, values),
    'yunhu:board': (a, c) => yunhu.board(a, c),
    'yunhu:button': (a, c, m, v) => yunhu.button(a, c, m, v),
    'yunhu:stickers': (a) => yunhu.stickers(a),
    'yunhu:save-sticker': (a, url) => yunhu.saveSticker(a, url),
    // Yunhu groups and bot commands.
    'yunhu:group-info': (a, g) => yunhu.groups.info(a, g),
    'yunhu:members': (a, g, page, keywords) => yunhu.groups.members(a, g, page, keywords),
    'yunhu:mute-member': (a, g, u, s) => yunhu.groups.mute(a, g, u, s),
    'yunhu:remove-member': (a, g, u) => yunhu.groups.remove(a, g, u),
    'yunhu:commands': (a, c) => yunhu.groups.commands(a, c),
    'yunhu:send-command': (a, c, id, input) => yunhu.groups.sendCommand(a, c, id, input),
    'yunhu:menu-event': (a, c, id, v) => yunhu.groups.menuEvent(a, c, id, v),
    'yunhu:address-book': (a) => yunhu.addressBook(a),
    'yunhu:profile': (a, id, kind) => yunhu.profile(a, id, kind),
    'yunhu:requests': (a) => yunhu.requests(a),
    'yunhu:answer-request': (a, id, accept) => yunhu.answerRequest(a, id, accept),
    'yunhu:a2ui-submit': (a, c, m, submit) => yunhu.a2uiSubmit(a, c, m, submit)
  }
}

/** Calls a handler by channel name with untrusted arguments (used by every carrier). */
export async function dispatch(handlers: ApiHandlers, channel: ApiChannel, args: unknown[]): Promise<unknown> {
  const fn = handlers[channel] as (...a: unknown[]) => Promise<unknown>
  // JSON carriers (the browser bridge) turn omitted arguments into null: treat null as "not given".
  return fn(...(Array.isArray(args) ? args.map((a) => (a === null ? undefined : a)) : []))
}
