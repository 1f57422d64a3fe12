/**
 * Remote media in the open conversation: the rule's context (the account's own server, the user's
 * setting, whether this conversation was allowed — src/shared/remote-media.ts), allowing a conversation,
 * and the watch over the window's DOM that shows or holds back the images of sanitised HTML
 * (lib/remote-media.ts). Segment images ask `allows` directly (SegmentList.vue).
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { remoteMediaVerdict, type RemoteMediaContext } from '@shared/remote-media'
import { i18n } from '../i18n'
import { hasDeferred, resolveRemoteImages } from '../lib/remote-media'
import { serverHttpBase } from '../lib/segments'
import { useAccountsStore } from './accounts'
import { useConversationsStore } from './conversations'
import { useSettingsStore } from './settings'

/** A placeholder of a held-back image (made here for HTML, by SegmentList for image parts). */
const HELD = '[data-testid="remote-media-blocked"]'

export const useRemoteMediaStore = defineStore('remoteMedia', () => {
  const accounts = useAccountsStore()
  const conversations = useConversationsStore()
  const settings = useSettingsStore()

  /** `accountId:contactId` of the open conversation ('' when none). */
  const activeKey = computed(() => (accounts.active && conversations.activeContactId ? `${accounts.active.id}:${conversations.activeContactId}` : ''))
  const allowedHere = computed(() => !!activeKey.value && settings.settings.remoteMediaConversations.includes(activeKey.value))
  const context = computed<RemoteMediaContext>(() => ({
    ownOrigins: [serverHttpBase(accounts.active?.server)].filter(Boolean),
    mode: settings.settings.remoteMedia,
    allowedHere: allowedHere.value
  }))
  /** True when `url` may be fetched in the open conversation now. */
  function allows(url: string): boolean {
    return remoteMediaVerdict(url, context.value) === 'load'
  }

  /** Conversations where something was held back (this session): they offer the per-conversation switch. */
  const heldIn = ref<ReadonlySet<string>>(new Set())
  const heldHere = computed(() => heldIn.value.has(activeKey.value))
  function noteHeld(): void {
    const k = activeKey.value
    if (k && !heldIn.value.has(k)) heldIn.value = new Set([...heldIn.value, k])
  }

  /** Loads (or again asks for) remote media in the open conversation; kept in settings. */
  function setAllowedHere(on: boolean): void {
    const k = activeKey.value
    if (!k) return
    const rest = settings.settings.remoteMediaConversations.filter((x) => x !== k)
    void settings.set({ remoteMediaConversations: on ? [...rest, k] : rest })
  }

  const words = {
    blocked: (host: string) => i18n.global.t('remote.blocked', { host }),
    get load() {
      return i18n.global.t('remote.load')
    },
    get loadHint() {
      return i18n.global.t('remote.loadHint')
    }
  }
  function resolve(root: ParentNode): void {
    if (resolveRemoteImages(root, allows, words, () => setAllowedHere(true)) > 0) noteHeld()
  }

  let observer: MutationObserver | null = null
  /** Watches `root` for sanitised HTML with held-back images, and re-decides them all when the rule's context changes. */
  function watchDom(root: HTMLElement): () => void {
    observer?.disconnect()
    observer = new MutationObserver((records) => {
      for (const r of records)
        for (const n of r.addedNodes) {
          if (hasDeferred(n)) resolve(n as Element)
          else if (n instanceof Element && (n.matches(HELD) || n.querySelector(HELD))) noteHeld()
        }
    })
    observer.observe(root, { childList: true, subtree: true })
    resolve(root)
    const stop = watch([context, () => settings.locale], ([, locale], [, before]) => {
      // Placeholders made in the other language are made again.
      if (locale !== before) for (const p of root.querySelectorAll(`.remote-media${HELD}`)) p.remove()
      resolve(root)
    })
    return () => {
      stop()
      observer?.disconnect()
      observer = null
    }
  }

  return { activeKey, allowedHere, context, allows, heldHere, noteHeld, setAllowedHere, watchDom }
})
