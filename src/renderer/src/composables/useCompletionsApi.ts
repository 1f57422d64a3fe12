/** API: AI replies — start, retry and stop a completion, the model list, and the streamed deltas. */
import type { MainEvents, StreamDelta } from '@shared/api'
import { getApi } from '../api'

const completionsApi = {
  /** Starts an AI reply in an LLM conversation; the reply grows through `onStream` deltas. */
  complete: (accountId: string, contactId: string, prompt: string) => getApi().call('mio:complete', accountId, contactId, prompt),
  /** Retries a failed or interrupted reply (re-asks the same history). */
  retry: (accountId: string, contactId: string, replyMessageId: string) => getApi().call('mio:complete-retry', accountId, contactId, replyMessageId),
  /** Edits the last prompt of a model chat and resends it (a new prompt version, a new answer). */
  editPrompt: (accountId: string, contactId: string, messageId: string, text: string) => getApi().call('mio:edit-prompt', accountId, contactId, messageId, text),
  /** Shows version `index` of a reply or an edited prompt; the messages that changed. */
  showVersion: (accountId: string, contactId: string, messageId: string, index: number) => getApi().call('mio:show-version', accountId, contactId, messageId, index),
  abort: (accountId: string, contactId: string, replyMessageId: string) => getApi().call('mio:abort', accountId, contactId, replyMessageId),
  /** Answers the question a reply waits on (run this tool?). */
  answer: (accountId: string, contactId: string, replyMessageId: string, approved: boolean, reason?: string, always?: boolean) =>
    getApi().call('mio:answer', accountId, contactId, replyMessageId, approved, reason, always),
  presets: (accountId: string) => getApi().call('mio:presets', accountId),
  /** The server's presets or tools changed (an open list of them should ask again). */
  onCatalog: (cb: (p: MainEvents['catalog']) => void) => getApi().on('catalog', cb),
  models: (accountId: string) => getApi().call('mio:models', accountId),
  /** The tools the server offers model contacts, by name (empty where it lists none). */
  tools: (accountId: string) => getApi().call('mio:tools', accountId),
  onStream: (cb: (d: StreamDelta) => void) => getApi().on('stream', cb)
}

export function useCompletionsApi(): typeof completionsApi {
  return completionsApi
}
