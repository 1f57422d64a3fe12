/**
 * The one typed contract between the renderer and the main process.
 *
 * - `ApiMethods` maps each channel name to its handler signature. Main registers one handler per
 *   channel from a single table (src/core/handlers.ts); the Electron preload
 *   (ipcRenderer.invoke) and the browser bridge (WebSocket RPC) both carry the same calls.
 * - `MainEvents` are the events main pushes (connection state, messages, coalesced stream deltas).
 * - `MioDeskApi` is what the renderer sees as `window.api`: `call(channel, ...args)` and `on(event, cb)`.
 */
import type { HistorySearchHit, HistorySearchQuery } from './search'
import type { ConnectionStatus } from './connection'
import type { AiReply, ChatMessage, LlmContact, LoginInfo, MioPreset, ModelGroup, Segment, ShareResult, ToolApproval, ToolCall } from './mio'
import type {
  YunhuBanner,
  YunhuBotDetailResult,
  YunhuBotLlmSettings,
  YunhuCreateBotInput,
  YunhuEditBotRequest,
  YunhuGroupSettings,
  YunhuLlmModel,
  YunhuMyBotsResult,
  YunhuSettingsForm,
  YunhuSettingsValues,
  YunhuStoreBot
} from './yunhu-api'
import type { YunhuBotData } from './yunhu'
import type { YunhuChatCommands, YunhuCommandInput, YunhuGroupInfoView, YunhuMemberPage } from './yunhu-api'
import type { YunhuAddressBook, YunhuProfile, YunhuRequests } from './yunhu-social'
import type { AccountCapabilities, ConversationCapabilities } from './model/capabilities'
import type { PreviewToken } from './model/parts'
import type { MediaErrorBody, StagedFile, StageFileInput, StickerCatalog, UploadProgress } from './media'
import type { BackupOutcome, RestoreOutcome, RestoreSource } from './backup'
export type { BackupOutcome, RestoreOutcome, RestoreSource } from './backup'

export type AccountKind = 'mio' | 'yunhu'

export interface AccountInfo {
  id: string
  kind: AccountKind
  /** The label stored with the account (the one the user gave it, or one made up when the account was added). */
  label: string
  /**
   * The name to show for the account: the user's label, else the platform's name for it (`nickname`), else a
   * readable host (src/shared/account-name.ts). Read it with `shownAccountName`.
   */
  displayName?: string
  /** The platform's name for the account, when it gives one (Mio-Chat: the server's title; Yunhu: the user's nickname). */
  nickname?: string
  /** Server URL (Mio-Chat) or API base (Yunhu). */
  server: string
  /** The account's user id (mio-chat-id, Yunhu user id). */
  userId: string
  status: ConnectionStatus
  login?: LoginInfo
  /** What the account can do (declared by its provider). */
  capabilities: AccountCapabilities
  /** The account's own avatar (Yunhu: from /v1/user/info), where the platform has one. */
  avatarUrl?: string
}

export interface AddMioAccountInput {
  /** ws://, wss://, http:// or https:// base URL, or host:port. */
  server: string
  id: string
  /** The access code (mio-chat-token). Never echoed back or logged. */
  token: string
  label?: string
}

export type ContactKind = 'bot' | 'llm' | 'user' | 'group'

export interface AddYunhuAccountInput {
  /** API base URL (default https://chat-go.jwzhd.com); the reference server: http://127.0.0.1:8787 */
  api?: string
  /** Push WebSocket URL (default wss://chat-ws-go.jwzhd.com/ws); derived from `api` for loopback servers. */
  ws?: string
  /** Email + password, or an account token. Never echoed back or logged. */
  email?: string
  password?: string
  token?: string
  label?: string
}

/** The login form of each kind of account. */
export interface AddAccountInput {
  mio: AddMioAccountInput
  yunhu: AddYunhuAccountInput
}

/** Options of `messages:send`. */
export interface SendOptions {
  /** Display text of the quoted message ("name: text"), where the platform carries it with the quote. */
  quoteText?: string
}

