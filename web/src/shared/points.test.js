import { describe, it, expect } from 'vitest'
import { signed, parseReason, nextQuarter, newIdempotencyKey } from './points.js'

describe('shared/points.js', () => {
  it('signs points', () => {
    expect(signed(5)).toBe('+5')
    expect(signed(-3)).toBe('−3')
    expect(signed(0)).toBe('0')
    expect(signed(undefined)).toBe('0')
  })

  it('splits the reason the server writes for an upheld objection', () => {
    expect(parseReason('异议 2 成立：经核实重复评分')).toEqual({ objection: 2, text: '经核实重复评分' })
    expect(parseReason('objection 2 upheld: 经核实重复评分')).toEqual({ objection: 2, text: '经核实重复评分' })
    expect(parseReason('录入错误')).toEqual({ objection: null, text: '录入错误' })
    expect(parseReason(null)).toEqual({ objection: null, text: '' })
  })

  it('names the next quarter', () => {
    expect(nextQuarter('2026Q4')).toBe('2027Q1')
    expect(nextQuarter('2027Q1')).toBe('2027Q2')
    expect(nextQuarter(undefined, new Date(2026, 10, 26))).toBe('2026Q4')
  })

  it('makes distinct version-4 UUIDs', () => {
    const a = newIdempotencyKey()
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(newIdempotencyKey()).not.toBe(a)
  })
})

describe('reasonText', () => {
  it('says an upheld objection in the page’s words', async () => {
    const { reasonText } = await import('./points.js')
    const t = (key, p) => `${key}:${p.id}:${p.text}`
    expect(reasonText('objection 3 upheld: 属实', t)).toBe('points.entries.objectionUpheld:3:属实')
    expect(reasonText('录入错误', t)).toBe('录入错误')
  })
})
