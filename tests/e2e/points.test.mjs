// End-to-end test of the points module (积分制, 积分超市) against a real server with the demo data:
//
//   secretary (maker) adds a household in the console and a scoring item of the village;
//   on the phone (390×844) scores the household twice, once online and once offline — the
//   offline one waits as 待同步 (1) and is sent exactly once when the phone is back online;
//   committee (checker) approves the first in the console; secretary trying to approve the
//   second (their own) is refused with 录入人不能审核自己的记录; every pending entry of the
//   village is decided; secretary closes the open period, publishes it (and is told why it cannot
//   be sealed yet), records an objection and rejects it; the server clock is moved past the
//   publicity days; secretary seals the period and sees its SM3 hash; adds goods to the store,
//   redeems them for the household and hands them over; the household's balance went down; the
//   report shows the chart and offers the Excel file; the public ranking on the phone shows the
//   household under its masked name.
//
// Runs the system Chromium (/usr/bin/chromium) through playwright-core; never downloads a browser.
//
//   TALA_URL               the server, e.g. http://127.0.0.1:8090 (default)
//   TALA_E2E_PASSWORD      the demo accounts' password (default Tala@2026)
//   TALA_E2E_MAKER         a branch_secretary of the village (default secretary)
//   TALA_E2E_CHECKER       a second branch_secretary of the village (default committee)
//   TALA_E2E_VILLAGE       the village's code (default hutele)
//
// The server must run with TALA_TEST_CLOCK=1 (POST /api/v1/test/clock moves its clock) on a
// database loaded by `tala demo`. Each run moves the server clock forward by the publicity days
// plus one; a run may follow another on the same database (it opens a new period when the
// village has none open).
//
//   node points.test.mjs          (or: node --test points.test.mjs)
//
// Screenshots go to tests/e2e/screenshots/points-*.png. Exits non-zero on failure.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'
import { BASE, PASSWORD, LAUNCH, watch, pageErrors, cspViolations, newPage, apiSession, shooter, stepper, sequential, consoleLogin } from './harness.mjs'

const MAKER = process.env.TALA_E2E_MAKER || 'secretary'
const CHECKER = process.env.TALA_E2E_CHECKER || 'committee'
const VILLAGE = process.env.TALA_E2E_VILLAGE || 'hutele'


// Names and codes unique to this run.
const RUN = Date.now().toString(36).slice(-6)
const HEADS = ['乌日娜', '其木格', '萨仁图', '阿拉坦', '敖登格']
const HEAD = HEADS[parseInt(RUN, 36) % HEADS.length]
const HH_CODE = `${VILLAGE}-e2e-${RUN}`
const ITEM_CODE = `E2E-${RUN.toUpperCase()}`
const ITEM_NAME = `庭院美化示范户（${RUN}）`
const ITEM_POINTS = 10
const GOODS_NAME = `香皂三块（${RUN}）`
const GOODS_PRICE = 6
const GOODS_QTY = 2
const NOTE_ONLINE = `入户查看：院落整洁，花草成行（在线 ${RUN}）`
const NOTE_OFFLINE = `入户查看：牧场围栏修缮到位（离线 ${RUN}）`
const DAY = 86400000

let browser

const shot = shooter('points')

const desk = () => newPage(browser, { viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })

// Clicks the confirm button of the open Element Plus message box.
async function confirmBox(page, button) {
  const box = page.locator('.el-message-box:visible').last()
  await box.waitFor()
  const handle = await box.elementHandle()
  await box.getByRole('button', { name: button, exact: true }).click()
  await handle.waitForElementState('hidden') // this box: another may open right after
}

// Picks an option of an Element Plus select (teleported to <body>): opens it, types, clicks.
async function pickOption(page, select, text, typed = null) {
  await select.click()
  if (typed !== null) await select.locator('input').fill(typed)
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  await option.waitFor()
  await option.click()
}

let secretary // { ctx, page } of the maker in the console
let committee // { ctx, page } of the checker
let phone // { ctx, page } at 390×844
let api // the maker's API session (node)
let householdId = null
let periodId = null
let balanceBeforeStore = null

const step = stepper('points')