/** A bot board as shown in a chat. */
export interface YunhuBoard {
  chatId: string
  botId: string
  botName?: string
  /** 'text' | 'markdown' | 'html' */
  contentType: 'text' | 'markdown' | 'html'
  content: string
  updatedAt?: number
}

export interface Contact {
  /** Conversation id within the account (the onebot contact id, or `llm:<id>`). */
  id: string
  kind: ContactKind
  name: string
  avatar?: string
  llm?: LlmContact
  /**
   * The newest message: its id, time, a plain-English `preview` (fallback), and `tokens`, the preview before
   * wording, which the renderer words in the user's language (the message itself is not sent again).
   */
  lastMessage?: { id?: string; preview: string; time: number; tokens?: PreviewToken[] }
  /** Unread messages known to the server (Yunhu); the renderer also counts what arrives while away. */
  unread?: number
  /** Pinned to the top of the list (on the server, where `capabilities.pin`). */
  pinned?: boolean
  /** The server sends no notifications for it (where `capabilities.mute`): no notification, a quiet badge. */
  muted?: boolean
  /** What this conversation can do (declared by the account's provider). */
  capabilities: ConversationCapabilities
}

/** A finished export. */
export interface ExportOutcome {
  fileName: string
  /** Where it was written. */
  path: string
  /** A URL the page may open or download it from (browser host). */
  url?: string
  format: 'markdown' | 'html' | 'json'
  messages: number
  bytes: number
}

/** An A2UI form submitted (`yunhu:a2ui-submit`). */
export interface A2uiSubmit {
  surfaceId: string
  actionName: string
  sourceComponentId: string
  /** The button's own context and the form's values, by key / component id. */
  context: Record<string, string | boolean>
}

/** A message found by the platform's search inside a conversation (`messages:search`). */
export interface SearchHit {
  messageId: string
  /** The platform's sequence number, to jump there (as text: 64-bit). */
  seq?: string
  senderName: string
  senderAvatar?: string
  text: string
  /** ms */
  time: number
}

export interface AppInfo {
  version: string
  platform: string
  /** 'electron' in the app, 'browser' behind the web bridge. */
  host: 'electron' | 'browser'
  /** A ready account offered on first run (the local reference server started beside the app). */
  suggestedAccount?: { server: string; id: string; token: string; label: string }
  /** Messages the history could not write yet (null or absent: none). */
  storageFault?: StorageFault | null
  /** Settings files that were damaged at start: moved aside to these paths, defaults used instead. */
  damagedFiles?: string[]
}

export interface Settings {
  locale: 'system' | 'zh-CN' | 'en'
  theme: 'system' | 'light' | 'dark'
  /** 'enter' = Enter sends, Shift+Enter new line; 'ctrl-enter' = the reverse. */
  sendKey: 'enter' | 'ctrl-enter'
  heartbeatIntervalMs: number
  notifications: boolean
  privacyMode: boolean
  closeToTray: boolean
  /** Conversations without notifications, as `accountId:contactId`. */
  mutedConversations: string[]
  /** Images and media from other sites (not the account's server, not the platform's CDN): ask first, or always load them. */
  remoteMedia: 'ask' | 'always'
  /** Conversations whose remote images load without asking, as `accountId:contactId`. */
  remoteMediaConversations: string[]
  /** Automatic backups (secrets left out) into this folder once a day; '' = off. */
  autoBackupFolder: string
  /** How many automatic backups to keep in the folder (the oldest go). */
  autoBackupKeep: number
}

export const DEFAULT_SETTINGS: Settings = {
  locale: 'system',
  theme: 'system',
  sendKey: 'enter',
  heartbeatIntervalMs: 3000,
  notifications: true,
  privacyMode: false,
  closeToTray: true,
  mutedConversations: [],
  remoteMedia: 'ask',
  remoteMediaConversations: [],
  autoBackupFolder: '',
  autoBackupKeep: 7
}

