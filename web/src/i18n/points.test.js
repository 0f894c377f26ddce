import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lookup } from './index.js'
import { CATEGORIES, ENTRY_STATUS, PERIOD_STATUS, OBJECTION_STATUS, REDEMPTION_STATUS } from '@/shared/points.js'

const HERE = dirname(fileURLToPath(import.meta.url))

// Keys the points pages build at run time (i18n.test.js checks the literal ones).
const DYNAMIC = [
  ...CATEGORIES.map((c) => 'points.categories.' + c.key),
  ...Object.keys(ENTRY_STATUS).map((s) => 'points.entryStatus.' + s),
  ...Object.keys(PERIOD_STATUS).flatMap((s) => ['points.periodStatus.' + s, 'points.periods.stepHint.' + s]),
  ...Object.keys(OBJECTION_STATUS).map((s) => 'points.objectionStatus.' + s),
  ...Object.keys(REDEMPTION_STATUS).map((s) => 'points.redemptionStatus.' + s),
  ...['close', 'publish', 'seal'].flatMap((a) => ['action', 'confirm', 'confirmTitle', 'done', 'refused'].map((k) => `points.periods.${k}.${a}`)),
  ...['pickup', 'cancel'].flatMap((a) => ['', 'Title', 'Confirm', 'Done'].map((k) => `points.store.${a}${k}`)),
  'points.store.source.donated',
  'points.store.source.bought',
  ...['forbidden', 'maker_checker', 'insufficient', 'idempotency_conflict', 'bad_state', 'out_of_stock', 'exists', 'evidence_required', 'already_reversed', 'not_found', 'item_not_found', 'goods_not_found', 'no_open_period'].map((c) => 'errors.points.' + c),
]

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

describe('points messages', () => {
  it('has every key the pages build at run time, in zh-CN and en', () => {
    const missing = []
    for (const key of DYNAMIC) for (const loc of ['zh-CN', 'en']) if (typeof lookup(loc, key) !== 'string') missing.push(`${loc}: ${key}`)
    expect(missing).toEqual([])
  })

  it('has no key twice in one object', () => {
    for (const f of ['points.zh-CN.js', 'points.en.js', 'zh-CN.js', 'en.js']) {
      expect(duplicateKeys(readFileSync(join(HERE, f), 'utf8')), f).toEqual([])
    }
  })

  it('says 录入人不能审核自己的记录 on a maker-checker refusal', () => {
    expect(lookup('zh-CN', 'errors.points.maker_checker')).toContain('录入人不能审核自己的记录')
  })
})
