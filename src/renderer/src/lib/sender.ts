/**
 * Who sent a message, as a name: the sender's own name where the platform gives one (Yunhu groups), else —
 * in a group — the member's name when they are also a contact, else their id; elsewhere the contact itself.
 * The same rule as a message row's name, for what points at a message from elsewhere (a quote).
 */
import type { Contact } from '@shared/api'
import type { ChatMessage } from '@shared/mio'

export function senderNameOf(m: ChatMessage, contact: Pick<Contact, 'kind' | 'name'> | undefined, known: readonly Pick<Contact, 'id' | 'name'>[] = []): string {
  if (m.senderName) return m.senderName
  if (contact && contact.kind !== 'group') return contact.name
  const id = m.senderId
  const member = id ? known.find((c) => c.id === id)?.name : undefined
  return member || id || contact?.name || ''
}
