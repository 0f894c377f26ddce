import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lookup } from './index.js'
import zhLive from './live.zh-CN.js'
import enLive from './live.en.js'
import { STREAM_STATUSES, HOT_STATUSES, KINDS, PLATFORMS } from '@/shared/live.js'

const HERE = dirname(fileURLToPath(import.meta.url))

// Keys the live pages build at run time (i18n.test.js checks the literal ones).
const DYNAMIC = [
  ...STREAM_STATUSES.map((s) => 'live.status.' + s),
  ...HOT_STATUSES.map((s) => 'live.hotStatus.' + s),
  ...KINDS.map((k) => 'live.kind.' + k),
  ...[...PLATFORMS, 'viewer'].map((p) => 'live.platform.' + p),
  ...['started', 'ended'].map((k) => 'live.console.' + k),
  ...['pin', 'answer', 'defer', 'reopen', 'merge', 'split'].map((a) => 'live.hot.done.' + a),
  ...['approve', 'reject'].map((a) => 'live.mod.done.' + a),
  ...['peak', 'interactions', 'questions', 'hot', 'answered', 'unanswered', 'suggestions'].map((f) => 'live.report.fig.' + f),
  ...['streams', 'questions', 'hot_questions', 'answered', 'suggestions'].map((n) => 'live.summary.n.' + n),
  ...['ok', 'pending', 'suggestion', 'smalltalk', 'short'].map((k) => 'mlive.ask.sent.' + k),
  ...['waiting', 'answered', 'deferred', 'pending', 'rejected', 'noted'].map((k) => 'mlive.mine.state.' + k),
  ...['rate_limited', 'stream_ended', 'bad_transition', 'not_found'].map((c) => 'errors.live.' + c),
  ...['live', 'liveStreams', 'liveConsole', 'liveReport', 'liveSummary', 'liveFaq'].map((n) => 'nav.' + n),
  'home.desc.live',
  'mobile.modules.live.name',
]

function leaves(tree, prefix = '') {
  const out = []
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...leaves(v, key))
    else out.push(key)
  }
  return out
}

// A repeated key in an object literal silently replaces the first one: find them in the text.
function duplicateKeys(text) {
  const stack = []
  const seen = new Set()
  const dups = []
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*'?([A-Za-z0-9_.-]+)'?:\s*(.*)$/)
    if (!m) {
      if (/^\s*},?\s*$/.test(line)) stack.pop()
      continue
    }
    const path = [...stack, m[1]].join('.')
    if (seen.has(path)) dups.push(path)
    seen.add(path)
    if (m[2].trim() === '{') stack.push(m[1])
  }
  return dups
}

describe('live messages', () => {
  it('has every key the pages build at run time, in zh-CN and en', () => {
    const missing = []
    for (const key of DYNAMIC) for (const loc of ['zh-CN', 'en']) if (typeof lookup(loc, key) !== 'string') missing.push(`${loc}: ${key}`)
    expect(missing).toEqual([])
  })

  it('has the same keys in zh-CN and en', () => {
    const zh = leaves(zhLive)
    const en = new Set(leaves(enLive))
    expect(zh.filter((k) => !en.has(k))).toEqual([])
    expect([...en].filter((k) => !zh.includes(k))).toEqual([])
  })

  it('has no key twice in one object', () => {
    for (const f of ['live.zh-CN.js', 'live.en.js']) {
      const parts = readFileSync(join(HERE, f), 'utf8').split(/^export /m).slice(1)
      expect(parts.length, f).toBe(4)
      for (const part of parts) expect(duplicateKeys(part.replace(/^[^\n]*\n/, '')), f).toEqual([])
    }
  })

  it('uses none of vue-i18n’s syntax characters but in placeholders', () => {
    const bad = []
    for (const [loc, tree] of [['zh-CN', zhLive], ['en', enLive]]) {
      for (const k of leaves(tree)) {
        const v = lookup(loc, k)
        if (typeof v === 'string' && /[@$|]|\{(?![a-z]+\})/.test(v.replace(/\{[a-z]+\}/g, ''))) bad.push(`${loc}: ${k}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('says what the brief says to viewers', () => {
    expect(lookup('zh-CN', 'mlive.ask.suggestTitle')).toBe('这些回答可能对您有帮助')
    expect(lookup('zh-CN', 'mlive.ask.rateLimited')).toBe('问得太快了，请稍后再试')
    expect(lookup('zh-CN', 'mlive.ask.sent.pending')).toBe('提问已提交，审核后显示。')
    expect(lookup('zh-CN', 'nav.live')).toBe('政务直播')
  })
})
