import { describe, expect, it } from 'vitest'
import { staticImports } from '../../helpers/bundle'

describe('staticImports (reading which chunks the first load fetches)', () => {
  it('finds static imports of built modules and leaves dynamic imports and listed paths out', () => {
    const code =
      'import{a as b,$ as c}from"./x.js";import"./y.js";import * as Q from \'../q.js\';' +
      'const m=()=>import("./lazy.js");const __vite__mapDeps=["./MarkdownView-abc.js","./dialogs-def.js"];'
    expect(staticImports(code)).toEqual(['./x.js', './y.js', '../q.js'])
  })

  it('ignores bare specifiers and other file types', () => {
    expect(staticImports('import{a}from"vue";import"./style.css";import x from"./x.mjs"')).toEqual([])
  })
})