export interface ApiMethods {
  'app:info': () => Promise<AppInfo>
  /** Opens an http/https URL in the system browser (main re-parses and checks it). */
  'app:open-external': (url: string) => Promise<void>
  /**
   * Saves a remote (http/https) file through the main process: a save dialog, then progress as `download`
   * events. Rejects where the host cannot (the browser build: the page saves it itself).
   */
  'app:save-url': (url: string) => Promise<void>
  /**
   * Why an account's media URL does not load (null: it loads now). The renderer asks after an image of
   * the app's media URL (src/shared/media.ts) failed, to show the reason.
   */
  'media:status': (accountId: string, url: string) => Promise<MediaErrorBody['error'] | null>
  /**
   * Hands the core a file to send (its bytes, base64; at most 40 MB): the answer's `ref` goes into a message
   * part as `data.staged` (image, file, record, video). The core keeps the file until the message is sent.
   */
  'media:stage': (file: StageFileInput) => Promise<StagedFile>
  'settings:get': () => Promise<Settings>
  'settings:set': (patch: Partial<Settings>) => Promise<Settings>

  'accounts:list': () => Promise<AccountInfo[]>
  /** Adds an account of a kind and logs in; rejects with a sentence (e.g. "Invalid credentials …") when login fails. */
  'accounts:add': <K extends AccountKind>(kind: K, input: AddAccountInput[K]) => Promise<AccountInfo>
  /** After the platform refused the stored login (`relogin-required`): log in again, keeping everything on screen. */
  'accounts:relogin': (accountId: string, input: AddYunhuAccountInput) => Promise<AccountInfo>
  'accounts:remove': (accountId: string) => Promise<void>
  'accounts:reconnect': (accountId: string) => Promise<void>

  'contacts:list': (accountId: string) => Promise<Contact[]>
  'contacts:save-llm': (accountId: string, contact: LlmContact) => Promise<LlmContact>
  'contacts:delete-llm': (accountId: string, contactId: string) => Promise<void>

  /** Messages of a conversation, oldest first; `before` = a message time (ms) to page backwards. */
  'history:list': (accountId: string, contactId: string, before?: number, limit?: number) => Promise<ChatMessage[]>
  /** Full-text search over every stored conversation of every account, newest first (src/shared/search.ts). */
  'history:search': (query: HistorySearchQuery) => Promise<HistorySearchHit[]>
  /**
   * Exports a conversation (all of it, or `messageIds`) as Markdown, HTML or JSON: the host asks where
   * (Electron) or saves into its exports folder (browser, with a URL to open); null when cancelled.
   */
  'history:export': (accountId: string, contactId: string, format: 'markdown' | 'html' | 'json', options?: { messageIds?: string[] }) => Promise<ExportOutcome | null>
  /** Backs up the whole profile to one file (secrets under `passphrase`, or left out); null when cancelled. */
  'backup:create': (options?: { passphrase?: string }) => Promise<BackupOutcome | null>
  /** The backups in the profile's backups folder, newest first (browser host; empty elsewhere). */
  'backup:list': () => Promise<{ name: string }[]>
  /** Replaces the profile with a backup's (the current one is kept aside); null when cancelled. */
  'backup:restore': (source: RestoreSource | null, passphrase?: string) => Promise<RestoreOutcome | null>

