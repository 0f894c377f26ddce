import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest'
import { api, request, ApiError, problemToError, setCsrfToken, onAuthRequired, onSetupRequired } from './api.js'

function answer(status, body, type = 'application/json') {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)
  return new Response(status === 204 ? null : text, { status, headers: { 'content-type': type } })
}

describe('api.js', () => {
  let calls

  beforeEach(() => {
    calls = []
    setCsrfToken(null)
    onAuthRequired(null)
    onSetupRequired(null)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  function stub(...responses) {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url, init) => {
        calls.push({ url, init })
        const r = responses.shift()
        if (r instanceof Error) throw r
        return r
      }),
    )
  }

  it('maps a problem+json answer to an ApiError with status, code, field and detail', async () => {
    stub(
      answer(
        400,
        { type: 'about:blank', title: 'Invalid field', title_zh: '字段无效', status: 400, code: 'validation.invalid', detail: 'id_number: bad checksum', field: 'id_number' },
        'application/problem+json',
      ),
    )
    const err = await api.post('/people', { node: 'x', name: 'y' }).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toBeInstanceOf(Error)
    expect(err.status).toBe(400)
    expect(err.code).toBe('validation.invalid')
    expect(err.field).toBe('id_number')
    expect(err.detail).toBe('id_number: bad checksum')
    expect(err.titleZh).toBe('字段无效')
    expect(err.message).toBe('id_number: bad checksum')
  })

  it('keeps the 423 lockout and the 401 codes of the login', async () => {
    stub(
      answer(423, { status: 423, code: 'auth.locked', title: 'Locked', detail: 'try later' }, 'application/problem+json'),
      answer(401, { status: 401, code: 'auth.totp_required', title: 'TOTP required' }, 'application/problem+json'),
    )
    const locked = await api.post('/session', { username: 'a', password: 'b' }).catch((e) => e)
    expect([locked.status, locked.code]).toEqual([423, 'auth.locked'])
    const totp = await api.post('/session', { username: 'a', password: 'b' }).catch((e) => e)
    expect([totp.status, totp.code, totp.field]).toEqual([401, 'auth.totp_required', null])
  })

  it('handles error answers that are not problem+json', async () => {
    stub(answer(502, '<html>Bad gateway</html>', 'text/html'))
    const err = await api.get('/me').catch((e) => e)
    expect(err.status).toBe(502)
    expect(err.code).toBe('http.502')
    expect(problemToError(500, null).code).toBe('http.500')
  })

  it('turns a network failure into status 0, code network', async () => {
    stub(new TypeError('Failed to fetch'))
    const err = await api.get('/me').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect([err.status, err.code]).toEqual([0, 'network'])
  })

  it('sends the CSRF token on unsafe methods only, with the cookie and JSON', async () => {
    stub(answer(200, { ok: 1 }), answer(201, { id: 7 }), answer(204), answer(200, { id: 7 }))
    setCsrfToken('tok-123')
    await api.get('/org/nodes', { parent: 'CODE 1', q: '', skip: undefined })
    await api.post('/org/nodes', { name: '巴林右旗' })
    expect(await api.del('/session')).toBeNull()
    await api.patch('/org/nodes/7', { name: 'x' })

    const [get, post, del, patch] = calls
    expect(get.url).toBe('/api/v1/org/nodes?parent=CODE+1')
    expect(get.init.credentials).toBe('same-origin')
    expect(get.init.headers['X-CSRF-Token']).toBeUndefined()
    expect(post.init.method).toBe('POST')
    expect(post.init.headers['X-CSRF-Token']).toBe('tok-123')
    expect(post.init.headers['Content-Type']).toBe('application/json')
    expect(JSON.parse(post.init.body)).toEqual({ name: '巴林右旗' })
    expect(del.init.headers['X-CSRF-Token']).toBe('tok-123')
    expect(patch.init.headers['X-CSRF-Token']).toBe('tok-123')
  })

  it('tells the auth listener about 401 auth.required, and only about that', async () => {
    const seen = []
    onAuthRequired((e) => seen.push(e.code))
    setCsrfToken('tok')
    stub(
      answer(401, { status: 401, code: 'auth.bad_credentials' }, 'application/problem+json'),
      answer(401, { status: 401, code: 'auth.required' }, 'application/problem+json'),
      answer(200, {}),
    )
    await request('POST', '/session', { body: {} }).catch(() => {})
    expect(seen).toEqual([])
    await api.get('/me').catch(() => {})
    expect(seen).toEqual(['auth.required'])
    // the token is dropped with the session
    await api.post('/me/totp')
    expect(calls[2].init.headers['X-CSRF-Token']).toBeUndefined()
  })

  it('tells the setup listener about an expired password or a missing TOTP enrolment', async () => {
    const seen = []
    onSetupRequired((e) => seen.push(e.code))
    stub(
      answer(403, { status: 403, code: 'auth.password_expired' }, 'application/problem+json'),
      answer(403, { status: 403, code: 'auth.totp_enrolment_required' }, 'application/problem+json'),
      answer(403, { status: 403, code: 'auth.forbidden' }, 'application/problem+json'),
    )
    for (let i = 0; i < 3; i++) await api.get('/org/nodes').catch(() => {})
    expect(seen).toEqual(['auth.password_expired', 'auth.totp_enrolment_required'])
  })
})
