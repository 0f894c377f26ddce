// End-to-end test of the requests module (群众点单—支部派单—银发接单) against a real server with the
// demo data:
//
//   a resident on the phone (390×844) opens 群众点单 from the home page's tile, enters the village
//   code, orders 农牧技术 and gets a ticket (kept on the phone under 我的点单); the branch
//   secretary opens the order in the console, sees the ranked suggestions with the server's
//   reasons and dispatches it to 额尔敦; the volunteer (额尔敦's account) on the phone sees the
//   offer with the time left to answer, accepts it, sets out, reports progress and finishes it
//   with 60 minutes — their service hours go up by one; the secretary records the return visit
//   (resolved, satisfied) and the order is closed, its timeline in Chinese; the resident opens
//   the ticket page, sees the volunteer's name and rates the work 5 stars; the secretary's rates
//   dashboard (服务评价) counts the order for 额尔敦 and offers the Excel workbook.
//
// Runs the system Chromium (/usr/bin/chromium) through playwright-core; never downloads a browser.
//
//   TALA_URL               the server, e.g. http://127.0.0.1:8090 (default)
//   TALA_E2E_PASSWORD      the demo accounts' password (default Tala@2026)
//   TALA_E2E_SECRETARY     a branch_secretary of the village (default secretary)
//   TALA_E2E_VOLUNTEER     the account linked to the volunteer (default volunteer)
//   TALA_E2E_VILLAGE       the village's code (default hutele)
//   TALA_E2E_VOLUNTEER_NAME the volunteer's name in the talent pool (default 额尔敦)
//
// Needs a database loaded by `tala demo`; does not need a pristine one (other tests may have run
// on it first) and leaves nothing open behind: the order it places ends closed. Orders left open
// for the volunteer by an earlier, failed run of this test (recognised by their address) are
// finished first, so that the volunteer is not at their limit.
//
//   node requests.test.mjs          (or: node --test requests.test.mjs)
//
// Screenshots go to tests/e2e/screenshots/requests-*.png. Exits non-zero on failure.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'
import { BASE, PASSWORD, LAUNCH, pageErrors, cspViolations, newPage, apiSession, shooter, stepper, sequential, consoleLogin } from './harness.mjs'

const SECRETARY = process.env.TALA_E2E_SECRETARY || 'secretary'
const VOLUNTEER = process.env.TALA_E2E_VOLUNTEER || 'volunteer'
const VILLAGE = process.env.TALA_E2E_VILLAGE || 'hutele'
const VOL_NAME = process.env.TALA_E2E_VOLUNTEER_NAME || '额尔敦'


// Values unique to this run: the address carries the run's tag (and marks the test's orders).
const RUN = Date.now().toString(36).slice(-6)
const ADDRESS = `二组 ${RUN} 号`
const ADDRESS_RE = /^二组 [0-9a-z]{6} 号$/
const TEXT = '家里的羊这几天一直咳嗽、不爱吃草，想请懂养殖的老同志来看看是不是得了病。'
const RESIDENT = '乌云其其格'
const PHONE = '13947612345'
const TICKET_RE = /^[2-9A-HJ-NP-Z]{10}$/
const MINUTES = 60

let browser

// fixed bars are drawn where the page was scrolled to: shots start from the top
const shot = shooter('requests', { top: true })

// The people are in Inner Mongolia: show times in China Standard Time whatever the test machine's zone.
const ZONE = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }

const desk = () => newPage(browser, { viewport: { width: 1440, height: 900 }, ...ZONE })
const phoneCtx = () =>
  newPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, ...ZONE })