  /**
   * Sends a message of parts (what the conversation's `capabilities.send` allows) through the account's
   * outbox; resolves with the stored message: 'sent', 'failed' with an error, or — while offline —
   * 'sending', sent by itself when the link is back.
   */
  'messages:send': (accountId: string, contactId: string, segments: Segment[], options?: SendOptions) => Promise<ChatMessage>
  /** Re-sends a failed message. */
  'messages:retry': (accountId: string, contactId: string, messageId: string) => Promise<ChatMessage>
  'messages:recall': (accountId: string, contactId: string, messageId: string) => Promise<void>
  /** Edits an own sent message (where `capabilities.edit`). */
  'messages:edit': (accountId: string, contactId: string, messageId: string, segments: Segment[]) => Promise<ChatMessage>
  'messages:forward': (accountId: string, fromContactId: string, messageIds: string[], toContactId: string) => Promise<ChatMessage>
  /** The platform's history search inside a conversation (where `capabilities.search`); `before` = ms, to page older. */
  'messages:search': (accountId: string, contactId: string, word: string, before?: number) => Promise<SearchHit[]>
  /** Messages around one message (a search hit), oldest first, stored and shown in the conversation. */
  'history:around': (accountId: string, contactId: string, messageId: string) => Promise<ChatMessage[]>
  /** The conversation was read here: the server's unread count drops (where the platform counts them). */
  'conversations:read': (accountId: string, contactId: string) => Promise<void>
  /** Pins or unpins a conversation (where `capabilities.pin`). */
  'conversations:pin': (accountId: string, contactId: string, pinned: boolean) => Promise<void>
  /** Removes a conversation from the list (not the contact; where `capabilities.remove`). */
  'conversations:remove': (accountId: string, contactId: string) => Promise<void>
  /** The composer's text, synced to the account's other devices (where `capabilities.draftSync`; best effort). */
  'conversations:draft': (accountId: string, contactId: string, text: string) => Promise<void>
  /** Turns the server's notifications for a conversation off or on (where `capabilities.mute`). */
  'conversations:mute': (accountId: string, contactId: string, muted: boolean) => Promise<void>
  'mio:share': (accountId: string, contactId: string) => Promise<ShareResult>
  'mio:models': (accountId: string) => Promise<ModelGroup[]>
  /** Starts an AI reply in an LLM conversation; the reply grows through `stream` events. */
  'mio:complete': (accountId: string, contactId: string, prompt: string) => Promise<{ userMessage: ChatMessage; replyMessage: ChatMessage }>
  /** Retries a failed or interrupted AI reply (re-asks the same history). */
  'mio:complete-retry': (accountId: string, contactId: string, replyMessageId: string) => Promise<{ replyMessage: ChatMessage }>
  /** Edits the last prompt of a model chat and resends it: a new prompt version and a new answer after it. */
  'mio:edit-prompt': (accountId: string, contactId: string, messageId: string, text: string) => Promise<{ userMessage: ChatMessage; replyMessage: ChatMessage }>
  /** Shows another version of a reply or an edited prompt (0-based); the messages that changed. */
  'mio:show-version': (accountId: string, contactId: string, messageId: string, index: number) => Promise<ChatMessage[]>
  'mio:abort': (accountId: string, contactId: string, replyMessageId: string) => Promise<void>
  /** Answers the question a reply waits on (`ai.approval`: run this tool?), with an optional reason for a no. */
  'mio:answer': (accountId: string, contactId: string, replyMessageId: string, approved: boolean, reason?: string, always?: boolean) => Promise<void>
  /** The server's presets ("agents") to start a model chat with (empty where the server has none). */
  'mio:presets': (accountId: string) => Promise<MioPreset[]>
  'mio:ping': (accountId: string) => Promise<number>
  /** The tools the server offers model contacts, by name (empty where the server lists none). */
  'mio:tools': (accountId: string) => Promise<string[]>

