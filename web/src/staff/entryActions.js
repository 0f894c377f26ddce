// The actions on a points entry, shared by 积分录入与审核 and a household's points page:
// approve, reject (with a reason), reverse (with a reason), spot-check (township/county staff).
// Each asks first, then calls the API; `done()` reloads the page's list.
import { ElMessage, ElMessageBox } from 'element-plus'
import { api } from '@/api.js'
import { errorText } from '@/shared/errors.js'
import { signed } from '@/shared/points.js'
import { t } from '@/i18n/index.js'

const summary = (e) => t('points.entries.summary', { head: e.household?.head_name || '', item: e.item?.name || '', points: signed(e.points) })

// The maker-checker refusal gets a box of its own, so that it is not missed.
function showRefusal(e) {
  if (e.code === 'points.maker_checker') {
    return ElMessageBox.alert(t('errors.points.maker_checker'), t('points.entries.makerCheckerTitle'), {
      type: 'error',
      confirmButtonText: t('common.ok'),
      customClass: 'maker-checker-box',
    }).catch(() => {})
  }
  ElMessage.error(errorText(e))
}

export async function approveEntry(e, done) {
  try {
    await ElMessageBox.confirm(t('points.entries.approveConfirm', { what: summary(e) }), t('points.entries.approveTitle'), {
      confirmButtonText: t('points.entries.approve'),
      cancelButtonText: t('common.cancel'),
      type: 'info',
    })
  } catch {
    return false
  }
  try {
    await api.post(`/points/entries/${e.id}/approve`)
    ElMessage.success(t('points.entries.approved'))
    await done?.()
    return true
  } catch (err) {
    await showRefusal(err)
    await done?.()
    return false
  }
}

async function askReason(title, message, placeholder, confirm) {
  try {
    const { value } = await ElMessageBox.prompt(message, title, {
      confirmButtonText: confirm,
      cancelButtonText: t('common.cancel'),
      inputType: 'textarea',
      inputPlaceholder: placeholder,
      inputValidator: (v) => (v && v.trim() ? true : t('points.entries.reasonRequired')),
      customClass: 'reason-box',
    })
    return value.trim()
  } catch {
    return null
  }
}

export async function rejectEntry(e, done) {
  const reason = await askReason(t('points.entries.rejectTitle'), t('points.entries.rejectMessage', { what: summary(e) }), t('points.entries.rejectPlaceholder'), t('points.entries.reject'))
  if (reason === null) return false
  try {
    await api.post(`/points/entries/${e.id}/reject`, { reason })
    ElMessage.success(t('points.entries.rejected'))
    await done?.()
    return true
  } catch (err) {
    await showRefusal(err)
    return false
  }
}

export async function reverseEntry(e, done) {
  const reason = await askReason(
    t('points.entries.reverseTitle'),
    t('points.entries.reverseMessage', { what: summary(e), points: signed(-e.points) }),
    t('points.entries.reversePlaceholder'),
    t('points.entries.reverse'),
  )
  if (reason === null) return false
  try {
    const r = await api.post(`/points/entries/${e.id}/reverse`, { reason })
    ElMessage.success(t('points.entries.reversed', { id: r?.id ?? '' }))
    await done?.()
    return true
  } catch (err) {
    await showRefusal(err)
    return false
  }
}

export async function spotCheckEntry(e, ok, note, done) {
  try {
    await api.post(`/points/entries/${e.id}/spot-check`, { ok, note })
    ElMessage.success(ok ? t('points.entries.spotOk') : t('points.entries.spotBad'))
    await done?.()
    return true
  } catch (err) {
    await showRefusal(err)
    return false
  }
}
