'use client'
import { Button } from '@payloadcms/ui'
import React, { useEffect, useMemo, useState } from 'react'

import { currencyExponent, isKnownCurrency } from '../../ledger/currency'
import { formatMinor } from '../../ledger/money'
import { majorToMinor, percentToBps, summarizeSettings, type SettingsJson } from '../../ledger/settings-summary'
import './program.css'

/**
 * One question per step, each with the stored value (or the default) filled in and one line on
 * why it matters; the last step is the plain-language summary the admin confirms. Only the
 * server decides what is valid: its refusal names the field and the wizard jumps to that step.
 */

interface Loaded {
  configured: boolean
  settings: SettingsJson
  exportFormats: { id: string; label: string }[]
}

interface Issue {
  path: string
  message: string
}

type StepId = 'links' | 'files' | 'rule' | 'hold' | 'minimum' | 'approval' | 'fraud' | 'export' | 'summary'

const STEPS: { id: StepId; title: string; why: string; fields: string[] }[] = [
  {
    id: 'links',
    title: 'What do your codes and referral links look like?',
    why: 'An order only earns commission if we can find the code in it; links from your shop carry it in a query parameter or a path.',
    fields: ['linkParams', 'linkPathPrefixes'],
  },
  {
    id: 'files',
    title: 'How do your order exports write money and dates?',
    why: 'We read 03/11/2026 and 1.234 differently depending on this; a wrong guess changes amounts and hold dates.',
    fields: ['defaultCurrency', 'dateOrder', 'decimalComma', 'timeZone'],
  },
  {
    id: 'rule',
    title: 'How does a partner earn commission?',
    why: 'This is the rule for partners without their own rate; it prices every conversion you import from now on.',
    fields: ['defaultRule'],
  },
  {
    id: 'hold',
    title: 'How long is your refund window?',
    why: 'Commission waits this many days before it can be paid, so a refunded order never pays out.',
    fields: ['holdDays'],
  },
  {
    id: 'minimum',
    title: 'What is the smallest payout worth sending?',
    why: 'Smaller balances roll over to the next batch instead of costing a transfer fee each.',
    fields: ['minPayoutMinor'],
  },
  {
    id: 'approval',
    title: 'When does a payout batch need a second manager?',
    why: 'One manager (never the one who drafted it) approves every batch; big batches can require two.',
    fields: ['secondApproverThresholdMinor'],
  },
  {
    id: 'fraud',
    title: 'Which orders should wait for a manager’s review?',
    why: 'Flagged commission is held, never paid, until a manager clears it; your own email domains catch employees buying through links.',
    fields: ['fraud'],
  },
  {
    id: 'export',
    title: 'Which file does finance upload to pay partners?',
    why: 'Approved batches are exported in this format first; finance can still pick another one per batch.',
    fields: ['payoutExportFormat'],
  },
  {
    id: 'summary',
    title: 'Your program’s rules',
    why: 'Read them once more; saving applies them to conversions imported from now on.',
    fields: [],
  },
]

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
const exp = (cur: string) => (isKnownCurrency(cur) ? currencyExponent(cur) : 2)
const major = (v: unknown, cur: string) => {
  try {
    return formatMinor(BigInt(String(v ?? 0)), isKnownCurrency(cur) ? cur : 'USD')
  } catch {
    return String(v ?? '')
  }
}
const pct = (bps: unknown) => {
  const b = Number(bps ?? 0)
  return String(b / 100)
}

