/**
 * API: conversation actions (read, pin, mute, remove), the history search and the jump to a hit, and
 * the Yunhu (云湖) people: address book, profiles, friend requests and the event that says they changed.
 */
import type { MainEvents } from '@shared/api'
import { getApi } from '../api'

const socialApi = {
  markRead: (accountId: string, contactId: string) => getApi().call('conversations:read', accountId, contactId),
  pin: (accountId: string, contactId: string, pinned: boolean) => getApi().call('conversations:pin', accountId, contactId, pinned),
  mute: (accountId: string, contactId: string, muted: boolean) => getApi().call('conversations:mute', accountId, contactId, muted),
  remove: (accountId: string, contactId: string) => getApi().call('conversations:remove', accountId, contactId),
  search: (accountId: string, contactId: string, word: string, before?: number) => getApi().call('messages:search', accountId, contactId, word, before),
  around: (accountId: string, contactId: string, messageId: string) => getApi().call('history:around', accountId, contactId, messageId),
  addressBook: (accountId: string) => getApi().call('yunhu:address-book', accountId),
  profile: (accountId: string, id: string, kind?: 'user' | 'bot') => getApi().call('yunhu:profile', accountId, id, kind),
  requests: (accountId: string) => getApi().call('yunhu:requests', accountId),
  answerRequest: (accountId: string, requestId: string, accept: boolean) => getApi().call('yunhu:answer-request', accountId, requestId, accept),
  onRequests: (cb: (p: MainEvents['requests']) => void) => getApi().on('requests', cb),
  syncDraft: (accountId: string, contactId: string, text: string) => getApi().call('conversations:draft', accountId, contactId, text),
  onDraft: (cb: (p: MainEvents['draft']) => void) => getApi().on('draft', cb)
}

export function useSocialApi(): typeof socialApi {
  return socialApi
}