  // ---- Yunhu (云湖) only: the bot store and console, boards, buttons. Yunhu conversations and messages go
  // through the generic channels above; a Yunhu message's content becomes segments: text, markdown {text},
  // html {html}, image, file, reply {id, text}, at {qq, name}, buttons {rows: YunhuButton[][]}.
  'yunhu:banners': (accountId: string) => Promise<YunhuBanner[]>
  'yunhu:store': (accountId: string) => Promise<YunhuStoreBot[]>
  'yunhu:bot-detail': (accountId: string, botId: string) => Promise<YunhuBotDetailResult>
  'yunhu:my-bots': (accountId: string) => Promise<YunhuMyBotsResult>
  'yunhu:bot-info': (accountId: string, botId: string) => Promise<YunhuBotData>
  'yunhu:create-bot': (accountId: string, input: YunhuCreateBotInput) => Promise<YunhuBotData>
  'yunhu:edit-bot': (accountId: string, input: YunhuEditBotRequest) => Promise<void>
  /** Resolves with the new token. */
  'yunhu:reset-token': (accountId: string, botId: string) => Promise<string>
  /** http/https URLs only (validated in main too). */
  'yunhu:set-link': (accountId: string, botId: string, link: string) => Promise<void>
  'yunhu:remove-follower': (accountId: string, botId: string, userId: string) => Promise<void>
  'yunhu:remove-group': (accountId: string, botId: string, groupId: string) => Promise<void>
  'yunhu:llm-models': (accountId: string) => Promise<YunhuLlmModel[]>
  'yunhu:llm-settings': (accountId: string, botId: string) => Promise<YunhuBotLlmSettings>
  'yunhu:edit-setting-form': (accountId: string, botId: string, form: YunhuSettingsForm) => Promise<void>
  'yunhu:group-settings': (accountId: string, botId: string, groupId: string) => Promise<YunhuGroupSettings>
  'yunhu:save-group-settings': (accountId: string, botId: string, groupId: string, values: YunhuSettingsValues) => Promise<YunhuGroupSettings>
  /** The board of a chat (a bot's private chat or a group), if any. */
  'yunhu:board': (accountId: string, contactId: string) => Promise<YunhuBoard | null>
  /** A click on a message button: reports it per the facts file (actionType 3 / value) and opens links via app:open-external in the renderer. */
  'yunhu:button': (accountId: string, contactId: string, messageId: string, value: string) => Promise<void>
  /** The user's saved stickers and sticker packs (expression/list, sticker/list), for the sticker picker. */
  'yunhu:stickers': (accountId: string) => Promise<StickerCatalog>
  /** Adds a picture (e.g. a received sticker) to the saved stickers (expression/create). */
  'yunhu:save-sticker': (accountId: string, url: string) => Promise<void>
  // Yunhu groups and bot commands (src/core/accounts/yunhu/groups.ts).
  'yunhu:group-info': (accountId: string, groupId: string) => Promise<YunhuGroupInfoView>
  /** One page (from 1) of a group's members, optionally matching `keywords`. */
  'yunhu:members': (accountId: string, groupId: string, page: number, keywords?: string) => Promise<YunhuMemberPage>
  /** Mutes a member for `seconds` (600, 3600, 21600, 43200, -1 for ever, 0 off); owner or admin. */
  'yunhu:mute-member': (accountId: string, groupId: string, userId: string, seconds: number) => Promise<void>
  'yunhu:remove-member': (accountId: string, groupId: string, userId: string) => Promise<void>
  /** The bot commands and quick menus of a chat (a group, or a private bot chat). */
  'yunhu:commands': (accountId: string, contactId: string) => Promise<YunhuChatCommands>
  /** Sends a bot command (by its id from yunhu:commands) with its text or form values. */
  'yunhu:send-command': (accountId: string, contactId: string, commandId: string, input: YunhuCommandInput) => Promise<ChatMessage>
  /** Fires a quick-menu button (with the choice of a toggle or drop-down). */
  'yunhu:menu-event': (accountId: string, contactId: string, menuId: string, value?: string) => Promise<void>
  /** Submits an A2UI form of a message (a2ui-form-report): the action pressed and the values by component id. */
  'yunhu:a2ui-submit': (accountId: string, contactId: string, messageId: string, submit: A2uiSubmit) => Promise<void>
  /** The address book: friends, groups, bots. */
  'yunhu:address-book': (accountId: string) => Promise<YunhuAddressBook>
  /** A user's profile (get-user) or, for a bot id, the bot's (bot-info). */
  'yunhu:profile': (accountId: string, id: string, kind?: 'user' | 'bot') => Promise<YunhuProfile>
  /** Friend requests and group invitations (request-list). */
  'yunhu:requests': (accountId: string) => Promise<YunhuRequests>
  /** Accepts or declines a request (agree-apply); resolves with the list as it is then. */
  'yunhu:answer-request': (accountId: string, requestId: string, accept: boolean) => Promise<YunhuRequests>
}

export type ApiChannel = keyof ApiMethods

