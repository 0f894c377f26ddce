import { describe, it, expect, afterEach } from 'vitest'
import { ApiError } from '@/api.js'
import { setLocale } from '@/i18n/index.js'
import { errorText, fieldErrorText, fieldKey } from './errors.js'

const problem = (o) => new ApiError({ status: 400, ...o })

describe('errors.js', () => {
  afterEach(() => setLocale('zh-CN'))

  it('gives Chinese messages for the login codes', () => {
    expect(errorText(problem({ status: 401, code: 'auth.bad_credentials' }))).toMatch('用户名或密码错误')
    expect(errorText(problem({ status: 401, code: 'auth.totp_invalid' }))).toMatch('动态验证码错误')
    expect(errorText(problem({ status: 423, code: 'auth.locked' }))).toMatch('锁定')
  })

  it('translates request.bad_field reasons and names the field', () => {
    const e = problem({ code: 'request.bad_field', field: 'name', detail: 'name: required', titleZh: '字段缺失或不合法' })
    expect(fieldErrorText(e)).toBe('此项为必填项')
    expect(errorText(e)).toBe('名称：此项为必填项')
    const phone = problem({ code: 'request.bad_field', field: 'phone', detail: 'phone: 5–20 digits' })
    expect(fieldErrorText(phone)).toBe('电话号码应为 5–20 位数字')
    const long = problem({ code: 'request.bad_field', field: 'address', detail: 'address: longer than 200 characters' })
    expect(fieldErrorText(long)).toBe('不能超过 200 个字符')
  })

  it('falls back to the server’s Chinese title for an unknown reason', () => {
    const e = problem({ code: 'request.bad_field', field: 'x', detail: 'x: something new', titleZh: '字段缺失或不合法' })
    expect(fieldErrorText(e)).toBe('字段缺失或不合法（something new）')
  })

  it('explains weak passwords', () => {
    const e = problem({ code: 'auth.weak_password', field: 'password', detail: 'at least 3 of: lower-case, upper-case, digits, other characters' })
    expect(errorText(e)).toBe('密码不符合安全策略：须包含小写字母、大写字母、数字、其他字符中的至少 3 类。')
    expect(errorText(problem({ code: 'auth.weak_password', detail: 'at least 8 characters' }))).toBe('密码不符合安全策略：至少需要 8 个字符。')
  })

  it('uses the server’s title_zh for codes it does not know, and English in English', () => {
    const e = new ApiError({ status: 418, code: 'tea.pot', title: 'I am a teapot', titleZh: '我是茶壶' })
    expect(errorText(e)).toBe('我是茶壶')
    setLocale('en')
    expect(errorText(e)).toBe('I am a teapot')
    expect(errorText(problem({ status: 401, code: 'auth.bad_credentials' }))).toBe('Wrong username or password.')
  })

  it('handles network failures and bare HTTP errors', () => {
    expect(errorText(new ApiError({ status: 0, code: 'network' }))).toMatch('无法连接到服务器')
    expect(errorText(new ApiError({ status: 503, code: 'http.503' }))).toMatch('服务暂时不可用')
  })

  it('maps field paths to form keys', () => {
    expect(fieldKey('members[0].id_number')).toBe('id_number')
    expect(fieldKey('head_name')).toBe('head_name')
    expect(fieldKey(null)).toBe(null)
  })
})
