import { describe, it, expect, vi } from 'vitest'
import {
  newDeviceToken, deviceToken, DEVICE_KEY, DEVICE_RE, JOIN_CODE_RE, normaliseJoinCode, joinUrl, liveErrorKind, rankHot,
  createHotState, createHotFeed, pinnedOf, parseEventData, mergeMine, mineState, voteTargets, voteTarget, votedClusters, rememberVote,
  minuteLabel, timelineSeries, keywordSizes, share, importContentType, debounce, importReason,
} from './live.js'
import { i18n, setLocale } from '@/i18n/index.js'

function memoryStorage() {
  const m = new Map()
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), m }
}

// An EventSource stand-in: the test fires events by hand.
class FakeES {
  static last = null
  constructor(url) {
    this.url = url
    this.readyState = 0
    this.listeners = {}
    this.closed = false
    FakeES.last = this
  }
  addEventListener(type, fn) {
    ;(this.listeners[type] ||= []).push(fn)
  }
  fire(type, data) {
    if (type === 'open') this.readyState = 1
    for (const fn of this.listeners[type] || []) fn({ data: typeof data === 'string' ? data : JSON.stringify(data) })
  }
  close() {
    this.closed = true
    this.readyState = 2
  }
}

describe('device token', () => {
  it('is 32 characters the server accepts', () => {
    const tok = newDeviceToken()
    expect(tok).toMatch(DEVICE_RE)
    expect(tok).toHaveLength(32)
    expect(newDeviceToken()).not.toBe(tok)
  })

  it('is made once and kept on the phone', () => {
    const s = memoryStorage()
    const a = deviceToken(s)
    expect(s.getItem(DEVICE_KEY)).toBe(a)
    expect(deviceToken(s)).toBe(a)
  })

  it('replaces a stored value the server would refuse', () => {
    const s = memoryStorage()
    s.setItem(DEVICE_KEY, 'short')
    const a = deviceToken(s)
    expect(a).toMatch(DEVICE_RE)
    expect(a).not.toBe('short')
  })

  it('works when storage throws', () => {
    const bad = { getItem: () => { throw new Error('denied') }, setItem: () => { throw new Error('denied') } }
    expect(deviceToken(bad)).toMatch(DEVICE_RE)
  })
})

describe('join codes', () => {
  it('accepts the 6-character codes without look-alikes, typed loosely', () => {
    expect(normaliseJoinCode(' ab2-c3d ')).toBe('AB2C3D')
    expect(JOIN_CODE_RE.test('AB2C3D')).toBe(true)
    expect(JOIN_CODE_RE.test('AB0C3D')).toBe(false) // 0
    expect(JOIN_CODE_RE.test('ABIC3D')).toBe(false) // I
    expect(JOIN_CODE_RE.test('ABLC3D')).toBe(false) // L
    expect(JOIN_CODE_RE.test('AB2C3')).toBe(false)
  })
  it('builds the QR code’s address', () => {
    expect(joinUrl('https://tala.example/', 'AB2C3D')).toBe('https://tala.example/m/#/live/AB2C3D')
  })
})

describe('errors', () => {
  it('tells rate limits, ended streams and the rest apart', () => {
    expect(liveErrorKind({ status: 429, code: 'live.rate_limited' })).toBe('rateLimited')
    expect(liveErrorKind({ status: 409, code: 'live.stream_ended' })).toBe('ended')
    expect(liveErrorKind({ status: 404, code: 'request.not_found' })).toBe('notFound')
    expect(liveErrorKind({ status: 0, code: 'network' })).toBe('network')
    expect(liveErrorKind({ status: 400, code: 'request.bad_field' })).toBe('other')
  })
})

