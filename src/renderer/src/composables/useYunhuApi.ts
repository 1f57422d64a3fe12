/**
 * API: the Yunhu (云湖) platform beyond chatting — the bot store, bot details, the "my bots" console
 * (profile, token, link, followers and groups, AI settings, the settings form), group bot settings
 * and chat boards.
 */
import type { A2uiSubmit, MainEvents } from '@shared/api'
import type { YunhuCreateBotInput, YunhuEditBotRequest, YunhuSettingsForm, YunhuSettingsValues } from '@shared/yunhu-api'
import { getApi } from '../api'

const yunhuApi = {
  banners: (accountId: string) => getApi().call('yunhu:banners', accountId),
  store: (accountId: string) => getApi().call('yunhu:store', accountId),
  botDetail: (accountId: string, botId: string) => getApi().call('yunhu:bot-detail', accountId, botId),
  myBots: (accountId: string) => getApi().call('yunhu:my-bots', accountId),
  createBot: (accountId: string, input: YunhuCreateBotInput) => getApi().call('yunhu:create-bot', accountId, input),
  editBot: (accountId: string, input: YunhuEditBotRequest) => getApi().call('yunhu:edit-bot', accountId, input),
  /** Resolves with the new token. */
  resetToken: (accountId: string, botId: string) => getApi().call('yunhu:reset-token', accountId, botId),
  setLink: (accountId: string, botId: string, link: string) => getApi().call('yunhu:set-link', accountId, botId, link),
  removeFollower: (accountId: string, botId: string, userId: string) => getApi().call('yunhu:remove-follower', accountId, botId, userId),
  removeGroup: (accountId: string, botId: string, groupId: string) => getApi().call('yunhu:remove-group', accountId, botId, groupId),
  llmModels: (accountId: string) => getApi().call('yunhu:llm-models', accountId),
  llmSettings: (accountId: string, botId: string) => getApi().call('yunhu:llm-settings', accountId, botId),
  editSettingForm: (accountId: string, botId: string, form: YunhuSettingsForm) => getApi().call('yunhu:edit-setting-form', accountId, botId, form),
  groupSettings: (accountId: string, botId: string, groupId: string) => getApi().call('yunhu:group-settings', accountId, botId, groupId),
  saveGroupSettings: (accountId: string, botId: string, groupId: string, values: YunhuSettingsValues) => getApi().call('yunhu:save-group-settings', accountId, botId, groupId, values),
  /** The board of a chat (a bot's private chat or a group), if any. */
  board: (accountId: string, contactId: string) => getApi().call('yunhu:board', accountId, contactId),
  onBoard: (cb: (p: MainEvents['board']) => void) => getApi().on('board', cb),
  /** Submits an A2UI form of a message. */
  a2uiSubmit: (accountId: string, contactId: string, messageId: string, submit: A2uiSubmit) => getApi().call('yunhu:a2ui-submit', accountId, contactId, messageId, submit)
}

export function useYunhuApi(): typeof yunhuApi {
  return yunhuApi
}
