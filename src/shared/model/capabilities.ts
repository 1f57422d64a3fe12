/**
 * What an account and each of its conversations can do. Each account provider declares them; the
 * renderer decides what to show from these and from the message itself, never from the account's kind.
 */

/** Kinds of content a conversation accepts from the composer. */
export type SendableKind = 'text' | 'markdown' | 'html' | 'image' | 'file' | 'audio' | 'video' | 'sticker' | 'mention' | 'quote'

export interface ConversationCapabilities {
  /** What the composer may send here (empty: read-only). */
  send: SendableKind[]
  /** A conversation with a model: what is written is a prompt and the answer streams back. */
  prompt: boolean
  /** Own messages can be recalled (on the server where it has them, else locally). */
  recall: boolean
  /** Own messages can be edited after sending. */
  edit: boolean
  /** Messages of this conversation can be forwarded, and it can receive forwards. */
  forward: boolean
  /** A message can be quoted in a reply. */
  quote: boolean
  /** The contact can be shared as a link (Mio-Chat share). */
  share: boolean
  /** The model contact's settings can be edited. */
  editModel: boolean
  /** A bot's profile can be opened. */
  botProfile: boolean
  /** The group's per-bot settings forms can be opened. */
  groupBotSettings: boolean
  /** The conversation can carry a bot board. */
  board: boolean
  /** The group's info and member list can be opened (with mute and remove for its owner and admins). */
  groupInfo?: boolean
  /** Bot commands can be picked with "/" in the composer (a group with bots, a bot's chat). */
  commands?: boolean
  /** Can be pinned to the top of the list (on the server). */
  pin?: boolean
  /** Can be removed from the conversation list (the contact stays). */
  remove?: boolean
  /** The server's notifications for it can be turned off. */
  mute?: boolean
  /** The platform searches its history. */
  search?: boolean
  /** The person's profile card can be opened. */
  profile?: boolean
  /** The composer's draft is synced with the account's other devices. */
  draftSync?: boolean
  /** How plain text parts are read: as Markdown (Mio-Chat bots write it in text) or as plain text (Yunhu, which has a Markdown kind of its own). */
  textFormat: 'markdown' | 'plain'
}

export interface AccountCapabilities {
  /** The user can add model contacts of their own (Mio-Chat AI contacts). */
  modelContacts: boolean
  /** The platform's bot store and bot console are available. */
  botConsole: boolean
  /** The account logs in again with a form when its login expires (instead of only reconnecting). */
  relogin: boolean
  /** The link's round-trip delay can be measured on demand. */
  ping: boolean
  /** The server asks before some tools run (model contacts may be set to run them without asking). */
  toolApproval?: boolean
  /** The server lists its tools, so model contacts can pick theirs. */
  serverTools?: boolean
  /** The server offers presets ("agents") to start a model chat with. */
  presets?: boolean
  /**
   * The account's media (images, avatars, stickers, files) load through the app's media URL
   * (src/shared/media.ts), because its media hosts need what a page cannot send (Yunhu: a Referer).
   */
  media?: boolean
  /**
   * Pictures, files, voice and video are handed to the core as files (`media:stage`) and sent one per
   * message, uploaded by the core (Yunhu); without it a picture goes inline in the message (Mio-Chat).
   */
  uploads?: boolean
}

export const NO_CONVERSATION_CAPABILITIES: ConversationCapabilities = {
  send: [],
  prompt: false,
  recall: false,
  edit: false,
  forward: false,
  quote: false,
  share: false,
  editModel: false,
  botProfile: false,
  groupBotSettings: false,
  board: false,
  textFormat: 'markdown'
}

export function conversationCapabilities(c: Partial<ConversationCapabilities>): ConversationCapabilities {
  return { ...NO_CONVERSATION_CAPABILITIES, ...c }
}
