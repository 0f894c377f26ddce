// Turns an ApiError (see api.js) into a message for people, in the current language.
//
// The server's problem codes are in docs/errors.md (src/http/problem.c); its `detail` is English
// and short ("name: required", "at least 8 characters"), so the common ones are translated here.
import { t, te, currentLocale } from '@/i18n/index.js'

// request.bad_field details → errors.why.* keys
const FIELD_REASONS = [
  [/^required$/, 'required'],
  [/^must be a string$/, 'string'],
  [/^must be an integer$/, 'integer'],
  [/^(must be )?true or false$/, 'boolean'],
  [/^must be a code or a positive id$/, 'ref'],
  [/^contains control characters$/, 'control'],
  [/^longer than (\d+) characters$/, 'tooLong'],
  [/^unknown role$/, 'role'],
  [/^\d+–\d+ of /, 'chars'],
  [/^one of /, 'oneOf'],
  [/^(committee|m or f)/, 'oneOf'],
  [/^\d+–\d+ digits$/, 'phone'],
  [/^\d+ to \d+$/, 'range'],
  [/^a household id$/, 'household'],
  [/^a person object$/, 'person'],
]

// auth.weak_password details → errors.weak.* keys
const WEAK_REASONS = [
  [/^at least (\d+) characters$/, 'minLength'],
  [/^at most (\d+) characters$/, 'maxLength'],
  [/^at least (\d+) of:/, 'classes'],
  [/^must not contain the username$/, 'username'],
  [/^must differ from the old one$/, 'same'],
]

function reasonOf(err) {
  let why = String(err.detail || '').trim()
  if (err.field && why.startsWith(err.field + ':')) why = why.slice(err.field.length + 1).trim()
  else why = why.replace(/^[a-z_]+:\s*/, '')
  return why
}

function translate(table, prefix, why) {
  for (const [re, key] of table) {
    const m = why.match(re)
    if (m) return t(`${prefix}.${key}`, { n: m[1] })
  }
  return null
}

export function errorText(err) {
  if (!err) return ''
  const code = err.code
  if (code === 'auth.weak_password') {
    const r = translate(WEAK_REASONS, 'errors.weak', reasonOf(err))
    return r ? t('errors.weak.prefix', { reason: r }) : t('errors.auth.weak_password')
  }
  if (code === 'request.bad_field' && err.field) return `${fieldLabel(err.field)}：${fieldErrorText(err)}`
  if (code && te('errors.' + code)) return t('errors.' + code)
  if (err.status === 0) return t('errors.network')
  if (currentLocale() !== 'en' && err.titleZh) return err.titleZh
  if (err.status && te('errors.http.' + err.status)) return t('errors.http.' + err.status)
  return err.title || err.detail || err.message || t('errors.unknown')
}

// For a 400 (or 409) that names a field: the message to show beside that field.
export function fieldErrorText(err) {
  if (!err) return ''
  if (err.code === 'request.bad_field') {
    const why = reasonOf(err)
    return translate(FIELD_REASONS, 'errors.why', why) || (currentLocale() !== 'en' && err.titleZh ? `${err.titleZh}（${why}）` : why || t('errors.http.400'))
  }
  return errorText(err)
}

function fieldLabel(field) {
  const k = fieldKey(field)
  return te('fields.' + k) ? t('fields.' + k) : k
}

// Maps the server's field name (which may be a path like "members[0].id_number") to the form's.
export function fieldKey(field) {
  if (!field) return null
  return String(field).replace(/^.*[.\]]/, '').replace(/\[\d+\]$/, '')
}
