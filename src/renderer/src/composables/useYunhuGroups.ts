/**
 * API: Yunhu (云湖) groups and bot commands — a group's info and members (paged, searched), mute and
 * remove a member, a chat's bot commands and quick menus, sending a command.
 */
import type { YunhuCommandInput } from '@shared/yunhu-api'
import { getApi } from '../api'

const groupsApi = {
  info: (accountId: string, groupId: string) => getApi().call('yunhu:group-info', accountId, groupId),
  /** One page (from 1) of members, optionally matching `keywords`. */
  members: (accountId: string, groupId: string, page: number, keywords?: string) => getApi().call('yunhu:members', accountId, groupId, page, keywords),
  /** seconds: 600, 3600, 21600, 43200, -1 (for ever) or 0 (off). */
  mute: (accountId: string, groupId: string, userId: string, seconds: number) => getApi().call('yunhu:mute-member', accountId, groupId, userId, seconds),
  remove: (accountId: string, groupId: string, userId: string) => getApi().call('yunhu:remove-member', accountId, groupId, userId),
  commands: (accountId: string, contactId: string) => getApi().call('yunhu:commands', accountId, contactId),
  sendCommand: (accountId: string, contactId: string, commandId: string, input: YunhuCommandInput) => getApi().call('yunhu:send-command', accountId, contactId, commandId, input),
  menuEvent: (accountId: string, contactId: string, menuId: string, value?: string) => getApi().call('yunhu:menu-event', accountId, contactId, menuId, value)
}

export function useYunhuGroups(): typeof groupsApi {
  return groupsApi
}
