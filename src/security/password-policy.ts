import { COMMON_PASSWORDS } from './common-passwords'

/**
 * What a new password must be (docs/decisions/004-password-hashing-and-policy.md): 12 to 256
 * characters, any characters, no composition rules (ASVS 6.2), and not a common password or a
 * trivial variant of one. Pure: the Users hook turns a refusal into a field error.
 */
export const MIN_PASSWORD_LENGTH = 12
// ASVS asks for at least 64; the cap only keeps absurd bodies away from the hash.
export const MAX_PASSWORD_LENGTH = 256

const common = new Set(
  COMMON_PASSWORDS.split('\n')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean),
)
// Words that come with this application and its demo data.
for (const w of ['partnerledger', 'partner-ledger', 'partner ledger', 'ledger', 'payout', 'payouts', 'commission', 'affiliate', 'demo'])
  common.add(w)

const SEQUENCES = [
  '0123456789012345678901234567890',
  'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz',
  'qwertyuiopasdfghjklzxcvbnm',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'qazwsxedcrfvtgbyhnujmikolp',
]

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' }

/** "P@ssw0rd" -> "password" (and "1" also read as "l"). */
function unleet(s: string): string[] {
  const a = s.replace(/[013457@$!]/g, (c) => LEET[c] ?? c)
  const b = s.replace(/[013457@$!]/g, (c) => (c === '1' ? 'l' : (LEET[c] ?? c)))
  return a === b ? [a] : [a, b]
}

/** The password without padding: leading/trailing digits, punctuation and spaces. */
function core(s: string): string {
  return s.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, '')
}

/** "abcabcabcabc" -> "abc"; null when the string is not a repetition. */
function repeatedUnit(s: string): string | null {
  for (let n = 1; n <= s.length / 2; n++) {
    if (s.length % n === 0 && s.slice(0, n).repeat(s.length / n) === s) return s.slice(0, n)
  }
  return null
}

function isSequence(s: string): boolean {
  const reversed = (x: string) => [...x].reverse().join('')
  return SEQUENCES.some((seq) => seq.includes(s) || reversed(seq).includes(s))
}

/** Whether `password` is a common password or an obvious variant (padding, repetition, leet, case). */
export function isCommonPassword(password: string, context: string[] = []): boolean {
  const lower = password.toLowerCase().trim()
  const words = new Set(common)
  for (const c of context) {
    const w = c.toLowerCase().trim()
    if (w.length >= 3) words.add(w)
  }
  const candidates = new Set<string>()
  // Leet is undone both before and after the padding is stripped ("P@ssw0rd2024": the 0 is a letter, the 2024 padding).
  for (const v of [lower, ...unleet(lower), ...unleet(core(lower))]) {
    candidates.add(v)
    candidates.add(v.replace(/[\s._-]+/g, ''))
    candidates.add(v.replace(/^[^a-z0-9]+/, '').replace(/[^a-z0-9]+$/, ''))
    const c = core(v)
    if (c.length >= 3) candidates.add(c)
  }
  for (const c of candidates) {
    if (words.has(c)) return true
    if (c.length >= 4 && isSequence(c)) return true
    const unit = repeatedUnit(c)
    if (unit && (unit.length <= 4 || words.has(unit) || isSequence(unit))) return true
  }
  // Padding alone ("1234567890ab", "!!!!!!!!!!!!") is a sequence or a repetition once letters are gone.
  const digits = lower.replace(/[^0-9]/g, '')
  if (digits.length === lower.length && (isSequence(digits) || repeatedUnit(digits) !== null)) return true
  return false
}

/** Why `password` is refused, or null when it is acceptable. `context`: the account's own words (its email). */
export function passwordProblem(password: string, context: string[] = []): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `Passwords need at least ${MIN_PASSWORD_LENGTH} characters.`
  if ([...password].length > MAX_PASSWORD_LENGTH) return `Passwords can have at most ${MAX_PASSWORD_LENGTH} characters.`
  if (isCommonPassword(password, context)) {
    return 'This password is too common (it is on lists attackers try first, or is a simple variant of one). Choose another, e.g. a few unrelated words.'
  }
  return null
}

/** The words of an email address a password should not be: "jane.doe@acme.test" -> jane.doe, jane, doe, janedoe, acme. */
export function emailWords(email: unknown): string[] {
  if (typeof email !== 'string' || !email.includes('@')) return []
  const [local = '', domain = ''] = email.toLowerCase().split('@')
  const parts = local.split(/[._+-]+/).filter((p) => p.length >= 3)
  return [local, local.replace(/[._+-]+/g, ''), ...parts, domain.split('.')[0] ?? '', email.toLowerCase()]
}
