#!/usr/bin/env node
/**
 * `npm run security:scan`: @doyensec/electronegativity over the built app (out/), offline.
 * Fails on any HIGH finding, and on any MEDIUM/FIRM finding not reviewed below.
 * (The AvailableSecurityFixes check is skipped: it needs the network to list Electron releases.)
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Findings we reviewed and accept, with why. */
const REVIEWED = {
  PRELOAD_JS_CHECK: 'the preload exposes one object built from an allowlist of channels (src/preload/index.ts), no ipcRenderer',
  OPEN_EXTERNAL_JS_CHECK: 'every openExternal goes through safeOpenURL: re-parsed, http/https only, no credentials',
  CSP_GLOBAL_CHECK: "style-src 'unsafe-inline' (Vue style bindings) and http/https images (remote avatars) are deliberate; no unsafe-eval"
}

const root = new URL('..', import.meta.url).pathname
const input = join(root, 'out')
if (!existsSync(join(input, 'main'))) {
  console.error('security:scan: build first (npm run build): out/main is missing')
  process.exit(2)
}
const report = join(mkdtempSync(join(tmpdir(), 'miodesk-eg-')), 'report.csv')
const bin = join(root, 'node_modules', '.bin', 'electronegativity')
const r = spawnSync(bin, ['-i', input, '-e', '38.0.0', '-x', 'AvailableSecurityFixesGlobalCheck', '-o', report, '-r', '-v', 'false'], { encoding: 'utf8' })
if (!existsSync(report)) {
  console.error('security:scan: electronegativity produced no report', r.stderr || r.stdout)
  process.exit(2)
}

// Each finding starts a line: CHECK_NAME,"SEVERITY","CONFIDENCE","file","line:col",… (later fields may span lines).
const findings = [...readFileSync(report, 'utf8').matchAll(/^([A-Z0-9_]+),"([A-Z]+)","([A-Z]+)","([^"]*)","([^"]*)"/gm)].map((m) => ({
  check: m[1],
  severity: m[2],
  confidence: m[3],
  at: `${m[4]}:${m[5]}`
}))
let bad = 0
for (const f of findings) {
  const reviewed = REVIEWED[f.check]
  const blocking = f.severity === 'HIGH' || f.severity === 'CRITICAL' || (f.severity === 'MEDIUM' && f.confidence !== 'TENTATIVE' && !reviewed)
  if (blocking) bad++
  console.log(`${blocking ? 'FAIL' : 'ok  '} ${f.check} ${f.severity}/${f.confidence} ${f.at}${reviewed && !blocking ? `\n       reviewed: ${reviewed}` : ''}`)
}
console.log(`security:scan: ${findings.length} findings, ${bad} blocking`)
process.exit(bad ? 1 : 0)