describe('hot list', () => {
  const items = [
    { cluster_id: 3, heat: 2, pinned: false },
    { cluster_id: 1, heat: 5, pinned: false },
    { cluster_id: 2, heat: 1, pinned: true },
    { cluster_id: 4, heat: 2, pinned: false },
  ]
  it('ranks pinned first, then heat, then id', () => {
    expect(rankHot(items).map((i) => i.cluster_id)).toEqual([2, 1, 3, 4])
    expect(pinnedOf(items).cluster_id).toBe(2)
    expect(pinnedOf([])).toBe(null)
  })

  it('keeps the newest version and ignores older events and other streams', () => {
    const s = createHotState(7)
    expect(s.apply({ stream_id: 7, version: 5, items: [{ cluster_id: 1 }] })).toBe(true)
    expect(s.apply({ stream_id: 7, version: 4, items: [] })).toBe(false)
    expect(s.items).toEqual([{ cluster_id: 1 }])
    expect(s.apply({ stream_id: 8, version: 9, items: [] })).toBe(false)
    // a poll has no version: always taken, the version stays
    expect(s.apply({ stream_id: 7, version: null, items: [{ cluster_id: 2 }] })).toBe(true)
    expect(s.version).toBe(5)
    expect(s.apply({ stream_id: 7, version: 6, items: [] })).toBe(true)
    expect(s.apply(null)).toBe(false)
    expect(parseEventData('{bad')).toBe(null)
  })

  it('follows the event stream, and polls while it is down or silent', async () => {
    let clock = 0
    let tickFn = null
    const got = []
    const poll = vi.fn(async () => ({ items: [{ cluster_id: 9 }] }))
    const feed = createHotFeed({
      streamId: 7, url: '/api/v1/streams/7/events', onItems: (it) => got.push(it.map((i) => i.cluster_id)), poll,
      EventSourceImpl: FakeES, now: () => clock, setIntervalImpl: (fn) => ((tickFn = fn), 1), clearIntervalImpl: () => {},
    })
    const es = FakeES.last
    expect(es.url).toBe('/api/v1/streams/7/events')
    // not open yet: the poll stands in
    await tickFn()
    expect(poll).toHaveBeenCalledTimes(1)
    expect(got).toEqual([[9]])
    es.fire('open')
    es.fire('hot', { stream_id: 7, version: 3, items: [{ cluster_id: 1 }, { cluster_id: 2 }] })
    expect(got.at(-1)).toEqual([1, 2])
    clock = 20000
    await tickFn()
    expect(poll).toHaveBeenCalledTimes(1) // open and heard from lately: no poll
    es.fire('ping', '')
    clock = 20000 + 41000
    await tickFn()
    expect(poll).toHaveBeenCalledTimes(2) // silent for too long
    feed.close()
    expect(es.closed).toBe(true)
  })
})

describe('my questions', () => {
  const mine = [
    { id: 1, cluster_id: 10, status: 'visible', kind: 'question', cluster_status: 'open', answer: null },
    { id: 2, cluster_id: null, status: 'pending', kind: 'question' },
    { id: 3, cluster_id: null, status: 'visible', kind: 'suggestion' },
    { id: 4, cluster_id: 11, status: 'visible', kind: 'question', cluster_status: 'open' },
  ]
  it('takes answers from the live hot list', () => {
    const merged = mergeMine(mine, [{ cluster_id: 10, status: 'answered', answer: '每年6月底前发放', title: '草原补奖' }])
    expect(merged[0].answer).toBe('每年6月底前发放')
    expect(mineState(merged[0])).toBe('answered')
    expect(merged[3]).toBe(mine[3])
    expect(mineState(merged[1])).toBe('pending')
    expect(mineState(merged[2])).toBe('noted')
    expect(mineState(merged[3])).toBe('waiting')
    expect(mineState({ status: 'visible', kind: 'question', cluster: { status: 'deferred' } })).toBe('deferred')
    expect(mineState({ status: 'rejected' })).toBe('rejected')
  })

  it('finds a question to vote with for each hot question, and remembers votes', () => {
    const t = voteTargets([{ id: 5, cluster_id: 10 }, { id: 4, cluster_id: 10 }, { id: 3, cluster_id: null }, { id: 2, cluster_id: 11 }])
    expect(t.get(10)).toBe(5)
    expect(t.get(11)).toBe(2)
    expect(t.has(null)).toBe(false)
    expect(voteTarget({ cluster_id: 10, question_id: 3 }, t)).toBe(3) // the hot list's own
    expect(voteTarget({ cluster_id: 11 }, t)).toBe(2)
    expect(voteTarget({ cluster_id: 12 }, t)).toBe(null)
    const s = memoryStorage()
    expect(votedClusters(7, s).size).toBe(0)
    rememberVote(7, 10, s)
    rememberVote(7, 11, s)
    rememberVote(8, 1, s)
    expect([...votedClusters(7, s)]).toEqual([10, 11])
    expect(votedClusters(8, s).has(1)).toBe(true)
  })
})