export function SetupWizard({ canEdit }: { canEdit: boolean }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null)
  const [draft, setDraft] = useState<SettingsJson | null>(null)
  const [step, setStep] = useState(0)
  const [issues, setIssues] = useState<Issue[]>([])
  const [localError, setLocalError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const [saved, setSaved] = useState<string[] | null>(null)
  // Text boxes keep what the admin typed; the draft holds the converted value.
  const [text, setText] = useState<Record<string, string>>({})

  useEffect(() => {
    void (async () => {
      const res = await fetch('/api/organizations/settings', { credentials: 'include' })
      const body = await res.json()
      if (!res.ok) return setLocalError(body?.error?.message ?? `Could not load the settings (${res.status}).`)
      const s = body.settings as SettingsJson
      setLoaded(body)
      setDraft(s)
      const cur = s.defaultCurrency
      const rule = s.defaultRule as Record<string, unknown>
      setText({
        linkParams: s.linkParams.join(', '),
        linkPathPrefixes: s.linkPathPrefixes.join(', '),
        rate: pct(rule.rateBps ?? 1000),
        flat: major(rule.amountMinor ?? 0, cur),
        minPayout: major(s.minPayoutMinor, cur),
        threshold: s.secondApproverThresholdMinor == null ? '' : major(s.secondApproverThresholdMinor, cur),
        ownDomains: s.fraud.employeeDomain.ownDomains.join(', '),
      })
    })()
  }, [])

  const exportLabel = loaded?.exportFormats.find((f) => f.id === draft?.payoutExportFormat)?.label
  const summary = useMemo(() => (draft ? summarizeSettings(draft, exportLabel) : []), [draft, exportLabel])

  if (localError && !draft) return <p role="alert">{localError}</p>
  if (!draft || !loaded) return <p>Loading the program settings…</p>

  const current = STEPS[step]!
  const set = (patch: Partial<SettingsJson>) => setDraft({ ...draft, ...patch })
  const setFraud = (patch: Partial<SettingsJson['fraud']>) => set({ fraud: { ...draft.fraud, ...patch } })
  const cur = draft.defaultCurrency
  const rule = draft.defaultRule as Record<string, unknown> & { kind: string }
  const stepIssues = issues.filter((i) => current.fields.some((f) => i.path === f || i.path.startsWith(`${f}.`)))

  /** Turns the step's typed text into the draft's values; false (with a message) when it cannot. */
  function commitText(): boolean {
    setLocalError(null)
    if (current.id === 'links') {
      set({
        linkParams: list(text.linkParams ?? ''),
        linkPathPrefixes: list(text.linkPathPrefixes ?? '').map((p) => p.replace(/^\/|\/$/g, '')),
      })
    }
    if (current.id === 'rule') {
      const next: Record<string, unknown> = { kind: rule.kind }
      for (const k of ['capMinor', 'minOrderValueMinor', 'currency']) if (rule[k] != null) next[k] = rule[k]
      if (rule.kind === 'tiered') return true
      if (rule.kind === 'percent' || rule.kind === 'percent_plus_flat') {
        const bps = percentToBps(text.rate ?? '')
        if (bps == null) return fail(`"${text.rate}" is not a percentage like 10 or 12.5.`)
        next.rateBps = bps
      }
      if (rule.kind === 'flat' || rule.kind === 'percent_plus_flat') {
        const m = majorToMinor(text.flat ?? '', exp(cur))
        if (m == null) return fail(`"${text.flat}" is not an amount in ${cur}.`)
        next.amountMinor = m
      }
      set({ defaultRule: next as SettingsJson['defaultRule'] })
    }
    if (current.id === 'minimum') {
      const m = majorToMinor(text.minPayout || '0', exp(cur))
      if (m == null) return fail(`"${text.minPayout}" is not an amount in ${cur}.`)
      set({ minPayoutMinor: m })
    }
    if (current.id === 'approval') {
      if (!text.threshold?.trim()) set({ secondApproverThresholdMinor: null })
      else {
        const m = majorToMinor(text.threshold, exp(cur))
        if (m == null) return fail(`"${text.threshold}" is not an amount in ${cur}.`)
        set({ secondApproverThresholdMinor: m })
      }
    }
    if (current.id === 'fraud') {
      setFraud({
        employeeDomain: { ...draft!.fraud.employeeDomain, ownDomains: list(text.ownDomains ?? '').map((d) => d.replace(/^@/, '')) },
      })
    }
    return true
  }
  function fail(message: string) {
    setLocalError(message)
    return false
  }
  const go = (to: number) => {
    if (!commitText()) return
    setStep(Math.max(0, Math.min(STEPS.length - 1, to)))
  }

  async function save() {
    setSaving(true)
    setIssues([])
    setLocalError(null)
    try {
      const res = await fetch('/api/organizations/settings', {
        method: 'PUT',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(draft),
      })
      const body = await res.json()
      if (!res.ok) {
        const found: Issue[] = Array.isArray(body?.error?.details) ? body.error.details : []
        setIssues(found)
        setLocalError(body?.error?.message ?? `Saving failed (${res.status}).`)
        const at = STEPS.findIndex((s) => found.some((i) => s.fields.some((f) => i.path === f || i.path.startsWith(`${f}.`))))
        if (at >= 0) setStep(at)
        return
      }
      setSaved(body.changed as string[])
    } finally {
      setSaving(false)
    }
  }

  if (saved) {
    return (
      <div className="program-card" data-testid="setup-saved" role="status">
        <h2>Saved</h2>
        <p>
          {saved.length === 0 ? 'Nothing changed.' : `Changed: ${saved.join(', ')}.`} The change is in the audit trail. Conversions imported
          from now on follow these rules; nothing already posted was repriced.
        </p>
        <p>
          <a className="btn btn--style-primary btn--size-small" href="/admin" data-testid="setup-to-dashboard">
            Go to the dashboard
          </a>
        </p>
      </div>
    )
  }

  const input = (name: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <input
      className="program-input"
      name={name}
      value={text[name] ?? ''}
      onChange={(e) => setText({ ...text, [name]: e.target.value })}
      disabled={!canEdit}
      {...props}
    />
  )
  const toggle = (label: string, checked: boolean, onChange: (v: boolean) => void, name: string) => (
    <label className="program-check">
      <input type="checkbox" name={name} checked={checked} onChange={(e) => onChange(e.target.checked)} disabled={!canEdit} /> {label}
    </label>
  )

  return (
    <div className="program-wizard" data-testid="setup-wizard">
      {!loaded.configured ? (
        <p className="program-note" data-testid="setup-first-time">
          Your organization has no program rules yet. Answer these questions once; you can reopen them from <strong>Program set-up</strong>{' '}
          in the menu.
        </p>
      ) : null}
      {!canEdit ? (
        <p className="program-note" role="alert">
          Only an admin changes these rules; you can read them.
        </p>
      ) : null}
      <ol className="program-steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.id} className={i === step ? 'is-current' : i < step ? 'is-done' : ''}>
            <button type="button" onClick={() => go(i)} aria-current={i === step ? 'step' : undefined}>
              {i + 1}
            </button>
          </li>
        ))}
      </ol>
      <section className="program-card" data-step={current.id}>
        <p className="program-step-no">
          Step {step + 1} of {STEPS.length}
        </p>
        <h2>{current.title}</h2>
        <p className="program-why">{current.why}</p>

        {current.id === 'links' ? (
          <div className="program-fields">
            <label>
              Link parameters that carry the code, in priority order
              {input('linkParams', { placeholder: 'ref, via, aff' })}
            </label>
            <label>
              Path words after which the code follows (shop.com/r/CODE)
              {input('linkPathPrefixes', { placeholder: 'r, ref, go' })}
            </label>
            <p className="program-hint">
              Example: <code>https://shop.example/?{list(text.linkParams ?? '')[0] ?? 'ref'}=JANE10</code> and{' '}
              <code>https://shop.example/{list(text.linkPathPrefixes ?? '')[0] ?? 'r'}/JANE10</code> both mean the code JANE10.
            </p>
          </div>
        ) : null}

        {current.id === 'files' ? (
          <div className="program-fields">
            <label>
              Currency when a row names none
              <input
                className="program-input"
                name="defaultCurrency"
                value={draft.defaultCurrency}
                maxLength={3}
                onChange={(e) => set({ defaultCurrency: e.target.value.toUpperCase() })}
                disabled={!canEdit}
              />
            </label>
            <fieldset>
              <legend>Dates</legend>
              {toggle('Month first (11/03/2026 = 3 November)', draft.dateOrder === 'MDY', () => set({ dateOrder: 'MDY' }), 'dateOrderMDY')}
              {toggle('Day first (03/11/2026 = 3 November)', draft.dateOrder === 'DMY', () => set({ dateOrder: 'DMY' }), 'dateOrderDMY')}
            </fieldset>
            <fieldset>
              <legend>Decimals</legend>
              {toggle('Decimal point: 1,234.56', !draft.decimalComma, () => set({ decimalComma: false }), 'decimalPoint')}
              {toggle('Decimal comma: 1.234,56', draft.decimalComma, () => set({ decimalComma: true }), 'decimalComma')}
            </fieldset>
            <label>
              Time zone your days end in
              <input
                className="program-input"
                name="timeZone"
                value={draft.timeZone}
                onChange={(e) => set({ timeZone: e.target.value })}
                disabled={!canEdit}
              />
            </label>
          </div>
        ) : null}

        {current.id === 'rule' ? (
          <div className="program-fields">
            <label>
              Kind
              <select
                className="program-input"
                name="ruleKind"
                value={rule.kind}
                onChange={(e) => set({ defaultRule: { ...rule, kind: e.target.value as SettingsJson['defaultRule']['kind'] } })}
                disabled={!canEdit || rule.kind === 'tiered'}
              >
                <option value="percent">A percentage of the order</option>
                <option value="flat">A fixed amount per order</option>
                <option value="percent_plus_flat">A percentage plus a fixed amount</option>
                {rule.kind === 'tiered' ? <option value="tiered">Monthly tiers</option> : null}
              </select>
            </label>
            {rule.kind === 'percent' || rule.kind === 'percent_plus_flat' ? (
              <label>Rate (%){input('rate', { inputMode: 'decimal' })}</label>
            ) : null}
            {rule.kind === 'flat' || rule.kind === 'percent_plus_flat' ? (
              <label>
                Amount per order ({cur}){input('flat', { inputMode: 'decimal' })}
              </label>
            ) : null}
            {rule.kind === 'tiered' ? (
              <p className="program-hint">Your tiered rule is kept as it is; edit tiers in the organization’s settings JSON.</p>
            ) : null}
          </div>
        ) : null}

        {current.id === 'hold' ? (
          <div className="program-fields">
            <label>
              Days before commission can be paid
              <input
                className="program-input"
                name="holdDays"
                type="number"
                min={0}
                value={draft.holdDays}
                onChange={(e) => set({ holdDays: e.target.value === '' ? 0 : Number(e.target.value) })}
                disabled={!canEdit}
              />
            </label>
          </div>
        ) : null}

        {current.id === 'minimum' ? (
          <div className="program-fields">
            <label>
              Minimum payout ({cur}; 0 for none){input('minPayout', { inputMode: 'decimal' })}
            </label>
          </div>
        ) : null}

        {current.id === 'approval' ? (
          <div className="program-fields">
            <label>
              Second manager above ({cur}; empty: never){input('threshold', { inputMode: 'decimal', placeholder: 'never' })}
            </label>
          </div>
        ) : null}

        {current.id === 'fraud' ? (
          <div className="program-fields">
            {toggle(
              'Customer email equals the partner’s',
              draft.fraud.selfReferralEmail.enabled,
              (v) => setFraud({ selfReferralEmail: { enabled: v } }),
              'selfReferral',
            )}
            {toggle(
              'Partner is marked as an employee',
              draft.fraud.employeePartner.enabled,
              (v) => setFraud({ employeePartner: { enabled: v } }),
              'employeePartner',
            )}
            {toggle(
              'Customer email is at one of our own domains',
              draft.fraud.employeeDomain.enabled,
              (v) => setFraud({ employeeDomain: { ...draft.fraud.employeeDomain, enabled: v } }),
              'employeeDomain',
            )}
            <label>Our own email domains{input('ownDomains', { placeholder: 'example.com, example.co.uk' })}</label>
            {toggle(
              'One order under several codes',
              draft.fraud.orderOnMultipleCodes.enabled,
              (v) => setFraud({ orderOnMultipleCodes: { enabled: v } }),
              'multipleCodes',
            )}
            {toggle(
              `Sudden bursts: over ${draft.fraud.velocity.minPerDay} orders a day and ${draft.fraud.velocity.multiple}× the partner's average`,
              draft.fraud.velocity.enabled,
              (v) => setFraud({ velocity: { ...draft.fraud.velocity, enabled: v } }),
              'velocity',
            )}
          </div>
        ) : null}

        {current.id === 'export' ? (
          <div className="program-fields">
            {loaded.exportFormats.map((f) => (
              <label className="program-check" key={f.id}>
                <input
                  type="radio"
                  name="payoutExportFormat"
                  value={f.id}
                  checked={draft.payoutExportFormat === f.id}
                  onChange={() => set({ payoutExportFormat: f.id })}
                  disabled={!canEdit}
                />{' '}
                {f.label}
              </label>
            ))}
          </div>
        ) : null}

        {current.id === 'summary' ? (
          <ul className="program-summary" data-testid="setup-summary">
            {summary.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        ) : null}

        {localError || stepIssues.length ? (
          <div className="program-error" role="alert" data-testid="setup-error">
            {localError ? <p>{localError}</p> : null}
            {stepIssues.map((i) => (
              <p key={i.path + i.message}>
                <code>{i.path}</code>: {i.message}
              </p>
            ))}
          </div>
        ) : null}

        <div className="program-actions">
          {step > 0 ? (
            <Button buttonStyle="secondary" size="small" onClick={() => go(step - 1)}>
              Back
            </Button>
          ) : null}
          {current.id !== 'summary' ? (
            <Button size="small" onClick={() => go(step + 1)} id="setup-next">
              Next
            </Button>
          ) : canEdit ? (
            <Button size="small" onClick={() => void save()} disabled={saving} id="setup-confirm">
              {saving ? 'Saving…' : 'Confirm and save these rules'}
            </Button>
          ) : null}
        </div>
      </section>
    </div>
  )
}
