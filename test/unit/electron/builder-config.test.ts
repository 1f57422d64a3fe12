/** The installer configuration (CI cannot download Electron to build installers, so it checks the config). */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const root = join(__dirname, '../../..')
const yaml = require('js-yaml') as { load(s: string): unknown }
const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>

function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file)
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG')
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
}

describe('electron-builder.yml', () => {
  it('is accepted by electron-builder’s own schema validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration(c: unknown, logger: unknown): Promise<void>
    }
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled?: boolean) => unknown }
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined()
    // …and the validation is real: a wrong type is refused.
    await expect(validateConfiguration({ ...structuredClone(config), asar: 'sometimes' }, new DebugLogger(false))).rejects.toThrow()
  })

  it('builds AppImage + deb, nsis and dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']))
    expect(config.win.target).toEqual(expect.arrayContaining(['nsis']))
    expect(config.mac.target).toEqual(expect.arrayContaining(['dmg']))
  })

  it('sets the Electron fuses and packs the app in an integrity-checked asar', () => {
    expect(config.asar).toBe(true)
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true
    })
  })

  it('sets every fuse Electron has, explicitly: a fuse added by an Electron upgrade fails here until it is decided', () => {
    const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<string, string | number> }
    const names = Object.keys(FuseV1Options)
      .filter((k) => Number.isNaN(Number(k)))
      .map((k) => k[0]!.toLowerCase() + k.slice(1))
    expect(names.length).toBeGreaterThanOrEqual(8)
    for (const n of names) expect(typeof config.electronFuses[n], `fuse ${n}`).toBe('boolean')
    expect(Object.keys(config.electronFuses).sort()).toEqual(names.sort())
  })

  it('Electron is a supported major (the newest stable when chosen: 45), and better-sqlite3 is rebuilt for it', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; dependencies: Record<string, string> }
    const major = Number(/(\d+)/.exec(pkg.devDependencies.electron ?? '')?.[1])
    expect(major).toBeGreaterThanOrEqual(45)
    const installed = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }
    expect(Number(installed.version.split('.')[0])).toBe(major)
    expect(pkg.dependencies['better-sqlite3']).toBeDefined()
  })

  it('rebuilds native modules (better-sqlite3) for Electron and keeps them outside the asar', () => {
    expect(config.npmRebuild).toBe(true)
    expect(config.asarUnpack).toContain('**/*.node')
  })

  it('ships the built app and real icons', () => {
    expect(config.files).toContain('out/**')
    for (const os of ['linux', 'win', 'mac']) expect(pngSize(join(root, config[os].icon))).toEqual({ width: 512, height: 512 })
    expect(pngSize(join(root, 'build/tray.png')).width).toBeGreaterThanOrEqual(16)
  })
})
