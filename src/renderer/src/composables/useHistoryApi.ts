/** API: the local history made the user's — full-text search over every account, messages around a hit, exports. */
import type { HistorySearchQuery } from '@shared/search'
import { getApi } from '../api'

const historyApi = {
  search: (q: HistorySearchQuery) => getApi().call('history:search', q),
  around: (accountId: string, contactId: string, messageId: string) => getApi().call('history:around', accountId, contactId, messageId),
  exportConversation: (accountId: string, contactId: string, format: 'markdown' | 'html' | 'json', messageIds?: string[]) =>
    getApi().call('history:export', accountId, contactId, format, messageIds ? { messageIds } : undefined)
}

export function useHistoryApi(): typeof historyApi {
  return historyApi
}
