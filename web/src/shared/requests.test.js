import { describe, it, expect, beforeEach } from 'vitest'
import { i18n, setLocale } from '@/i18n/index.js'
import { eventDetail, pct, hours, duration, savedTickets, rememberTicket, forgetTicket, noteServerTimes, serverNow, resetServerSkew, normaliseTicket, TICKET_RE } from './requests.js'

const t = (...a) => i18n.global.t(...a)

function memoryStorage() {
  const m = new Map()
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k) }
}

describe('shared/requests.js', () => {
  beforeEach(() => setLocale('zh-CN'))

  it('turns the server’s English event details into Chinese sentences', () => {
    expect(eventDetail({ kind: 'placed', detail: '农牧技术, phone' }, t)).toBe('农牧技术，群众手机点单')
    expect(eventDetail({ kind: 'placed', detail: "水电暖维修, staff (on the resident's behalf)" }, t)).toBe('水电暖维修，工作人员代点（代群众点单）')
    expect(eventDetail({ kind: 'offered', detail: 'offered to 额尔敦 (score 82.0)' }, t)).toBe('派给 额尔敦（匹配分 82.0）')
    expect(eventDetail({ kind: 'declined', detail: '外出不在村' }, t)).toBe('婉拒理由：外出不在村')
    expect(eventDetail({ kind: 'offer_expired', detail: 'no answer in time' }, t)).toBe('志愿者未在答复时限内接单，自动转派')
    expect(eventDetail({ kind: 'escalated', detail: 'village → town (查干沐沦苏木): declined' }, t)).toBe('由村级上报至镇级（查干沐沦苏木）：志愿者婉拒')
    expect(eventDetail({ kind: 'escalated', detail: 'town → county (巴林右旗): 需要律师' }, t)).toBe('由镇级上报至县级（巴林右旗）：需要律师')
    expect(eventDetail({ kind: 'returned', detail: 'no volunteer can take it at any level' }, t)).toBe('各级均无可接单的志愿者，退回待派单')
    expect(eventDetail({ kind: 'done', detail: '60 min: 羊群已用药' }, t)).toBe('服务 60 分钟。羊群已用药')
    expect(eventDetail({ kind: 'done', detail: '45 min: ' }, t)).toBe('服务 45 分钟')
    expect(eventDetail({ kind: 'visited', detail: 'resolved: yes, satisfied: no. 群众说还没修好' }, t)).toBe('问题已解决，群众不满意。群众说还没修好')
    expect(eventDetail({ kind: 'reopened', detail: 'unsatisfied at the return visit (重办)' }, t)).toBe('回访不满意，退回原志愿者重办')
    expect(eventDetail({ kind: 'rated', detail: '5/5 ' }, t)).toBe('5 星')
    expect(eventDetail({ kind: 'reviewed', detail: 'unreasonable request: 超出服务范围' }, t)).toBe('经审核为不合理诉求，不计入满意率。超出服务范围')
    expect(eventDetail({ kind: 'cancelled', detail: 'by the resident' }, t)).toBe('群众本人撤销')
    expect(eventDetail({ kind: 'progress', detail: '已到户查看' }, t)).toBe('已到户查看')
    expect(eventDetail({ kind: 'placed' }, t)).toBe('')
  })

  it('speaks English too', () => {
    setLocale('en')
    expect(eventDetail({ kind: 'offered', detail: 'offered to 额尔敦 (score 82.0)' }, t)).toBe('Offered to 额尔敦 (score 82.0)')
    expect(duration(2 * 3600000, t)).toBe('2 h')
  })

  it('shows a rate with no denominator as —, never 0', () => {
    expect(pct(null)).toBe('—')
    expect(pct(undefined)).toBe('—')
    expect(pct(0)).toBe('0.0%')
    expect(pct(2 / 3)).toBe('66.7%')
    expect(pct(1)).toBe('100.0%')
  })

  it('turns minutes into hours', () => {
    expect(hours(0)).toBe('0')
    expect(hours(60)).toBe('1')
    expect(hours(90)).toBe('1.5')
    expect(hours(125)).toBe('2.1')
  })

  it('says how long is left', () => {
    expect(duration(2 * 3600000, t)).toBe('2 小时')
    expect(duration(119 * 60000, t)).toBe('1 小时 59 分')
    expect(duration(15 * 60000, t)).toBe('15 分钟')
    expect(duration(-5000, t)).toBe('0 分钟')
    expect(duration(50 * 3600000, t)).toBe('2 天 2 小时')
  })

  it('keeps the tickets of the phone, newest first, without repeats', () => {
    const s = memoryStorage()
    expect(savedTickets(s)).toEqual([])
    rememberTicket({ ticket: 'AAAAAAAAAA' }, s)
    rememberTicket({ ticket: 'BBBBBBBBBB' }, s)
    rememberTicket({ ticket: 'AAAAAAAAAA', status: 'done' }, s)
    expect(savedTickets(s).map((x) => x.ticket)).toEqual(['AAAAAAAAAA', 'BBBBBBBBBB'])
    expect(savedTickets(s)[0].status).toBe('done')
    forgetTicket('AAAAAAAAAA', s)
    expect(savedTickets(s).map((x) => x.ticket)).toEqual(['BBBBBBBBBB'])
    s.setItem('tala.orders.tickets', 'not json')
    expect(savedTickets(s)).toEqual([])
  })

  it('reads ticket codes as people type them', () => {
    expect(normaliseTicket(' 5eqb-g6ud 4y ')).toBe('5EQBG6UD4Y')
    expect(TICKET_RE.test('5EQBG6UD4Y')).toBe(true)
    expect(TICKET_RE.test('5EQBG6UD40')).toBe(false) // no 0, O, 1 or I
  })

  it('follows a server clock that runs ahead', () => {
    resetServerSkew()
    const before = serverNow()
    expect(Math.abs(before - Date.now())).toBeLessThan(50)
    noteServerTimes(Date.now() - 3600000) // the past says nothing
    expect(Math.abs(serverNow() - Date.now())).toBeLessThan(50)
    noteServerTimes([Date.now() + 8 * 86400000])
    expect(serverNow() - Date.now()).toBeGreaterThan(8 * 86400000 - 1000)
    resetServerSkew()
  })
})
