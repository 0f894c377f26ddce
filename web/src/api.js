// A small fetch wrapper for the Tala JSON API (same origin, /api/v1/).
//
// - cookies: the session cookie `tala_session` goes with every request (same-origin);
// - CSRF: the token from `POST /api/v1/session` or `GET /api/v1/me` is kept here and sent as
//   `X-CSRF-Token` on every POST, PUT, PATCH and DELETE;
// - errors: `application/problem+json` answers become an ApiError with .status, .code, .field,
//   .detail (and .title, .titleZh); a network failure becomes an ApiError with status 0 and
//   code `network`;
// - 401 `auth.required`: the listener set with onAuthRequired() is told (the staff console goes
//   to its login page);
// - 403 `auth.password_expired` / `auth.totp_enrolment_required`: the server only serves the
//   account set-up routes until the user has acted; the listener set with onSetupRequired() is
//   told (the staff console goes to "my account").

export const API_BASE = '/api/v1'

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

let csrfToken = null
let authRequiredListener = null
let setupRequiredListener = null

export const SETUP_CODES = new Set(['auth.password_expired', 'auth.totp_enrolment_required'])

export function setCsrfToken(token) {
  csrfToken = token || null
}

export function getCsrfToken() {
  return csrfToken
}

export function onAuthRequired(fn) {
  authRequiredListener = typeof fn === 'function' ? fn : null
}

export function onSetupRequired(fn) {
  setupRequiredListener = typeof fn === 'function' ? fn : null
}

export class ApiError extends Error {
  constructor({ status = 0, code = 'unknown', field = null, detail = '', title = '', titleZh = '', body = null } = {}) {
    super(detail || title || code || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field
    this.detail = detail
    this.title = title
    this.titleZh = titleZh
    this.body = body
  }
}

// Builds an ApiError from a response status and its parsed body (problem+json or anything else).
export function problemToError(status, body) {
  if (body && typeof body === 'object') {
    return new ApiError({
      status: typeof body.status === 'number' ? body.status : status,
      code: body.code || `http.${status}`,
      field: body.field ?? null,
      detail: body.detail || '',
      title: body.title || '',
      titleZh: body.title_zh || '',
      body,
    })
  }
  return new ApiError({
    status,
    code: `http.${status}`,
    detail: typeof body === 'string' ? body.slice(0, 200) : '',
  })
}

function buildUrl(path, query) {
  let url = path.startsWith('/api/') ? path : API_BASE + (path.startsWith('/') ? path : '/' + path)
  if (query) {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue
      qs.append(k, String(v))
    }
    const s = qs.toString()
    if (s) url += (url.includes('?') ? '&' : '?') + s
  }
  return url
}

async function readBody(res) {
  if (res.status === 204 || res.status === 205) return null
  const text = await res.text()
  if (!text) return null
  const type = res.headers.get('content-type') || ''
  if (type.includes('json')) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

// request('GET', '/org/nodes', { query: { parent: 3 } }); request('POST', '/people', { body })
export async function request(method, path, { body, query, signal, headers: extra } = {}) {
  method = method.toUpperCase()
  const headers = { Accept: 'application/json, application/problem+json', ...extra }
  const init = { method, credentials: 'same-origin', headers, signal }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken

  let res
  try {
    res = await fetch(buildUrl(path, query), init)
  } catch (e) {
    if (e && e.name === 'AbortError') throw e
    throw new ApiError({ status: 0, code: 'network', detail: String(e && e.message ? e.message : e) })
  }
  const data = await readBody(res)
  if (res.ok) return data

  const err = problemToError(res.status, data)
  if (err.status === 401 && err.code === 'auth.required' && authRequiredListener) {
    setCsrfToken(null)
    try {
      authRequiredListener(err)
    } catch {
      /* the listener's own trouble is not the caller's */
    }
  } else if (err.status === 403 && SETUP_CODES.has(err.code) && setupRequiredListener) {
    try {
      setupRequiredListener(err)
    } catch {
      /* as above */
    }
  }
  throw err
}

// Sends a file as the whole body (photos on orders): its own content type, the CSRF header.
export async function upload(path, file, query) {
  const headers = { Accept: 'application/json, application/problem+json', 'Content-Type': file.type || 'application/octet-stream' }
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken
  let res
  try {
    res = await fetch(buildUrl(path, query), { method: 'POST', credentials: 'same-origin', headers, body: file })
  } catch (e) {
    throw new ApiError({ status: 0, code: 'network', detail: String(e && e.message ? e.message : e) })
  }
  const data = await readBody(res)
  if (res.ok) return data
  throw problemToError(res.status, data)
}

export const api = {
  upload,
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
}

export default api