before(async () => {
  browser = await chromium.launch(LAUNCH)
})

after(async () => {
  await browser?.close()
})

test('points: from a new household to a sealed period, the store and the public ranking', async (tt) => {
  // The steps build on each other: after a failure the rest are skipped.
  const t = sequential(tt)

  await t.test('the server is up and its test clock is enabled', async () => {
    const h = await fetch(`${BASE}/healthz`)
    assert.equal(h.status, 200)
    const c = await fetch(`${BASE}/api/v1/test/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"advance_ms":0}' })
    assert.equal(c.status, 200, 'POST /api/v1/test/clock failed: start the server with TALA_TEST_CLOCK=1')
    api = await apiSession(MAKER)
  })

  await t.test('the maker adds a household in 人口与户籍', async () => {
    secretary = await desk()
    const page = secretary.page
    await step(page, 'household', async () => {
      await consoleLogin(page, MAKER, `/people?node=${VILLAGE}&tab=households`)
      await page.locator('[data-test=current-node]').waitFor()
      await page.click('[data-test=add-household]')
      const form = page.locator('[data-test=household-form]')
      await form.waitFor()
      await form.getByLabel('户主').fill(HEAD)
      await form.getByLabel('住址').fill(`${VILLAGE === 'hutele' ? '呼特勒嘎查' : ''}三组 ${RUN} 号`)
      await form.getByLabel('户编号').fill(HH_CODE)
      await page.locator('.el-dialog:visible').getByRole('button', { name: '保存' }).click()
      await page.locator('.el-message--success').first().waitFor()
      const found = await api.get(`/households?node=${VILLAGE}&q=${encodeURIComponent(HH_CODE)}`)
      const hh = found.items.find((h) => h.code === HH_CODE)
      assert.ok(hh, 'the new household is not listed by the API')
      householdId = hh.id
      // its points, from the households table
      await page.locator('[data-test=households-table]').getByText(HH_CODE).waitFor()
      const row = page.locator('[data-test=households-table] .el-table__body tr', { hasText: HH_CODE }).first()
      await row.waitFor()
      await shot(page, 'household-added')
    })
  })

  await t.test('the maker adds a scoring item of the village', async () => {
    const page = secretary.page
    await step(page, 'item', async () => {
      await page.click('[data-test=menu-pointsItems]')
      await page.waitForURL(/\/points\/items/)
      await page.locator('[data-test=items-table] .el-table__body tr').first().waitFor()
      await page.click('[data-test=item-create]')
      const form = page.locator('[data-test=item-form]')
      await form.waitFor()
      await form.locator('input[name=code]').fill(ITEM_CODE)
      await form.locator('input[name=name]').fill(ITEM_NAME)
      await form.locator('.el-radio-button', { hasText: '贡献' }).click()
      await form.locator('.el-input-number input').fill(String(ITEM_POINTS))
      await form.locator('textarea[name=decision]').fill('2026年第五次村民代表会议决议')
      await page.click('[data-test=item-save]')
      const row = page.locator('[data-test=items-table] .el-table__body tr', { hasText: ITEM_CODE })
      await row.waitFor()
      assert.match(await row.innerText(), /\+10/)
      await shot(page, 'items')
    })
  })

  await t.test('the village has an open period (one is opened when there is none)', async () => {
    const page = secretary.page
    await step(page, 'period-open', async () => {
      const { items } = await api.get(`/points/periods?node=${VILLAGE}`)
      let open = items.find((p) => p.status === 'open')
      if (!open) {
        // the previous run sealed the last one: open the next from the page
        for (const p of items.filter((x) => x.status !== 'sealed')) assert.fail(`period ${p.name} is ${p.status}: finish it first`)
        await page.click('[data-test=menu-pointsPeriods]')
        await page.waitForURL(/\/points\/periods/)
        await page.click('[data-test=period-create]')
        await page.click('[data-test=period-save]')
        await page.locator('.el-message--success').first().waitFor()
        open = (await api.get(`/points/periods?node=${VILLAGE}`)).items.find((p) => p.status === 'open')
      }
      assert.ok(open, 'no open period')
      periodId = open.id
    })
  })

  await t.test('on the phone: sign in, score online, score offline, sync once', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' })
    ctx.setDefaultTimeout(15000)
    const page = await ctx.newPage()
    watch(page)
    phone = { ctx, page }
    await step(page, 'phone', async () => {
      // the 积分超市 tile of the home page leads to the points pages
      await page.goto(`${BASE}/m/`)
      await page.locator('[data-test=m-tile-points]').click()
      await page.waitForURL(/\/m\/points/)
      await page.locator('[data-test=m-score-link]').click()
      await page.waitForURL(/\/m\/points\/score/)
      const login = page.locator('[data-test=m-login]')
      await login.waitFor()
      await login.locator('input[name=username]').fill(MAKER)
      await login.locator('input[name=password]').fill(PASSWORD)
      await page.click('[data-test=m-login-submit]')
      await page.locator('[data-test=m-online]').waitFor()

      const pickHousehold = async () => {
        await page.click('[data-test=m-pick-household]')
        const pop = page.locator('[data-test=m-household-popup]')
        await pop.locator('input').fill(HH_CODE)
        await pop.locator('[data-test=m-household-option]', { hasText: HH_CODE }).click()
        await pop.waitFor({ state: 'hidden' })
      }
      const pickItem = async () => {
        await page.click('[data-test=m-pick-item]')
        const pop = page.locator('[data-test=m-item-popup]')
        await pop.locator('[data-test=m-item-option]', { hasText: ITEM_NAME }).click()
        await pop.waitFor({ state: 'hidden' })
      }

      // online
      await pickHousehold()
      await pickItem()
      await page.locator('[data-test=m-note] textarea').fill(NOTE_ONLINE)
      await page.click('[data-test=m-submit]')
      const mine = page.locator('[data-test=m-mine-item]', { hasText: NOTE_ONLINE })
      await mine.waitFor()
      assert.match(await mine.innerText(), /待审核/)
      await shot(page, 'phone-scored-online')

      // offline: the submission waits in the queue
      await ctx.setOffline(true)
      await page.locator('[data-test=m-online]', { hasText: '离线' }).waitFor()
      await pickItem() // the household stays picked for the next item
      await page.locator('[data-test=m-note] textarea').fill(NOTE_OFFLINE)
      await page.click('[data-test=m-submit]')
      await page.locator('[data-test=m-sync-count]', { hasText: '待同步（1）' }).waitFor()
      const queued = await page.evaluate((u) => JSON.parse(localStorage.getItem('tala.points.queue.' + u) || '[]'), MAKER)
      assert.equal(queued.length, 1, 'one submission in the offline queue')
      assert.match(queued[0].body.idempotency_key, /^[0-9a-f-]{36}$/)
      assert.equal(queued[0].body.note, NOTE_OFFLINE)
      await shot(page, 'phone-offline-queued')

      // back online: the `online` event sends it
      await ctx.setOffline(false)
      await page.locator('[data-test=m-queue]').waitFor({ state: 'detached' })
      await page.locator('[data-test=m-mine-item]', { hasText: NOTE_OFFLINE }).waitFor()
      // a tap on 立即同步 now has nothing to send
      assert.equal(await page.locator('[data-test=m-sync-now]').count(), 0)
      await shot(page, 'phone-synced')

      // exactly once on the server
      const { items } = await api.get(`/points/entries?node=${VILLAGE}&household=${householdId}`)
      assert.equal(items.filter((e) => e.note === NOTE_OFFLINE).length, 1, 'the offline entry was entered exactly once')
      assert.equal(items.filter((e) => e.note === NOTE_ONLINE).length, 1, 'the online entry was entered once')
      assert.ok(items.every((e) => e.status === 'pending' && e.maker === MAKER))
    })
  })

  const entryRow = (page, note) => page.locator('[data-test=entries-table] .el-table__body tr', { hasText: note }).first()

  await t.test('the checker approves the online entry in the console', async () => {
    committee = await desk()
    const page = committee.page
    await step(page, 'approve', async () => {
      await consoleLogin(page, CHECKER, `/points/entries?node=${VILLAGE}&status=pending`)
      const row = entryRow(page, NOTE_ONLINE)
      await row.waitFor()
      await row.locator('[data-test=entry-approve]').click()
      await confirmBox(page, '通过')
      await page.locator('.el-message--success', { hasText: '已审核通过' }).waitFor()
      await page.locator('[data-test=entries-table] .el-table__body tr', { hasText: NOTE_ONLINE }).waitFor({ state: 'detached' })
      await shot(page, 'checker-approved')
    })
  })

  await t.test('the maker cannot approve their own entry', async () => {
    const page = secretary.page
    await step(page, 'maker-checker', async () => {
      await page.goto(`${BASE}/points/entries?node=${VILLAGE}&status=pending`)
      const row = entryRow(page, NOTE_OFFLINE)
      await row.waitFor()
      assert.match(await row.innerText(), /本人/)
      await row.locator('[data-test=entry-approve]').click()
      await confirmBox(page, '通过')
      const box = page.locator('.maker-checker-box')
      await box.waitFor()
      assert.match(await box.innerText(), /录入人不能审核自己的记录/)
      await shot(page, 'maker-refused')
      await box.getByRole('button', { name: '确定' }).click()
      const still = await api.get(`/points/entries?node=${VILLAGE}&household=${householdId}&status=pending`)
      assert.equal(still.items.length, 1, 'the entry is still pending')
    })
  })

  await t.test('every pending entry of the village is decided by a member who did not make it', async () => {
    await step(committee.page, 'decide-all', async () => {
      for (let guard = 0; guard < 50; guard++) {
        const { items } = await api.get(`/points/entries?node=${VILLAGE}&status=pending`)
        if (!items.length) break
        const e = items[0]
        const ctx = e.maker === CHECKER ? secretary : committee
        await ctx.page.goto(`${BASE}/points/entries?node=${VILLAGE}&status=pending`)
        const row = ctx.page.locator('[data-test=entries-table] .el-table__body tr', { has: ctx.page.locator(`[data-entry="${e.id}"]`) }).first()
        await row.waitFor()
        await row.locator('[data-test=entry-approve]').click()
        await confirmBox(ctx.page, '通过')
        await ctx.page.locator('.el-message--success').first().waitFor()
      }
      const left = await api.get(`/points/entries?node=${VILLAGE}&status=pending`)
      assert.equal(left.items.length, 0, 'entries still pending')
      const mine = await api.get(`/households/${householdId}/points`)
      assert.equal(mine.balance, 2 * ITEM_POINTS)
    })
  })

  await t.test('the maker closes the period, publishes it, and is told why it cannot be sealed yet', async () => {
    const page = secretary.page
    await step(page, 'close-publish', async () => {
      await page.click('[data-test=menu-pointsPeriods]')
      await page.waitForURL(/\/points\/periods/)
      const row = () => page.locator('[data-test=periods-table] .el-table__body tr').first()
      await row().locator('[data-test=period-close]').click()
      await confirmBox(page, '截止')
      await row().locator('[data-test=period-status]', { hasText: '已截止' }).waitFor()
      await row().locator('[data-test=period-publish]').click()
      await confirmBox(page, '公示')
      await row().locator('[data-test=period-status]', { hasText: '公示中' }).waitFor()
      await shot(page, 'period-publicity')

      await row().locator('[data-test=period-seal]').click()
      await confirmBox(page, '封存')
      const refusal = page.locator('.refusal-box')
      await refusal.waitFor()
      assert.match(await refusal.innerText(), /公示期尚未结束/)
      await shot(page, 'seal-refused')
      await refusal.getByRole('button', { name: '确定' }).click()
    })
  })

  await t.test('an objection is recorded during publicity and rejected', async () => {
    const page = secretary.page
    await step(page, 'objection', async () => {
      await page.click('[data-test=menu-pointsObjections]')
      await page.waitForURL(/\/points\/objections/)
      await page.locator('.el-alert', { hasText: '正在公示' }).waitFor()
      await page.click('[data-test=objection-create]')
      const form = page.locator('[data-test=objection-form]')
      await form.waitFor()
      await pickOption(page, form.locator('[data-test=objection-entry]'), HH_CODE, HH_CODE)
      await form.locator('textarea[name=objection-text]').fill('三组村民反映：该户院内仍有杂物堆放，评分偏高。')
      await page.click('[data-test=objection-save]')
      const row = page.locator('[data-test=objections-table] .el-table__body tr', { hasText: HH_CODE }).first()
      await row.locator('[data-test=objection-status]', { hasText: '待处理' }).waitFor()
      await row.locator('[data-test=objection-decide]').click()
      const decide = page.locator('[data-test=decide-form]')
      await decide.waitFor()
      await decide.locator('[data-test=decide-reject]').click()
      await decide.locator('textarea[name=decision]').fill('经村“两委”入户核实，院落整洁，评分属实，维持原评分。')
      await page.click('[data-test=decide-save]')
      await row.locator('[data-test=objection-status]', { hasText: '异议不成立' }).waitFor()
      await shot(page, 'objection-rejected')
    })
  })

  await t.test('after the publicity days the period is sealed and its hash shown', async () => {
    const page = secretary.page
    await step(page, 'seal', async () => {
      const p = (await api.get(`/points/periods?node=${VILLAGE}`)).items.find((x) => x.id === periodId)
      assert.equal(p.status, 'publicity')
      const res = await fetch(`${BASE}/api/v1/test/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ advance_ms: (p.publicity_days + 1) * DAY }) })
      assert.equal(res.status, 200)
      // the jump outlasts every session's idle timeout: sign in again
      api = await apiSession(MAKER)
      await consoleLogin(page, MAKER, `/points/periods?node=${VILLAGE}`)
      await page.waitForURL(/\/points\/periods/)
      const row = page.locator('[data-test=periods-table] .el-table__body tr').first()
      await row.locator('[data-test=period-seal]').click()
      await confirmBox(page, '封存')
      const box = page.locator('.seal-box')
      await box.waitFor()
      const boxHash = (await box.locator('.el-message-box__message').innerText()).trim()
      assert.match(boxHash, /^[0-9a-f]{64}$/)
      await box.getByRole('button', { name: '确定' }).click()
      await row.locator('[data-test=period-status]', { hasText: '已封存' }).waitFor()
      const shown = (await row.locator('[data-test=seal-hash]').innerText()).replace(/\s+/g, '')
      assert.equal(shown, boxHash)
      const sealed = (await api.get(`/points/periods?node=${VILLAGE}`)).items.find((x) => x.id === periodId)
      assert.equal(sealed.seal_hash, boxHash)
      await shot(page, 'period-sealed')
    })
  })

  await t.test('goods are redeemed for the household and picked up; the balance goes down', async () => {
    const page = secretary.page
    await step(page, 'store', async () => {
      balanceBeforeStore = (await api.get(`/households/${householdId}/points`)).balance
      await page.click('[data-test=menu-pointsStore]')
      await page.waitForURL(/\/points\/store/)
      // new goods on the shelf
      await page.click('[data-test=goods-create]')
      const gf = page.locator('[data-test=goods-form]')
      await gf.waitFor()
      await gf.locator('input[name=goods-name]').fill(GOODS_NAME)
      await gf.locator('.el-input-number').nth(0).locator('input').fill(String(GOODS_PRICE))
      await gf.locator('.el-input-number').nth(1).locator('input').fill('20')
      await page.click('[data-test=goods-save]')
      await page.locator('[data-test=goods-card]', { hasText: GOODS_NAME }).waitFor()
      await shot(page, 'store-goods')

      // redeem
      await page.locator('[data-test=goods-card]', { hasText: GOODS_NAME }).locator('[data-test=goods-redeem]').click()
      const rf = page.locator('[data-test=redeem-form]')
      await rf.waitFor()
      await pickOption(page, rf.locator('[data-test=household-select]'), HH_CODE, HH_CODE)
      await rf.locator('[data-test=acct-available]', { hasText: String(balanceBeforeStore) }).waitFor()
      await rf.locator('input[name=quantity]').fill(String(GOODS_QTY))
      await rf.locator('input[name=quantity]').blur()
      await rf.locator('[data-test=redeem-amount]', { hasText: String(GOODS_PRICE * GOODS_QTY) }).waitFor()
      await shot(page, 'store-redeem')
      await page.click('[data-test=redeem-save]')
      const row = page.locator('[data-test=redemptions-table] .el-table__body tr', { hasText: HH_CODE }).first()
      await row.locator('[data-test=redemption-status]', { hasText: '待领取' }).waitFor()
      const held = await api.get(`/households/${householdId}/points`)
      assert.equal(held.balance, balanceBeforeStore)
      assert.equal(held.pending, GOODS_PRICE * GOODS_QTY)
      assert.equal(held.available, balanceBeforeStore - GOODS_PRICE * GOODS_QTY)

      // hand over
      await row.locator('[data-test=redemption-pickup]').click()
      await confirmBox(page, '领取')
      await row.locator('[data-test=redemption-status]', { hasText: '已领取' }).waitFor()
      await shot(page, 'store-picked-up')
    })
  })

  await t.test("the household's points page shows the lower balance", async () => {
    const page = secretary.page
    await step(page, 'household-points', async () => {
      await page.locator('[data-test=redemptions-table] .el-table__body tr', { hasText: HH_CODE }).first().getByText(HEAD).click()
      await page.waitForURL(/\/points\/households\/\d+/)
      const expected = balanceBeforeStore - GOODS_PRICE * GOODS_QTY
      await page.locator('[data-test=acct-balance]', { hasText: new RegExp(`^${expected}$`) }).waitFor()
      assert.equal((await page.locator('[data-test=acct-pending]').innerText()).trim(), '0')
      assert.equal((await page.locator('[data-test=household-entries] .el-table__body tr').count()), 2)
      assert.equal((await page.locator('[data-test=household-redemptions] .el-table__body tr').count()), 1)
      const after = await api.get(`/households/${householdId}/points`)
      assert.equal(after.balance, expected)
      await shot(page, 'household-points')
    })
  })

  await t.test('the report shows the chart and offers the Excel workbook', async () => {
    const page = secretary.page
    await step(page, 'report', async () => {
      await page.click('[data-test=menu-pointsReport]')
      await page.waitForURL(/\/points\/report/)
      await page.locator('[data-test=points-chart] canvas').first().waitFor()
      await page.locator('[data-test=report-villages] .el-table__body tr').first().waitFor()
      const href = await page.locator('[data-test=report-xlsx]').getAttribute('href')
      assert.match(href, new RegExp(`^/api/v1/points/report\\.xlsx\\?node=${VILLAGE}(&period=[^&]+)?$`))
      const res = await page.request.get(BASE + href)
      assert.equal(res.status(), 200)
      assert.match(res.headers()['content-type'] || '', /spreadsheetml/)
      const body = await res.body()
      assert.equal(body.subarray(0, 2).toString(), 'PK') // a zip, as .xlsx files are
      await shot(page, 'report')
    })
  })

  await t.test('the public ranking on the phone shows the household under its masked name', async () => {
    const page = phone.page
    await step(page, 'public', async () => {
      await page.goto(`${BASE}/m/points?village=${VILLAGE}`)
      const row = page.locator('[data-test=m-rank-row]', { hasText: HH_CODE })
      await row.waitFor()
      const masked = (await row.locator('[data-test=m-rank-head]').innerText()).trim()
      assert.notEqual(masked, HEAD, 'the full name is shown in public')
      assert.equal(masked, HEAD[0] + '*' + HEAD[HEAD.length - 1])
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`)
      await row.scrollIntoViewIfNeeded()
      await shot(page, 'public-ranking')
      await row.click()
      await page.waitForURL(/\/m\/points\/household\//)
      const expected = balanceBeforeStore - GOODS_PRICE * GOODS_QTY
      await page.locator('[data-test=m-household-balance]', { hasText: new RegExp(`^${expected}$`) }).waitFor()
      assert.equal((await page.locator('[data-test=m-household-head]').innerText()).trim(), masked)
      await shot(page, 'public-household')
    })
  })

  await t.test('no uncaught errors and nothing blocked by the Content-Security-Policy', () => {
    assert.deepEqual(pageErrors, [], 'uncaught errors in the pages')
    assert.deepEqual(cspViolations, [], 'the Content-Security-Policy blocked something')
  })
})
