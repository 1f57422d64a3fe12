/**
 * API: conversations — contact lists (incl. saving LLM contacts), history pages, and the events that
 * change them (new or changed messages, recalls, contact lists, main asking to open a conversation).
 */
import type { MainEvents } from '@shared/api'
import type { LlmContact } from '@shared/mio'
import { getApi } from '../api'

const conversationsApi = {
  contacts: (accountId: string) => getApi().call('contacts:list', accountId),
  saveLlm: (accountId: string, contact: LlmContact) => getApi().call('contacts:save-llm', accountId, contact),
  deleteLlm: (accountId: string, contactId: string) => getApi().call('contacts:delete-llm', accountId, contactId),
  /** Messages of a conversation, oldest first; `before` = a message time (ms) to page backwards. */
  history: (accountId: string, contactId: string, before: number | undefined, limit: number) => getApi().call('history:list', accountId, contactId, before, limit),
  onMessage: (cb: (p: MainEvents['message']) => void) => getApi().on('message', cb),
  onMessageDeleted: (cb: (p: MainEvents['message-deleted']) => void) => getApi().on('message-deleted', cb),
  onContacts: (cb: (p: MainEvents['contacts']) => void) => getApi().on('contacts', cb),
  onOpenConversation: (cb: (p: MainEvents['open-conversation']) => void) => getApi().on('open-conversation', cb)
}

export function useConversationsApi(): typeof conversationsApi {
  return conversationsApi
}
