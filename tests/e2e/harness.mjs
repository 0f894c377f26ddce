// harness.mjs — what the Chromium end-to-end tests share: the server's address, the browser's
// launch flags, an API client for set-up and checks, page watchers, screenshots, sign-in, and
// a test wrapper whose later steps are skipped once one fails.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BASE = (process.env.TALA_URL || 'http://127.0.0.1:8090').replace(/\/+$/, '')
export const PASSWORD = process.env.TALA_E2E_PASSWORD || 'Tala@2026'
export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots')
mkdirSync(SHOTS, { recursive: true })

// Debian's Chromium, headless, as root, with no background networking (the network is closed).
export const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
}

// Uncaught page errors and CSP violations of every watched page: a test asserts both stay empty.
export const pageErrors = []
export const cspViolations = []

export function watch(p) {
  p.on('pageerror', (e) => pageErrors.push(String(e)))
  p.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text().slice(0, 300))
  })
}

// A browser context with one watched page.
export async function newPage(browser, options) {
  const ctx = await browser.newContext(options)
  ctx.setDefaultTimeout(15000)
  const page = await ctx.newPage()
  watch(page)
  return { ctx, page }
}

// A small API client (node's fetch) signed in as username: get, post, patch, del; throws on non-2xx.
export async function apiSession(username) {
  const r = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  })
  assert.equal(r.status, 200, `API login of ${username}: HTTP ${r.status}`)
  const cookie = (r.headers.get('set-cookie') || '').split(';')[0]
  const { csrf_token: csrf } = await r.json()
  const call = async (method, path, body) => {
    const res = await fetch(`${BASE}/api/v1${path}`, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    const data = text ? JSON.parse(text) : null
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`)
    return data
  }
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b), patch: (p, b) => call('PATCH', p, b), del: (p) => call('DELETE', p) }
}

// Numbered full-page screenshots, <prefix>-NN-<name>.png; top: scroll to the top first (fixed
// bars are drawn where the page was scrolled to).
export function shooter(prefix, defaults = {}) {
  let n = 0
  return async (p, name, opts = {}) => {
    const o = { top: false, fullPage: true, ...defaults, ...opts }
    const file = join(SHOTS, `${prefix}-${String(++n).padStart(2, '0')}-${name}.png`)
    await p.waitForTimeout(450) // let dialogs, drawers, toasts and tags finish their transitions
    if (o.top) await p.evaluate(() => window.scrollTo(0, 0))
    await p.screenshot({ path: file, fullPage: o.fullPage })
    return file
  }
}

// Runs fn; on failure saves a screenshot of p as <prefix>-failed-<name>.png and rethrows.
export function stepper(prefix) {
  return async (p, name, fn) => {
    try {
      await fn()
    } catch (e) {
      await p?.screenshot({ path: join(SHOTS, `${prefix}-failed-${name}.png`), fullPage: true }).catch(() => {})
      throw e
    }
  }
}

// Subtests that build on each other: after one fails, the rest are skipped.
export function sequential(tt) {
  let broken = null
  return {
    test: (name, fn) =>
      tt.test(name, async (st) => {
        if (broken) return st.skip(`skipped after “${broken}” failed`)
        try {
          await fn(st)
        } catch (e) {
          broken = name
          throw e
        }
      }),
  }
}

// Signs in through the console's login page and waits for the console.
export async function consoleLogin(page, user, target) {
  await page.goto(`${BASE}/login${target ? '?redirect=' + encodeURIComponent(target) : ''}`)
  await page.fill('input[name=username]', user)
  await page.fill('input[name=password]', PASSWORD)
  await page.click('[data-test=login-submit]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  await page.locator('[data-test=current-user]').waitFor()
}