/**
 * Every channel, for allowlists (preload and bridge reject anything else). Keyed by `ApiChannel`, so
 * the compiler refuses a channel missing here or one that `ApiMethods` (and so the handler table,
 * `ApiHandlers` in src/core/handlers.ts) does not have.
 */
const CHANNELS: { readonly [C in ApiChannel]: true } = {
  'app:info': true,
  'app:open-external': true,
  'app:save-url': true,
  'media:status': true,
  'media:stage': true,
  'settings:get': true,
  'settings:set': true,
  'accounts:list': true,
  'accounts:add': true,
  'accounts:relogin': true,
  'accounts:remove': true,
  'accounts:reconnect': true,
  'contacts:list': true,
  'contacts:save-llm': true,
  'contacts:delete-llm': true,
  'history:list': true,
  'history:search': true,
  'history:export': true,
  'backup:create': true,
  'backup:list': true,
  'backup:restore': true,
  'messages:send': true,
  'messages:retry': true,
  'messages:recall': true,
  'messages:edit': true,
  'messages:forward': true,
  'mio:share': true,
  'mio:models': true,
  'mio:complete': true,
  'mio:complete-retry': true,
  'mio:edit-prompt': true,
  'mio:show-version': true,
  'mio:abort': true,
  'mio:answer': true,
  'mio:ping': true,
  'mio:tools': true,
  'mio:presets': true,
  'yunhu:banners': true,
  'yunhu:store': true,
  'yunhu:bot-detail': true,
  'yunhu:my-bots': true,
  'yunhu:bot-info': true,
  'yunhu:create-bot': true,
  'yunhu:edit-bot': true,
  'yunhu:reset-token': true,
  'yunhu:set-link': true,
  'yunhu:remove-follower': true,
  'yunhu:remove-group': true,
  'yunhu:llm-models': true,
  'yunhu:llm-settings': true,
  'yunhu:edit-setting-form': true,
  'yunhu:group-settings': true,
  'yunhu:save-group-settings': true,
  'yunhu:board': true,
  'yunhu:button': true,
  'yunhu:stickers': true,
  'yunhu:save-sticker': true,
  'yunhu:group-info': true,
  'yunhu:members': true,
  'yunhu:mute-member': true,
  'yunhu:remove-member': true,
  'yunhu:commands': true,
  'yunhu:send-command': true,
  'yunhu:menu-event': true,
  'messages:search': true,
  'history:around': true,
  'conversations:read': true,
  'conversations:pin': true,
  'conversations:remove': true,
  'conversations:mute': true,
  'conversations:draft': true,
  'yunhu:address-book': true,
  'yunhu:profile': true,
  'yunhu:requests': true,
  'yunhu:answer-request': true,
  'yunhu:a2ui-submit': true
}

export const API_CHANNELS = Object.keys(CHANNELS) as ApiChannel[]

/** A coalesced change to a streaming AI reply (at most one per animation frame per reply). */
export interface StreamDelta {
  accountId: string
  contactId: string
  messageId: string
  status: AiReply['status']
  /** Text appended since the previous delta. */
  textAppend: string
  /** Rarely set (a late out-of-order chunk): the whole text, replacing what was shown; then textAppend is ''. */
  text?: string
  reasoningAppend: string
  /** Rarely set (a resumed reply): the whole reasoning, replacing what was shown; then reasoningAppend is ''. */
  reasoning?: string
  /** Full tool-call list when it changed since the previous delta. */
  toolCalls?: ToolCall[]
  /** The question to the user when it changed since the previous delta (null: answered, gone). */
  approval?: ToolApproval | null
  error?: string
  errorDetail?: string
}