describe('interaction chart', () => {
  it('labels minutes in local time, or as offsets from the start', () => {
    const d = new Date(2026, 10, 26, 9, 5).getTime()
    expect(minuteLabel(d)).toBe('09:05')
    expect(minuteLabel(3, d)).toBe('09:08')
    expect(minuteLabel(3)).toBe('+3′')
  })

  it('stacks questions, suggestions and small talk and carries viewers forward', () => {
    const base = new Date(2026, 10, 26, 10, 0).getTime()
    const s = timelineSeries(
      [
        { minute: base + 60000, questions: 1, suggestions: 0, smalltalk: 4, upvotes: 0, viewers: null },
        { minute: base, questions: 3, suggestions: 1, smalltalk: 2, upvotes: 2, viewers: 120 },
        { minute: base + 120000, questions: 5, suggestions: 2, smalltalk: 1, upvotes: 0, viewers: 300 },
      ],
      { names: { questions: '提问' } },
    )
    expect(s.labels).toEqual(['10:00', '10:01', '10:02'])
    expect(s.bars.map((b) => b.key)).toEqual(['questions', 'suggestions', 'smalltalk'])
    expect(s.bars[0].name).toBe('提问')
    expect(s.bars[0].stack).toBe('interactions')
    expect(s.bars[0].data).toEqual([3, 1, 5])
    expect(s.viewers.data).toEqual([120, 120, 300])
    expect(s.totals).toEqual([6, 5, 8])
    expect(s.peakMinute).toBe('10:02')
    expect(s.hasViewers).toBe(true)
    expect(timelineSeries([]).peakMinute).toBe(null)
    expect(timelineSeries([{ minute: base, questions: 1 }]).viewers.data).toEqual([null])
  })
})

describe('small helpers', () => {
  it('sizes keywords by weight', () => {
    const k = keywordSizes([{ word: '补奖', weight: 10 }, { word: '医保', weight: 5 }, { word: '低保', weight: 0 }], 10, 30)
    expect(k.map((x) => x.size)).toEqual([30, 20, 10])
    expect(keywordSizes([{ word: 'a', weight: 1 }], 10, 30)[0].size).toBe(20)
    expect(keywordSizes(null)).toEqual([])
  })
  it('formats shares', () => {
    expect(share(2, 3)).toBe('67%')
    expect(share(1, 0)).toBe('—')
  })
  it('tells CSV from JSON lines', () => {
    expect(importContentType('a.csv', '')).toBe('text/csv')
    expect(importContentType('a.jsonl', '')).toBe('application/x-ndjson')
    expect(importContentType('comments.txt', '{"platform":"douyin"}')).toBe('application/x-ndjson')
    expect(importContentType('comments.txt', 'platform,comment_id')).toBe('text/csv')
  })
  it('says why an import line was refused, in Chinese', () => {
    setLocale('zh-CN')
    const t = (...a) => i18n.global.t(...a)
    expect(importReason('time: epoch ms or YYYY-MM-DD HH:MM:SS', t)).toBe('时间格式不对，应为 YYYY-MM-DD HH:MM:SS 或毫秒时间戳')
    expect(importReason('text: required', t)).toBe('评论内容为空')
    expect(importReason('comment_id: at most 128 characters', t)).toBe('评论编号超过 128 个字符')
    expect(importReason('user: not valid UTF-8', t)).toBe('用户名不是有效的 UTF-8 文字')
    expect(importReason('line 3: something new', t)).toBe('line 3: something new')
    expect(importReason('text: something new', t)).toBe('评论内容：something new')
    expect(importReason('bad', t)).toBe('bad')
  })
  it('debounces', async () => {
    vi.useFakeTimers()
    const fn = vi.fn()
    const d = debounce(fn, 300)
    d('a')
    d('ab')
    vi.advanceTimersByTime(299)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fn).toHaveBeenCalledWith('ab')
    vi.useRealTimers()
  })
})
