/** API: sending and acting on messages — Mio-Chat and Yunhu send, retry, recall, forward, share, buttons. */
import type { YunhuOutgoing } from '@shared/api'
import type { Segment } from '@shared/mio'
import { getApi } from '../api'

const messagesApi = {
  /** Resolves with the stored message (status 'sent', or 'failed' with an error). */
  send: (accountId: string, contactId: string, segments: Segment[]) => getApi().call('mio:send', accountId, contactId, segments),
  retry: (accountId: string, contactId: string, messageId: string) => getApi().call('mio:retry', accountId, contactId, messageId),
  recall: (accountId: string, contactId: string, messageId: string) => getApi().call('mio:recall', accountId, contactId, messageId),
  forward: (accountId: string, fromContactId: string, messageIds: string[], toContactId: string) => getApi().call('mio:forward', accountId, fromContactId, messageIds, toContactId),
  share: (accountId: string, contactId: string) => getApi().call('mio:share', accountId, contactId),
  sendYunhu: (accountId: string, contactId: string, message: YunhuOutgoing) => getApi().call('yunhu:send', accountId, contactId, message),
  recallYunhu: (accountId: string, contactId: string, messageId: string) => getApi().call('yunhu:recall', accountId, contactId, messageId),
  /** A click on a Yunhu message button that reports back to the bot. */
  pressButton: (accountId: string, contactId: string, messageId: string, value: string) => getApi().call('yunhu:button', accountId, contactId, messageId, value)
}

export function useMessagesApi(): typeof messagesApi {
  return messagesApi
}
