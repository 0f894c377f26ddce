import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lookup } from './index.js'
import { STATUSES, LEVELS, URGENCIES, TIERS, SOURCES, OFFER_STATUS, SPECIALTIES, EVENT_KINDS } from '@/shared/requests.js'

const HERE = dirname(fileURLToPath(import.meta.url))

// Keys the requests pages build at run time (i18n.test.js checks the literal ones).
const DYNAMIC = [
  ...STATUSES.flatMap((s) => ['requests.status.' + s, 'mrequests.ticket.statusHint.' + s]),
  ...LEVELS.map((l) => 'requests.level.' + l),
  ...URGENCIES.map((u) => 'requests.urgency.' + u),
  ...TIERS.map((x) => 'requests.tier.' + x),
  ...SOURCES.map((s) => 'requests.source.' + s),
  ...Object.keys(OFFER_STATUS).map((s) => 'requests.offerStatus.' + s),
  ...SPECIALTIES.map((s) => 'requests.specialty.' + s.code),
  ...EVENT_KINDS.map((k) => 'requests.event.' + k),
  ...['response', 'on_time', 'resolution', 'satisfaction', 'decline', 'redo'].map((r) => 'requests.rates.' + r),
  ...['Volunteer', 'Village', 'Town', 'Category', 'Month'].map((b) => 'requests.rates.by' + b),
  ...['holiday', 'workday', 'normal'].map((k) => 'requests.calendar.' + k),
  ...['not_found', 'bad_state', 'category_not_found', 'exists'].map((c) => 'errors.request_order.' + c),
  ...['not_found', 'not_eligible', 'no_profile', 'account_taken', 'already_paired'].map((c) => 'errors.volunteer.' + c),
  ...['not_found', 'already_signed_up'].map((c) => 'errors.activity.' + c),
  ...['requestsOrders', 'requestsVolunteers', 'requestsActivities', 'requestsRates', 'requestsCalendar', 'requests'].map((n) => 'nav.' + n),
  'home.desc.requests',
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

describe('requests messages', () => {
  it('has every key the pages build at run time, in zh-CN and en', () => {
    const missing = []
    for (const key of DYNAMIC) for (const loc of ['zh-CN', 'en']) if (typeof lookup(loc, key) !== 'string') missing.push(`${loc}: ${key}`)
    expect(missing).toEqual([])
  })

  it('has the lists the phone pages read with tm(), of the same length', () => {
    for (const key of ['mrequests.ticket.rateLabels', 'mrequests.vol.declineReasons']) {
      expect(Array.isArray(lookup('zh-CN', key)), key).toBe(true)
      expect(lookup('en', key).length, key).toBe(lookup('zh-CN', key).length)
    }
    expect(lookup('zh-CN', 'mrequests.ticket.rateLabels')).toHaveLength(5)
  })

  it('has no key twice in one object', () => {
    for (const f of ['requests.zh-CN.js', 'requests.en.js']) {
      // each exported object on its own (nav, homeDesc, errors, the default)
      const parts = readFileSync(join(HERE, f), 'utf8').split(/^export /m).slice(1)
      expect(parts.length, f).toBe(4)
      for (const part of parts) expect(duplicateKeys(part.replace(/^[^\n]*\n/, '')), f).toEqual([])
    }
  })

  it('names the seven statuses as the brief does', () => {
    expect(STATUSES.map((s) => lookup('zh-CN', 'requests.status.' + s))).toEqual(['待派单', '待接单', '已接单', '办理中', '已办结', '已回访', '已取消'])
  })
})
