/**
 * What an account is called (the rail, the header, the avatar's initials) and who a quote names.
 */
import { describe, expect, it } from 'vitest'
import { accountDisplayName, isMadeUpLabel, readableHost, shownAccountName } from '@shared/account-name'
import { initials } from '@renderer/lib/segments'
import { senderNameOf } from '@renderer/lib/sender'
import type { ChatMessage } from '@shared/mio'

describe('account names', () => {
  it('a readable host, never id@127.0.0.1:port', () => {
    expect(readableHost('ws://127.0.0.1:41677')).toBe('localhost:41677')
    expect(readableHost('127.0.0.1:8787')).toBe('localhost:8787')
    expect(readableHost('wss://chat.example.com/api/gateway')).toBe('chat.example.com')
    expect(readableHost('https://chat-go.jwzhd.com')).toBe('chat-go.jwzhd.com')
  })
  it('the label the user gave, else the platform’s name, else the host', () => {
    expect(accountDisplayName({ label: 'Work', labelGiven: true, userId: '10000', server: 'ws://127.0.0.1:41677', platformName: 'MioDesk' })).toBe('Work')
    expect(accountDisplayName({ label: '10000@127.0.0.1:41677', labelGiven: false, userId: '10000', server: 'ws://127.0.0.1:41677', platformName: 'MioDesk' })).toBe('MioDesk')
    expect(accountDisplayName({ label: '10000@127.0.0.1:41677', userId: '10000', server: 'ws://127.0.0.1:41677' })).toBe('localhost:41677')
    // Stored before labels were optional: the made-up forms are told apart from typed ones.
    expect(isMadeUpLabel('10000@127.0.0.1:41677', '10000', 'ws://127.0.0.1:41677')).toBe(true)
    expect(isMadeUpLabel('演示用户 (Yunhu)', 'u1', 'http://127.0.0.1:8787', '演示用户')).toBe(true)
    expect(accountDisplayName({ label: '演示用户 (Yunhu)', userId: 'u1', server: 'http://127.0.0.1:8787', platformName: '演示用户' })).toBe('演示用户')
    expect(isMadeUpLabel('Home', '10000', 'ws://127.0.0.1:41677')).toBe(false)
    expect(shownAccountName({ label: 'x@y', userId: 'x' })).toBe('x@y')
    expect(shownAccountName({ displayName: 'MioDesk', label: 'x@y', userId: 'x' })).toBe('MioDesk')
  })
  it('initials come from that name', () => {
    expect(initials(accountDisplayName({ label: '10000@127.0.0.1:41677', userId: '10000', server: 'ws://127.0.0.1:41677' }))).toBe('L')
    expect(initials(accountDisplayName({ label: '演示用户 (Yunhu)', userId: 'u1', server: 'http://127.0.0.1:8787', platformName: '演示用户' }))).toBe('演')
  })
})

const msg = (p: Partial<ChatMessage>): ChatMessage => ({ id: 'm', contactId: 'g1', self: false, time: 1, segments: [{ type: 'text', data: { text: 'hi' } }], status: 'sent', ...p })

describe('quotes name the quoted message’s sender', () => {
  it('a group member by their own name, a known member by their contact name, else their id', () => {
    const group = { kind: 'group' as const, name: 'Team room' }
    expect(senderNameOf(msg({ senderId: 'u7', senderName: 'Lin' }), group)).toBe('Lin')
    expect(senderNameOf(msg({ senderId: 'u8' }), group, [{ id: 'u8', name: 'Bo' }])).toBe('Bo')
    expect(senderNameOf(msg({ senderId: 'u9' }), group)).toBe('u9')
    expect(senderNameOf(msg({}), { kind: 'bot', name: 'Helper' })).toBe('Helper')
  })
})
