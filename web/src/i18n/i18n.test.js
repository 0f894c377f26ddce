import { describe, it, expect } from 'vitest'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import zhCN from './zh-CN.js'
import en from './en.js'
import mn from './mn.js'
import { i18n, setLocale, lookup } from './index.js'

// "a.b.c" for every leaf (string or array of strings) of a message tree.
function leaves(tree, prefix = '') {
  const out = []
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...leaves(v, key))
    else out.push(key)
  }
  return out
}

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..')

function sourceFiles(dir) {
  const out = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p))
    else if (/\.(vue|js)$/.test(name) && !/\.test\.js$/.test(name) && !p.includes('/i18n/')) out.push(p)
  }
  return out
}

describe('i18n messages', () => {
  const zhKeys = leaves(zhCN)

  it('zh-CN has a good number of keys', () => {
    expect(zhKeys.length).toBeGreaterThan(200)
  })

  it('every zh-CN key exists in en', () => {
    const enKeys = new Set(leaves(en))
    expect(zhKeys.filter((k) => !enKeys.has(k))).toEqual([])
  })

  it('en has no key that zh-CN lacks', () => {
    const zh = new Set(zhKeys)
    expect(leaves(en).filter((k) => !zh.has(k))).toEqual([])
  })

  it('leaves have the same shape in zh-CN and en (string vs list)', () => {
    const bad = zhKeys.filter((k) => Array.isArray(lookup('zh-CN', k)) !== Array.isArray(lookup('en', k)))
    expect(bad).toEqual([])
  })

  it('mn is a stub whose keys all exist in zh-CN', () => {
    const zh = new Set(zhKeys)
    const mnKeys = leaves(mn)
    expect(mnKeys.length).toBeGreaterThan(0)
    expect(mnKeys.filter((k) => !zh.has(k))).toEqual([])
  })

  it('mn falls back to zh-CN for missing keys', () => {
    setLocale('mn')
    try {
      expect(i18n.global.t('app.name')).toBe(mn.app.name)
      expect(i18n.global.t('nav.org')).toBe('组织架构')
      expect(i18n.global.t('levels.village')).toBe('嘎查村')
    } finally {
      setLocale('zh-CN')
    }
  })

  it('every literal key used in the source exists in zh-CN', () => {
    const zh = new Set(zhKeys)
    const missing = []
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\bt\(\s*'([A-Za-z0-9_.-]+)'\s*[,)]/g)) {
        if (!zh.has(m[1])) missing.push(`${file.slice(SRC.length + 1)}: ${m[1]}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('formats with named parameters', () => {
    setLocale('zh-CN')
    expect(i18n.global.t('people.tabPeople', { n: 12 })).toBe('人员（12）')
    setLocale('en')
    expect(i18n.global.t('people.tabPeople', { n: 12 })).toBe('People (12)')
    setLocale('zh-CN')
  })
})
