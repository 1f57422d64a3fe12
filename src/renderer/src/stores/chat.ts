/**
 * What the user does with messages: send (every platform), prompt a model, retry, stop, recall and
 * forward. Each action goes through the API layer and puts main's answer into the conversations cache.
 * The state lives in three stores, by concern:
 *   - conversations.ts — the open conversation per account and the messages cache (history, unread);
 *   - contacts.ts      — contact lists, their order and previews, LLM contacts and models;
 *   - stream.ts        — streamed AI reply deltas, applied at most once per animation frame.
 * `wire()` subscribes all three to main's events.
 */
import { defineStore } from 'pinia'
import type { ChatMessage, Segment, ShareResult } from '@shared/mio'
import { draftSegments, type Draft } from '@shared/model/compose'
import { useCompletionsApi } from '../composables/useCompletionsApi'
import { useMessagesApi } from '../composables/useMessagesApi'
import { useContactsStore } from './contacts'
import { useConversationsStore } from './conversations'
import { useStreamStore } from './stream'

export const useChatStore = defineStore('chat', () => {
  const messagesApi = useMessagesApi()
  const completions = useCompletionsApi()
  const conversations = useConversationsStore()
  const contacts = useContactsStore()
  const stream = useStreamStore()

  function wire(): void {
    conversations.wire()
    stream.wire()
    contacts.wire()
  }

  /** Sends a message of parts (through the account's outbox: it may come back pending while offline). */
  async function send(accountId: string, contactId: string, segments: Segment[]): Promise<void> {
    conversations.upsert(accountId, await messagesApi.send(accountId, contactId, segments))
  }

  /** Sends a body in a format (text, Markdown or HTML), optionally quoting a message. */
  function sendDraft(accountId: string, contactId: string, draft: Draft): Promise<void> {
    return send(accountId, contactId, draftSegments(draft))
  }

  /** Asks a model conversation: the prompt and the reply that streams back. */
  async function prompt(accountId: string, contactId: string, text: string): Promise<void> {
    const { userMessage, replyMessage } = await completions.complete(accountId, contactId, text)
    conversations.upsert(accountId, userMessage)
    conversations.upsert(accountId, replyMessage)
  }

  async function retry(accountId: string, m: ChatMessage): Promise<void> {
    conversations.upsert(accountId, await messagesApi.retry(accountId, m.contactId, m.id))
  }

  async function retryReply(accountId: string, m: ChatMessage): Promise<void> {
    // Reset locally first so deltas of the new attempt apply to a fresh reply.
    if (m.ai) conversations.replace(accountId, { ...m, ai: { ...m.ai, status: 'pending', text: '', reasoning: '', toolCalls: [], error: undefined, errorDetail: undefined } })
    const { replyMessage } = await completions.retry(accountId, m.contactId, m.id)
    conversations.upsert(accountId, replyMessage)
  }

  /** Shows another version of a reply or an edited prompt (the messages that change come back). */
  async function showVersion(accountId: string, m: ChatMessage, index: number): Promise<void> {
    for (const changed of await completions.showVersion(accountId, m.contactId, m.id, index)) conversations.replace(accountId, changed)
  }

  /** Edits the last prompt of a model chat and resends it: a new prompt version and a new answer after it. */
  async function editPrompt(accountId: string, m: ChatMessage, text: string): Promise<void> {
    // The answer after it restarts: reset it locally first so the new answer's deltas apply (as retryReply does).
    const c = conversations.conv(accountId, m.contactId)
    const next = c.messages.value[(c.index.get(m.id) ?? -2) + 1]
    if (next?.ai) conversations.replace(accountId, { ...next, ai: { ...next.ai, status: 'pending', text: '', reasoning: '', toolCalls: [], error: undefined, errorDetail: undefined } })
    let done: Awaited<ReturnType<typeof completions.editPrompt>>
    try {
      done = await completions.editPrompt(accountId, m.contactId, m.id, text)
    } catch (e) {
      if (next?.ai) conversations.replace(accountId, next) // refused: the answer is as it was
      throw e
    }
    const { userMessage, replyMessage } = done
    conversations.replace(accountId, userMessage)
    conversations.upsert(accountId, replyMessage)
  }

  async function abort(accountId: string, m: ChatMessage): Promise<void> {
    await completions.abort(accountId, m.contactId, m.id)
  }

  /** Answers the question a reply waits on (the server asks before running a tool); `always`: for this tool from now on. */
  async function answer(accountId: string, m: ChatMessage, approved: boolean, reason?: string, always?: boolean): Promise<void> {
    await completions.answer(accountId, m.contactId, m.id, approved, reason, always)
  }

  async function recall(accountId: string, m: ChatMessage): Promise<void> {
    await messagesApi.recall(accountId, m.contactId, m.id)
    conversations.markRecalled(accountId, m.contactId, m.id)
  }

  async function forward(accountId: string, fromContactId: string, ids: string[], toContactId: string): Promise<void> {
    // Keep the conversation's order, whatever order the messages were picked in.
    const c = conversations.conv(accountId, fromContactId)
    const ordered = [...ids].sort((a, b) => (c.index.get(a) ?? 0) - (c.index.get(b) ?? 0))
    conversations.upsert(accountId, await messagesApi.forward(accountId, fromContactId, ordered, toContactId))
  }

  /** Asks main for a share link/card of a bot contact. */
  function share(accountId: string, contactId: string): Promise<ShareResult> {
    return messagesApi.share(accountId, contactId)
  }

  /** A click on a Yunhu message button that reports back to its bot. */
  async function pressButton(accountId: string, contactId: string, messageId: string, value: string): Promise<void> {
    await messagesApi.pressButton(accountId, contactId, messageId, value)
  }

  return { wire, send, sendDraft, prompt, retry, retryReply, showVersion, editPrompt, abort, answer, recall, forward, share, pressButton }
})
