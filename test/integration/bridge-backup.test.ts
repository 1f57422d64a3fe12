/**
 * The browser host's side of backups: a backup lands in the profile's backups folder and downloads from
 * `/backups/` only with the page's token; `backup:list` names it and a restore may name it, nothing outside.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startBridge } from '../../src/bridge/host'
import { createHandlers, dispatch } from '../../src/core/handlers'
import type { BackupOutcome, RestoreOutcome } from '../../src/shared/api'

const root = mkdtempSync(join(tmpdir(), 'miodesk-bridge-backup-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('browser host backups', () => {
  it('saves into backups/, serves it with the token only, restores it by name', async () => {
    const staticDir = join(root, 'renderer')
    mkdirSync(staticDir, { recursive: true })
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>MioDesk</title>')
    const bridge = await startBridge({ staticDir, dataDir: join(root, 'data'), core: { backupKdf: { N: 1024, r: 8, p: 1 } } })
    try {
      const h = createHandlers(bridge.core)
      const call = (c: string, ...a: unknown[]) => dispatch(h, c as never, a)
      await call('settings:set', { theme: 'dark' })
      const made = (await call('backup:create', { passphrase: 'a long passphrase' })) as BackupOutcome
      expect(made.path.startsWith(join(bridge.dataDir, 'backups'))).toBe(true)
      expect(made.url).toMatch(/^\/backups\/.+\?token=/)
      const bytes = readFileSync(made.path)
      const noToken = await fetch(`${bridge.origin}${made.url!.split('?')[0]}`)
      expect(noToken.status).toBe(403)
      const wrongToken = await fetch(`${bridge.origin}${made.url!.split('?')[0]}?token=nope`)
      expect(wrongToken.status).toBe(403)
      const ok = await fetch(`${bridge.origin}${made.url}`)
      expect(ok.status).toBe(200)
      expect(ok.headers.get('content-type')).toBe('application/octet-stream')
      expect(Buffer.from(await ok.arrayBuffer()).equals(bytes)).toBe(true)
      expect(await call('backup:list')).toEqual([{ name: made.fileName }])

      await call('settings:set', { theme: 'light' })
      await expect(call('backup:restore', { name: '../miodesk-web.json' })).rejects.toThrow(/not in the backups folder/)
      await expect(call('backup:restore', { name: made.fileName })).rejects.toThrow(/enter it to restore/)
      const r = (await call('backup:restore', { name: made.fileName }, 'a long passphrase')) as RestoreOutcome
      expect(r.keptAside.startsWith(bridge.dataDir)).toBe(true)
      expect(bridge.core.getSettings().theme).toBe('dark')
    } finally {
      await bridge.close()
    }
  })
})