async function noOverflow(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`)
}

let resident // { ctx, page } the resident's phone
let secretary // { ctx, page } in the console
let volPhone // { ctx, page } the volunteer's phone
let sec // the secretary's API session
let vol // the volunteer's API session
let ticket = null
let orderId = null
let volunteerId = null
let minutesBefore = 0
let ratesBefore = null

const step = stepper('requests')

before(async () => {
  browser = await chromium.launch(LAUNCH)
})

after(async () => {
  await browser?.close()
})

test('requests: a resident orders, the branch dispatches, a silver-age volunteer does the work', async (tt) => {
  // The steps build on each other: after a failure the rest are skipped.
  const t = sequential(tt)

  await t.test('the server is up; the volunteer can take an order', async () => {
    const h = await fetch(`${BASE}/healthz`)
    assert.equal(h.status, 200)
    sec = await apiSession(SECRETARY)
    vol = await apiSession(VOLUNTEER)
    // finish what an earlier, failed run of this test left with the volunteer
    const mine = await vol.get('/me/orders')
    volunteerId = mine.volunteer.id
    assert.equal(mine.volunteer.name, VOL_NAME, `the ${VOLUNTEER} account is not linked to ${VOL_NAME}`)
    for (const o of mine.items.filter((x) => ADDRESS_RE.test(x.address || ''))) {
      if (o.status === 'offered') await vol.post(`/orders/${o.id}/decline`, { reason: '测试遗留' }).catch(() => {})
      if (o.status === 'accepted') await vol.post(`/orders/${o.id}/start`)
      if (o.status === 'accepted' || o.status === 'in_progress') await vol.post(`/orders/${o.id}/complete`, { minutes: 1, note: '测试遗留' })
    }
    const v = await sec.get(`/volunteers/${volunteerId}`)
    if (!v.available) await sec.patch(`/volunteers/${volunteerId}`, { available: true })
    minutesBefore = (await vol.get('/me/orders')).volunteer.minutes
    ratesBefore = await sec.get(`/orders/rates?node=${VILLAGE}&by=volunteer`)
  })

  await t.test('on the phone a resident orders 农牧技术 and gets a ticket', async () => {
    resident = await phoneCtx()
    const page = resident.page
    await step(page, 'order', async () => {
      // the 群众点单 tile of the home page leads to the order form
      await page.goto(`${BASE}/m/`)
      await page.locator('[data-test=m-tile-orders]').click()
      await page.waitForURL(/\/m\/orders$/)
      // a fresh phone knows no village: type its code (a QR code would carry ?village=)
      await page.locator('[data-test=m-village-input]').fill(VILLAGE)
      await page.click('[data-test=m-village-go]')
      await page.locator('[data-test=m-village-name]', { hasText: '呼特勒嘎查' }).waitFor()
      await page.click('[data-test=m-cat-agri]')
      await page.locator('[data-test=m-order-text] textarea').fill(TEXT)
      await page.locator('[data-test=m-order-name] input').fill(RESIDENT)
      await page.locator('[data-test=m-order-phone] input').fill(PHONE)
      await page.locator('[data-test=m-order-address] input').fill(ADDRESS)
      await noOverflow(page)
      await shot(page, 'phone-order-form')
      await page.click('[data-test=m-order-submit]')
      const code = page.locator('[data-test=m-ticket]')
      await code.waitFor()
      ticket = (await code.innerText()).trim()
      assert.match(ticket, TICKET_RE)
      const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('tala.orders.tickets') || '[]'))
      assert.equal(kept[0]?.ticket, ticket, 'the ticket is kept on the phone')
      await page.locator('[data-test=m-mine-item]', { hasText: ticket }).waitFor()
      await noOverflow(page)
      await shot(page, 'phone-ticket')

      const { items } = await sec.get(`/orders?node=${VILLAGE}&status=new`)
      const o = items.find((x) => x.ticket === ticket)
      assert.ok(o, 'the new order is not among the village’s orders to dispatch')
      assert.equal(o.source, 'phone')
      assert.equal(o.category.code, 'agri')
      assert.equal(o.resident_name, RESIDENT)
      orderId = o.id
    })
  })

  await t.test('the secretary sees the ranked suggestions with reasons and dispatches to the volunteer', async () => {
    secretary = await desk()
    const page = secretary.page
    await step(page, 'dispatch', async () => {
      await consoleLogin(page, SECRETARY, `/requests/orders?node=${VILLAGE}`)
      await page.waitForURL(/\/requests\/orders/)
      const row = page.locator('[data-test=orders-table] .el-table__body tr', { has: page.locator(`[data-order="${orderId}"]`) }).first()
      await row.waitFor()
      assert.match(await row.innerText(), /待派单/)
      assert.match(await row.innerText(), /农牧技术/)
      await row.locator('[data-test=order-dispatch]').click()
      const drawer = page.locator('.el-drawer:visible')
      await drawer.locator('[data-test=order-ticket]', { hasText: ticket }).waitFor()
      const cand = drawer.locator(`[data-test=suggestion][data-name="${VOL_NAME}"]`)
      await cand.waitFor()
      assert.equal(await cand.getAttribute('data-eligible'), '1', `${VOL_NAME} cannot take the order: ${await cand.innerText()}`)
      const reasons = await cand.locator('[data-test=suggestion-reasons]').innerText()
      assert.match(reasons, /专长对口：农牧/)
      assert.match(reasons, /保险有效至/)
      // ranked: the first candidate has the highest score
      const scores = (await drawer.locator('[data-test=suggestion-score]').allInnerTexts()).map(Number)
      const eligible = await drawer.locator('[data-test=suggestion]').evaluateAll((els) => els.map((e) => e.dataset.eligible === '1'))
      const elig = scores.filter((_, i) => eligible[i])
      assert.deepEqual(elig, [...elig].sort((a, b) => b - a), 'eligible candidates are not ranked by score')
      await cand.click()
      await shot(page, 'dispatch-suggestions', { fullPage: false })
      await drawer.locator('[data-test=dispatch-chosen]').click()
      await page.locator('.el-message--success').first().waitFor()
      await drawer.locator('[data-test=offer-waiting]', { hasText: VOL_NAME }).waitFor()
      await drawer.locator('[data-test=order-status][data-status=offered]').waitFor()
      const o = await sec.get(`/orders/${orderId}`)
      assert.equal(o.status, 'offered')
      assert.equal(o.offers.at(-1).volunteer.name, VOL_NAME)
      assert.equal(o.offers.at(-1).status, 'offered')
      await shot(page, 'dispatched', { fullPage: false })
    })
  })

  await t.test('the volunteer on the phone accepts, sets out, reports progress and finishes with 60 minutes', async () => {
    volPhone = await phoneCtx()
    const page = volPhone.page
    await step(page, 'volunteer', async () => {
      await page.goto(`${BASE}/m/orders/volunteer`)
      const login = page.locator('[data-test=m-login]')
      await login.waitFor()
      await login.locator('input[name=username]').fill(VOLUNTEER)
      await login.locator('input[name=password]').fill(PASSWORD)
      await page.click('[data-test=m-login-submit]')
      await page.locator('[data-test=m-vol-name]', { hasText: VOL_NAME }).waitFor()
      const offer = page.locator(`[data-test=m-offer][data-order="${orderId}"]`)
      await offer.waitFor()
      assert.match(await offer.innerText(), /农牧技术/)
      // the time left to answer: two hours for a normal order, counted on the server's clock
      const left = await offer.locator('[data-test=m-offer-left]').innerText()
      assert.match(left, /请在 (1 小时 \d+ 分|2 小时|\d+ 分钟)内答复/)
      assert.equal((await page.locator('[data-test=m-vol-hours]').innerText()).replace(/\s+/g, ''), `${fmtHours(minutesBefore)}小时`)
      await noOverflow(page)
      await shot(page, 'volunteer-offer')

      await offer.locator('[data-test=m-offer-accept]').click()
      const card = page.locator(`[data-test=m-inhand][data-order="${orderId}"]`)
      await page.locator(`[data-test=m-inhand][data-order="${orderId}"][data-status=accepted]`).waitFor()
      assert.match(await card.innerText(), new RegExp(RESIDENT))
      assert.match(await card.innerText(), new RegExp(PHONE))
      await card.locator('[data-test=m-start]').click()
      await page.locator(`[data-test=m-inhand][data-order="${orderId}"][data-status=in_progress]`).waitFor()

      await card.locator('[data-test=m-progress]').click()
      const sheet = page.locator('[data-test=m-sheet]')
      await sheet.locator('[data-test=m-progress-note] textarea').fill('已到户查看，羊群有轻微呼吸道感染，已打针，明天再来看看。')
      await sheet.locator('[data-test=m-sheet-submit]').click()
      await sheet.waitFor({ state: 'hidden' })

      await card.locator('[data-test=m-complete]').click()
      await sheet.locator('[data-test=m-complete-minutes] input').fill(String(MINUTES))
      await sheet.locator('[data-test=m-complete-note] textarea').fill('羊群已用药，教会了户主拌料和圈舍消毒的方法。')
      await shot(page, 'volunteer-complete')
      await sheet.locator('[data-test=m-sheet-submit]').click()
      await sheet.waitFor({ state: 'hidden' })
      await page.locator(`[data-test=m-inhand][data-order="${orderId}"]`).waitFor({ state: 'detached' })
      await page.waitForFunction((h) => document.querySelector('[data-test=m-vol-hours]')?.innerText.replace(/\s+/g, '') === h, `${fmtHours(minutesBefore + MINUTES)}小时`)
      const after = await vol.get('/me/orders')
      assert.equal(after.volunteer.minutes, minutesBefore + MINUTES, 'the hours were not credited')
      const o = await sec.get(`/orders/${orderId}`)
      assert.equal(o.status, 'done')
      assert.equal(o.minutes, MINUTES)
      await page.locator('.van-toast').first().waitFor({ state: 'hidden' })
      await shot(page, 'volunteer-done')
    })
  })

  await t.test('the secretary records the return visit: resolved and satisfied; the order is closed', async () => {
    const page = secretary.page
    await step(page, 'visit', async () => {
      await page.goto(`${BASE}/requests/orders?node=${VILLAGE}&order=${orderId}`)
      const drawer = page.locator('.el-drawer:visible')
      await drawer.locator('[data-test=order-status][data-status=done]').waitFor()
      await drawer.locator('[data-test=order-visit]').click()
      const form = page.locator('[data-test=visit-form]')
      await form.waitFor()
      await form.locator('[data-test=visit-resolved] .el-radio-button', { hasText: '是' }).click()
      await form.locator('[data-test=visit-satisfied] .el-radio-button', { hasText: '是' }).click()
      await form.locator('textarea[name=visit-note]').fill('电话回访：羊群已好转，户主对志愿者的服务表示满意。')
      await page.click('[data-test=visit-save]')
      await page.locator('.el-message--success', { hasText: '回访完成' }).first().waitFor()
      await drawer.locator('[data-test=order-status][data-status=closed]').waitFor()
      const timeline = drawer.locator('[data-test=order-timeline]')
      for (const kind of ['placed', 'offered', 'accepted', 'started', 'progress', 'done', 'visited']) await timeline.locator(`[data-kind=${kind}]`).first().waitFor()
      const text = await timeline.innerText()
      for (const words of ['群众点单', '派单', '志愿者接单', '志愿者出发', '进展反馈', '办结', '回访', `派给 ${VOL_NAME}`, `服务 ${MINUTES} 分钟`, '问题已解决，群众满意']) assert.ok(text.includes(words), `the timeline lacks “${words}”`)
      assert.doesNotMatch(text, /offered to|resolved: yes|min:/, 'the timeline shows the server’s English details')
      await drawer.locator('.el-drawer__body').evaluate((el) => el.scrollTo(0, el.scrollHeight))
      await shot(page, 'visited-timeline', { fullPage: false })
      const o = await sec.get(`/orders/${orderId}`)
      assert.equal(o.status, 'closed')
      assert.equal(o.resolved, true)
      assert.equal(o.satisfied, true)
    })
  })

  await t.test('the resident opens the ticket page and rates the work 5 stars', async () => {
    const page = resident.page
    await step(page, 'rate', async () => {
      await page.click('[data-test=m-view-progress]')
      await page.waitForURL(new RegExp(`/m/orders/${ticket}$`))
      await page.locator('[data-test=m-ticket-status][data-status=closed]').waitFor()
      assert.equal((await page.locator('[data-test=m-ticket-volunteer]').innerText()).replace(/\s+/g, ' ').includes(VOL_NAME), true)
      const events = await page.locator('[data-test=m-ticket-events]').innerText()
      assert.match(events, /群众点单/)
      assert.match(events, /回访/)
      // no personal data on the public page
      const body = await page.locator('body').innerText()
      assert.ok(!body.includes(RESIDENT) && !body.includes(PHONE) && !body.includes(ADDRESS), 'the ticket page shows personal data')
      const rate = page.locator('[data-test=m-rate]')
      await rate.waitFor()
      await rate.locator('.van-rate__item').nth(4).click()
      await rate.getByText('非常满意').waitFor()
      await noOverflow(page)
      await shot(page, 'ticket-rate')
      await page.click('[data-test=m-rate-submit]')
      await page.locator('[data-test=m-rated]').waitFor()
      const pub = await (await fetch(`${BASE}/api/v1/public/orders/${ticket}`)).json()
      assert.equal(pub.rating, 5)
      assert.equal((await sec.get(`/orders/${orderId}`)).rating, 5)
      await page.locator('.van-toast').first().waitFor({ state: 'hidden' })
      await shot(page, 'ticket-rated')
    })
  })

  await t.test('the rates dashboard counts the order for the volunteer and offers the Excel workbook', async () => {
    const page = secretary.page
    await step(page, 'rates', async () => {
      await page.keyboard.press('Escape')
      await page.click('[data-test=menu-requestsRates]')
      await page.waitForURL(/\/requests\/rates/)
      await page.locator('[data-test=rates-chart] canvas').first().waitFor()
      const row = page.locator('[data-test=rates-table] .el-table__body tr', { hasText: VOL_NAME }).first()
      await row.waitFor()
      const now = await sec.get(`/orders/rates?node=${VILLAGE}&by=volunteer`)
      const before = ratesBefore.items.find((g) => g.group === VOL_NAME)
      const mine = now.items.find((g) => g.group === VOL_NAME)
      assert.equal(mine.orders, (before?.orders || 0) + 1, 'the order is not counted for the volunteer')
      assert.equal(now.total.orders, ratesBefore.total.orders + 1)
      assert.equal(mine.counts.visited, (before?.counts.visited || 0) + 1)
      assert.equal(mine.counts.satisfied, (before?.counts.satisfied || 0) + 1)
      const cells = await row.locator('td').allInnerTexts()
      assert.equal(cells[1].trim(), String(mine.orders))
      assert.equal((await page.locator('[data-test=rates-total-orders]').innerText()).trim(), String(now.total.orders))
      const href = await page.locator('[data-test=rates-xlsx]').getAttribute('href')
      assert.match(href, new RegExp(`^/api/v1/orders/rates\\.xlsx\\?node=${VILLAGE}&by=volunteer$`))
      const res = await page.request.get(BASE + href)
      assert.equal(res.status(), 200)
      assert.match(res.headers()['content-type'] || '', /spreadsheetml/)
      assert.equal((await res.body()).subarray(0, 2).toString(), 'PK') // a zip, as .xlsx files are
      await shot(page, 'rates')
      await page.locator('[data-test=rates-table]').scrollIntoViewIfNeeded()
      await shot(page, 'rates-table', { top: false })
    })
  })

  await t.test('no uncaught errors and nothing blocked by the Content-Security-Policy', () => {
    assert.deepEqual(pageErrors, [], 'uncaught errors in the pages')
    assert.deepEqual(cspViolations, [], 'the Content-Security-Policy blocked something')
  })
})

// Minutes as the phone page shows hours: 90 → "1.5", 120 → "2".
function fmtHours(minutes) {
  const h = Math.round(minutes / 6) / 10
  return Number.isInteger(h) ? String(h) : h.toFixed(1)
}