export interface MainEvents {
  connection: { accountId: string; status: ConnectionStatus }
  /** A new message, or a changed one (status, recall); replaces any copy with the same id. */
  message: { accountId: string; message: ChatMessage }
  'message-deleted': { accountId: string; contactId: string; messageId: string }
  stream: StreamDelta
  accounts: { accounts: AccountInfo[] }
  contacts: { accountId: string; contacts: Contact[] }
  settings: Settings
  /** Main asks the renderer to open a conversation (e.g. a notification was clicked). */
  'open-conversation': { accountId: string; contactId: string }
  /** A chat's board changed (Yunhu bot_board_message); `board` null when cleared. */
  board: { accountId: string; contactId: string; board: YunhuBoard | null }
  /** A Yunhu account's token was refused (-101): ask the user to log in again; keep everything on screen. */
  'relogin-required': { accountId: string }
  /** A Mio-Chat server's presets or tools changed: lists of them that are open should ask again. */
  catalog: { accountId: string; what: 'presets' | 'tools' }
  /** A file being saved through the main process: its progress, then how it ended. */
  download: DownloadProgress
  /** The upload of a picture, file, voice message or video being sent: bytes so far, then `done`. */
  upload: UploadProgress
  /** The history could not be written (messages are held in memory and written later), or `fault: null`: all written. */
  storage: { fault: StorageFault | null }
  /** Friend requests or invitations changed (Yunhu invite_apply): how many wait for an answer. */
  requests: { accountId: string; pending: number }
  /** A draft typed on another device of the account (Yunhu draft_input). */
  draft: { accountId: string; contactId: string; text: string }
}

export interface DownloadProgress {
  id: string
  /** The file's name as saved. */
  name: string
  received: number
  /** Bytes in all, 0 when the server did not say. */
  total: number
  state: 'progressing' | 'completed' | 'cancelled' | 'interrupted'
}

export type StorageFaultKind = 'disk-full' | 'read-only' | 'write-failed'

/** Messages the history store did not take yet: shown and kept in memory, written again every few seconds. */
export interface StorageFault {
  kind: StorageFaultKind
  held: number
}

export type MainEventName = keyof MainEvents

/** Every event main pushes, as a table keyed by the event type so that a new event cannot be left out. */
const MAIN_EVENT_TABLE: { [K in MainEventName]: true } = {
  connection: true,
  message: true,
  'message-deleted': true,
  stream: true,
  accounts: true,
  contacts: true,
  settings: true,
  'open-conversation': true,
  board: true,
  'relogin-required': true,
  catalog: true,
  storage: true,
  download: true,
  upload: true,
  requests: true,
  draft: true
}

export const MAIN_EVENTS = Object.keys(MAIN_EVENT_TABLE) as MainEventName[]

/** IPC channel prefix for pushed events (`evt:<name>`). */
export const EVENT_PREFIX = 'evt:'

export interface MioDeskApi {
  call<C extends ApiChannel>(channel: C, ...args: Parameters<ApiMethods[C]>): ReturnType<ApiMethods[C]>
  on<E extends MainEventName>(event: E, listener: (payload: MainEvents[E]) => void): () => void
}

/** The carrier a concrete API rides on (ipcRenderer in the preload, a WebSocket in the browser bridge). */
export interface ApiCarrier {
  invoke(channel: string, args: unknown[]): Promise<unknown>
  subscribe(event: string, listener: (payload: unknown) => void): () => void
}

const channelSet = new Set<string>(API_CHANNELS)
const eventSet = new Set<string>(MAIN_EVENTS)

export function isApiChannel(c: unknown): c is ApiChannel {
  return typeof c === 'string' && channelSet.has(c)
}

export function isMainEvent(e: unknown): e is MainEventName {
  return typeof e === 'string' && eventSet.has(e)
}

/** Builds the renderer-facing API over a carrier; the preload and the browser bridge both use it. */
export function buildApi(carrier: ApiCarrier): MioDeskApi {
  return {
    call(channel, ...args) {
      if (!isApiChannel(channel)) return Promise.reject(new Error(`Unknown API channel: ${String(channel)}`)) as never
      return carrier.invoke(channel, args) as never
    },
    on(event, listener) {
      if (!isMainEvent(event)) throw new Error(`Unknown event: ${String(event)}`)
      return carrier.subscribe(event, listener as (p: unknown) => void)
    }
  }
}
