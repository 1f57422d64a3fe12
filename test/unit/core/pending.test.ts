import { afterEach, describe, expect, it, vi } from 'vitest'
import { PendingRequests } from '../../../src/core/transport/pending'
import { TransportError } from '../../../src/core/transport/errors'
import { createMemoryLogger } from '../../../src/core/log'

afterEach(() => {
  vi.useRealTimers()
})

describe('PendingRequests', () => {
  it('resolves by the exact id: 5 and "5" are different requests', async () => {
    const p = new PendingRequests()
    const num = p.add<string>(5, 1000)
    const str = p.add<string>('5', 1000)
    expect(p.size).toBe(2)
    expect(p.resolve('5', 'string reply')).toBe(true)
    expect(p.has(5)).toBe(true)
    expect(p.has('5')).toBe(false)
    expect(p.resolve(5, 'number reply')).toBe(true)
    await expect(str).resolves.toBe('string reply')
    await expect(num).resolves.toBe('number reply')
    expect(p.size).toBe(0)
  })

  it('rejects a duplicate id instead of overwriting the first request', async () => {
    const p = new PendingRequests()
    const first = p.add('a', 1000)
    await expect(p.add('a', 1000)).rejects.toMatchObject({ kind: 'protocol' })
    p.resolve('a', 1)
    await expect(first).resolves.toBe(1)
  })

  it('times out each request on its own', async () => {
    vi.useFakeTimers()
    const p = new PendingRequests()
    const fast = p.add('fast', 100, 'heartbeat')
    const slow = p.add('slow', 1000, 'model list')
    const fastErr = fast.catch((e: unknown) => e)
    vi.advanceTimersByTime(150)
    const e = (await fastErr) as TransportError
    expect(e).toBeInstanceOf(TransportError)
    expect(e.kind).toBe('timeout')
    expect(e.message).toBe('The server did not answer the heartbeat within 0.1 s')
    expect(p.has('slow')).toBe(true)
    expect(p.resolve('slow', 'ok')).toBe(true)
    await expect(slow).resolves.toBe('ok')
  })

  it('failAll rejects everything at once and clears the timers', async () => {
    vi.useFakeTimers()
    const p = new PendingRequests()
    const all = [p.add(1, 10_000), p.add('2', 10_000), p.add(3, 20_000)].map((x) => x.then(() => 'resolved', (e: Error) => e))
    const err = new TransportError('closed', 'Connection lost')
    p.failAll(err)
    expect(p.size).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    const results = await Promise.all(all)
    expect(results).toEqual([err, err, err])
  })

  it('ignores and logs late replies (after a timeout, after failAll, unknown ids)', async () => {
    vi.useFakeTimers()
    const log = createMemoryLogger()
    const p = new PendingRequests(log)
    const r = p.add('late', 50).catch((e: TransportError) => e.kind)
    vi.advanceTimersByTime(60)
    expect(await r).toBe('timeout')
    expect(p.resolve('late', 'too late')).toBe(false)
    expect(p.resolve('never-sent', {})).toBe(false)
    const f = p.add(7, 1000).catch(() => 'failed')
    p.failAll(new Error('down'))
    expect(await f).toBe('failed')
    expect(p.resolve(7, 'after fail')).toBe(false)
    const msgs = log.entries.map((e) => e.msg)
    expect(msgs).toEqual([
      'ignored a reply to unknown or expired request "late"',
      'ignored a reply to unknown or expired request "never-sent"',
      'ignored a reply to unknown or expired request 7'
    ])
  })

  it('reject settles one request only', async () => {
    const p = new PendingRequests()
    const a = p.add('a', 1000)
    const b = p.add('b', 1000)
    expect(p.reject('a', new TransportError('aborted', 'Stopped'))).toBe(true)
    expect(p.reject('a', new Error('again'))).toBe(false)
    await expect(a).rejects.toMatchObject({ kind: 'aborted' })
    p.resolve('b', 2)
    await expect(b).resolves.toBe(2)
  })
})
