/** API: sending and acting on messages — one set of channels for every platform, plus share and buttons. */
import type { SendOptions } from '@shared/api'
import type { Segment } from '@shared/mio'
import { getApi } from '../api'

const messagesApi = {
  /** Resolves with the stored message ('sent', 'failed' with an error, or 'sending' while offline). */
  send: (accountId: string, contactId: string, segments: Segment[], options?: SendOptions) => getApi().call('messages:send', accountId, contactId, segments, options),
  retry: (accountId: string, contactId: string, messageId: string) => getApi().call('messages:retry', accountId, contactId, messageId),
  recall: (accountId: string, contactId: string, messageId: string) => getApi().call('messages:recall', accountId, contactId, messageId),
  edit: (accountId: string, contactId: string, messageId: string, segments: Segment[]) => getApi().call('messages:edit', accountId, contactId, messageId, segments),
  forward: (accountId: string, fromContactId: string, messageIds: string[], toContactId: string) => getApi().call('messages:forward', accountId, fromContactId, messageIds, toContactId),
  share: (accountId: string, contactId: string) => getApi().call('mio:share', accountId, contactId),
  /** A click on a Yunhu message button that reports back to the bot. */
  pressButton: (accountId: string, contactId: string, messageId: string, value: string) => getApi().call('yunhu:button', accountId, contactId, messageId, value)
}

export function useMessagesApi(): typeof messagesApi {
  return messagesApi
}
