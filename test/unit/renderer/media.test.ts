/** useMediaApi: which media the renderer shows through the app's media URL (Yunhu's), and which as they are (Mio-Chat's). */
import { afterAll, describe, expect, it, vi } from 'vitest'

const call = vi.fn(async () => ({ code: 'refused', message: 'The Yunhu media host refused it (HTTP 403)' }))
;(globalThis as any).window = { api: { call, on: () => () => {} } }
afterAll(() => {
  delete (globalThis as any).window
})

const { useMediaApi } = await import('../../../src/renderer/src/composables/useMediaApi')

const yunhu = { id: 'yh-1', capabilities: { modelContacts: false, botConsole: true, relogin: true, ping: false, media: true } }
const mio = { id: 'mio-1', capabilities: { modelContacts: true, botConsole: false, relogin: false, ping: true } }

describe('useMediaApi', () => {
  it("maps a Yunhu account's media to miodesk-media:// in Electron, and leaves Mio-Chat's and local values alone", () => {
    const m = useMediaApi()
    expect(m.url(yunhu, 'https://chat-img.jwznb.com/a/cat.png')).toBe('miodesk-media://media/yh-1/https%3A%2F%2Fchat-img.jwznb.com%2Fa%2Fcat.png')
    expect(m.url(yunhu, 'expression/x.jpg')).toBe('miodesk-media://media/yh-1/expression%2Fx.jpg')
    expect(m.url(mio, 'https://mio.example/a.png')).toBeUndefined()
    expect(m.url(undefined, 'https://chat-img.jwznb.com/a.png')).toBeUndefined()
    for (const local of ['data:image/png;base64,AAAA', 'blob:app://miodesk/1', 'base64://AAAA', '', '  ']) expect(m.url(yunhu, local), local).toBeUndefined()
  })

  it('asks the core why a media value did not load', async () => {
    await expect(useMediaApi().status('yh-1', 'https://chat-img.jwznb.com/a.png')).resolves.toEqual({ code: 'refused', message: 'The Yunhu media host refused it (HTTP 403)' })
    expect(call).toHaveBeenCalledWith('media:status', 'yh-1', 'https://chat-img.jwznb.com/a.png')
  })
})
