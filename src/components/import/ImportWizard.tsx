'use client'
import { Banner, Button, CheckboxInput, SelectInput } from '@payloadcms/ui'
import React, { useMemo, useState } from 'react'

import { signInAgain, StepUpPasswordField, WRONG_PASSWORD } from '../step-up-password'
import { errorsCsv, type WizardError } from './errors-csv'
import './import-wizard.css'

/**
 * The import wizard: choose what to import and the file (or a Google Sheets link), map the
 * file's columns to our fields, look at a dry run, commit. Every step is a call to the REST API
 * (POST /api/imports/inspect, POST /api/imports with dryRun, GET /api/imports/:id), so the
 * wizard shows exactly what the server computed and nothing of its own.
 */

type Kind = 'partners' | 'conversions' | 'refunds'
const KINDS: readonly { value: Kind; label: string; hint: string }[] = [
  { value: 'partners', label: 'Partners', hint: 'Names, codes or links, commission, payout details' },
  { value: 'conversions', label: 'Conversions', hint: 'Orders with the code or link that brought them' },
  { value: 'refunds', label: 'Refunds', hint: 'Refunded orders, full or partial' },
]

interface FieldInfo {
  key: string
  label: string
  required: boolean
}

interface Inspection {
  fileName: string
  headers: string[]
  headerRow: number
  delimiter: string
  encoding: { name: string; bom: boolean; decided: boolean }
  sampleRows: { row: number; values: string[] }[]
  sampleErrors: { row: number; message: string }[]
  suggested: { mapping: Record<string, string>; sources: Record<string, 'saved' | 'preset' | 'synonym'>; missingRequired: string[] }
  preset: { id: string; label: string; notes: string[] } | null
  savedMapping: Record<string, string> | null
  fields: FieldInfo[]
}

interface Counts {
  rowsIn: number
  created: number
  updated: number
  duplicate: number
  unattributed: number
  rejected: number
  flagged: number
}

interface ImportResult {
  importId: number
  status: 'completed' | 'dry_run'
  counts: Counts
  errors: WizardError[]
  errorsTotal: number
}

interface ImportRecord {
  id?: number
  status?: 'queued' | 'running' | 'completed' | 'dry_run' | 'failed'
  counts?: Counts & { errorsTotal?: number }
  progress?: Progress | null
  report?: {
    samples?: Record<string, { row: number; detail: Record<string, string> }[]>
    errors?: WizardError[]
    errorsTotal?: number
    error?: { code: string; message: string }
  }
}

interface Progress {
  rowsRead: number
  bytesRead: number
  bytesTotal: number
  percent: number
}

/** A large file's 202: the import runs in the background (GET /api/imports/:id follows it). */
interface QueuedImport {
  importId: number
  status: 'queued'
  progress: Progress
}

const POLL_MS = 1000

interface ApiError {
  code: string
  message: string
}

type Step = 'source' | 'map' | 'preview' | 'done'

const STEPS: readonly { id: Step; label: string }[] = [
  { id: 'source', label: 'File' },
  { id: 'map', label: 'Columns' },
  { id: 'preview', label: 'Dry run' },
  { id: 'done', label: 'Report' },
]

const COUNT_LABELS: readonly { key: keyof Counts; label: string; tone?: 'good' | 'warn' | 'bad' }[] = [
  { key: 'rowsIn', label: 'Rows in' },
  { key: 'created', label: 'New', tone: 'good' },
  { key: 'updated', label: 'Updated', tone: 'good' },
  { key: 'duplicate', label: 'Duplicate' },
  { key: 'unattributed', label: 'Unattributed', tone: 'warn' },
  { key: 'flagged', label: 'Flagged', tone: 'warn' },
  { key: 'rejected', label: 'Rejected', tone: 'bad' },
]

const SOURCE_LABEL = { saved: 'your last import', preset: 'preset', synonym: 'header name' } as const
const NOT_MAPPED = ''

async function callApi<T>(
  path: string,
  init: RequestInit,
): Promise<{ ok: true; body: T } | { ok: false; status: number; error: ApiError }> {
  let res: Response
  try {
    res = await fetch(path, { credentials: 'include', ...init })
  } catch {
    return { ok: false, status: 0, error: { code: 'network', message: 'The server could not be reached; check your connection.' } }
  }
  const body = await res.json().catch(() => null)
  if (res.ok) return { ok: true, body: body as T }
  const error = (body?.error as ApiError | undefined) ?? {
    code: 'http_' + res.status,
    message: body?.errors?.[0]?.message ?? `The server answered ${res.status}.`,
  }
  return { ok: false, status: res.status, error }
}

function download(name: string, content: string) {
  const url = URL.createObjectURL(new Blob([content], { type: 'text/csv;charset=utf-8' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function ImportWizard() {
  const [step, setStep] = useState<Step>('source')
  const [kind, setKind] = useState<Kind>('conversions')
  const [sourceType, setSourceType] = useState<'file' | 'sheet'>('file')
  const [file, setFile] = useState<File | null>(null)
  const [sheetUrl, setSheetUrl] = useState('')
  const [inspection, setInspection] = useState<Inspection | null>(null)
  const [mapping, setMapping] = useState<Record<string, string>>({})
  const [dryRun, setDryRun] = useState<ImportResult | null>(null)
  const [record, setRecord] = useState<ImportRecord | null>(null)
  const [final, setFinal] = useState<ImportResult | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [alreadyImported, setAlreadyImported] = useState<string | null>(null)
  const [override, setOverride] = useState(false)
  const [busy, setBusy] = useState<string | null>(null)
  // Importing partners needs a recent password entry (src/security/step-up.ts); asked for in place.
  const [stepUp, setStepUp] = useState<string | null>(null)
  const [stepUpPassword, setStepUpPassword] = useState('')
  const [partnerNames, setPartnerNames] = useState<Record<string, string>>({})
  const [progress, setProgress] = useState<Progress | null>(null)

  /**
   * A POST /api/imports answer as the finished import: a 202 (large file, imported by a background
   * job) is followed on GET /api/imports/:id with a progress bar until it has finished.
   */
  async function settle(
    body: ImportResult | QueuedImport,
  ): Promise<{ ok: true; result: ImportResult; record: ImportRecord | null } | { ok: false; error: ApiError }> {
    if (body.status !== 'queued') return { ok: true, result: body, record: null }
    setProgress(body.progress)
    try {
      for (;;) {
        await new Promise((r) => setTimeout(r, POLL_MS))
        const rec = await callApi<ImportRecord>(`/api/imports/${body.importId}?depth=0`, { method: 'GET' })
        if (!rec.ok) return { ok: false, error: rec.error }
        const doc = rec.body
        if (doc.status === 'queued' || doc.status === 'running') {
          if (doc.progress) setProgress(doc.progress)
          continue
        }
        if (doc.status === 'failed' || !doc.counts) {
          return {
            ok: false,
            error: { code: doc.report?.error?.code ?? 'import_failed', message: doc.report?.error?.message ?? 'The import failed.' },
          }
        }
        const errors = doc.report?.errors ?? []
        return {
          ok: true,
          record: doc,
          result: {
            importId: body.importId,
            status: doc.status === 'dry_run' ? 'dry_run' : 'completed',
            counts: doc.counts,
            errors,
            errorsTotal: doc.report?.errorsTotal ?? doc.counts.errorsTotal ?? errors.length,
          },
        }
      }
    } finally {
      setProgress(null)
    }
  }

  function form(extra: Record<string, string> = {}): FormData {
    const f = new FormData()
    f.append('kind', kind)
    if (sourceType === 'sheet') f.append('sheetUrl', sheetUrl.trim())
    else if (file) f.append('file', file, file.name)
    for (const [k, v] of Object.entries(extra)) f.append(k, v)
    return f
  }

  const chosenMapping = useMemo(() => Object.fromEntries(Object.entries(mapping).filter(([, h]) => h !== NOT_MAPPED)), [mapping])
  const missing = inspection?.fields.filter((f) => f.required && !chosenMapping[f.key]) ?? []

  async function inspect() {
    setError(null)
    setBusy('Reading the file…')
    const r = await callApi<Inspection>('/api/imports/inspect', { method: 'POST', body: form() })
    setBusy(null)
    if (!r.ok) return setError(r.error)
    setInspection(r.body)
    setAlreadyImported(null)
    setOverride(false)
    const initial: Record<string, string> = {}
    for (const f of r.body.fields) initial[f.key] = r.body.suggested.mapping[f.key] ?? NOT_MAPPED
    setMapping(initial)
    setStep('map')
  }

  async function runDry() {
    setError(null)
    setBusy('Running the dry run…')
    const extra: Record<string, string> = { mapping: JSON.stringify(chosenMapping), dryRun: 'true' }
    if (override) extra.override = 'true'
    const r = await callApi<ImportResult | QueuedImport>('/api/imports', { method: 'POST', body: form(extra) })
    if (!r.ok) {
      setBusy(null)
      // The same file was imported before: the server refuses the dry run too, until the person overrides.
      if (r.error.code === 'already_imported') return setAlreadyImported(r.error.message)
      if (r.error.code === 'step_up_required') return setStepUp(r.error.message)
      return setError(r.error)
    }
    setStepUp(null)
    const settled = await settle(r.body)
    if (!settled.ok) {
      setBusy(null)
      return setError(settled.error)
    }
    // The import record keeps the samples of each outcome and up to 1,000 errors.
    const rec = settled.record
      ? ({ ok: true, body: settled.record } as const)
      : await callApi<ImportRecord>(`/api/imports/${settled.result.importId}?depth=0`, { method: 'GET' })
    // Samples name partners by id; show their names.
    const ids = [...new Set(Object.values(rec.ok ? (rec.body.report?.samples ?? {}) : {}).flatMap((l) => l.map((x) => x.detail.partner)))]
      .filter((id): id is string => typeof id === 'string' && /^\d+$/.test(id))
      .slice(0, 100)
    if (ids.length > 0) {
      const partners = await callApi<{ docs: { id: number; name: string }[] }>(
        `/api/partners?depth=0&limit=100&where[id][in]=${ids.join(',')}`,
        { method: 'GET' },
      )
      if (partners.ok) setPartnerNames(Object.fromEntries(partners.body.docs.map((d) => [String(d.id), d.name])))
    }
    setBusy(null)
    setDryRun(settled.result)
    setRecord(rec.ok ? rec.body : null)
    setStep('preview')
  }

  async function confirmPasswordThenCommit() {
    setError(null)
    setBusy('Checking your password…')
    const ok = await signInAgain(stepUpPassword)
    setStepUpPassword('')
    setBusy(null)
    if (!ok) return setError({ code: 'step_up_failed', message: WRONG_PASSWORD })
    await commit()
  }

  async function commit() {
    setError(null)
    setBusy('Importing…')
    const extra: Record<string, string> = { mapping: JSON.stringify(chosenMapping), dryRun: 'false' }
    if (override) extra.override = 'true'
    const r = await callApi<ImportResult | QueuedImport>('/api/imports', { method: 'POST', body: form(extra) })
    if (!r.ok) {
      setBusy(null)
      if (r.error.code === 'already_imported') return setAlreadyImported(r.error.message)
      if (r.error.code === 'step_up_required') return setStepUp(r.error.message)
      return setError(r.error)
    }
    setStepUp(null)
    const settled = await settle(r.body)
    setBusy(null)
    if (!settled.ok) return setError(settled.error)
    setFinal(settled.result)
    setStep('done')
  }

  function restart() {
    setStep('source')
    setFile(null)
    setSheetUrl('')
    setInspection(null)
    setDryRun(null)
    setRecord(null)
    setFinal(null)
    setError(null)
    setAlreadyImported(null)
    setStepUp(null)
    setOverride(false)
  }

  const sourceReady = sourceType === 'file' ? file !== null : sheetUrl.trim() !== ''
  const overrideBlock = alreadyImported ? (
    <div className="import-wizard__override" data-testid="already-imported">
      <Banner type="warning">{alreadyImported}</Banner>
      <CheckboxInput
        id="import-override"
        name="override"
        checked={override}
        onToggle={(e) => setOverride(e.target.checked)}
        label="Import it again anyway (recorded as an override in the audit trail)"
      />
    </div>
  ) : null
  const stepIndex = STEPS.findIndex((s) => s.id === step)

  return (
    <div className="import-wizard" data-testid="import-wizard">
      <ol className="import-wizard__steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li
            key={s.id}
            className={i === stepIndex ? 'is-current' : i < stepIndex ? 'is-done' : undefined}
            aria-current={i === stepIndex ? 'step' : undefined}
          >
            <span className="import-wizard__step-number">{i + 1}</span> {s.label}
          </li>
        ))}
      </ol>

      {error ? (
        <div role="alert" data-testid="wizard-error">
          <Banner type="error">{error.message}</Banner>
        </div>
      ) : null}
      {stepUp ? (
        <form
          className="import-wizard__step-up"
          data-testid="step-up"
          onSubmit={(e) => {
            e.preventDefault()
            void confirmPasswordThenCommit()
          }}
        >
          <StepUpPasswordField message={stepUp} value={stepUpPassword} onChange={setStepUpPassword} />
          <Button type="submit" size="small" disabled={busy !== null || stepUpPassword === ''}>
            Confirm password and import
          </Button>
        </form>
      ) : null}
      {busy ? (
        <p role="status" className="import-wizard__busy">
          {busy}
        </p>
      ) : null}
      {progress ? (
        <div className="import-wizard__progress" data-testid="import-progress">
          <progress max={100} value={progress.percent} aria-label="Import progress" />
          <span>
            {progress.percent}% · {progress.rowsRead.toLocaleString('en-US')} rows read (runs in the background: you may leave this page,
            the report stays on the import record and you get an email)
          </span>
        </div>
      ) : null}

      {step === 'source' ? (
        <section>
          <h3>What are you importing?</h3>
          <div className="import-wizard__kinds" role="radiogroup" aria-label="What to import">
            {KINDS.map((k) => (
              <label key={k.value} className={`import-wizard__kind${kind === k.value ? ' is-selected' : ''}`}>
                <input type="radio" name="kind" value={k.value} checked={kind === k.value} onChange={() => setKind(k.value)} />
                <strong>{k.label}</strong>
                <span>{k.hint}</span>
              </label>
            ))}
          </div>

          <h3>From</h3>
          <div className="import-wizard__tabs" role="tablist">
            <Button buttonStyle={sourceType === 'file' ? 'primary' : 'secondary'} size="small" onClick={() => setSourceType('file')}>
              A CSV file
            </Button>
            <Button buttonStyle={sourceType === 'sheet' ? 'primary' : 'secondary'} size="small" onClick={() => setSourceType('sheet')}>
              A Google Sheets link
            </Button>
          </div>
          {sourceType === 'file' ? (
            <div className="field-type import-wizard__source">
              <label className="field-label" htmlFor="import-file">
                CSV file (comma, semicolon or tab separated; UTF-8 or Windows-1252)
              </label>
              <input
                id="import-file"
                data-testid="import-file"
                type="file"
                accept=".csv,text/csv"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            </div>
          ) : (
            <div className="field-type text import-wizard__source">
              <label className="field-label" htmlFor="import-sheet">
                Share link of the sheet (shared as “Anyone with the link can view”)
              </label>
              <input
                id="import-sheet"
                data-testid="import-sheet"
                type="url"
                placeholder="https://docs.google.com/spreadsheets/d/…/edit#gid=0"
                value={sheetUrl}
                onChange={(e) => setSheetUrl(e.target.value)}
              />
            </div>
          )}
          <div className="import-wizard__actions">
            <Button buttonStyle="primary" disabled={!sourceReady || busy !== null} onClick={() => void inspect()} id="wizard-inspect">
              Next: map columns
            </Button>
          </div>
        </section>
      ) : null}

      {step === 'map' && inspection ? (
        <section data-testid="mapping-step">
          <h3>Which column holds what?</h3>
          <p className="import-wizard__meta" data-testid="file-meta">
            <strong>{inspection.fileName}</strong>: {inspection.headers.length} columns,{' '}
            {{ ',': 'comma', ';': 'semicolon', '\t': 'tab' }[inspection.delimiter] ?? inspection.delimiter} separated,{' '}
            {inspection.encoding.name}
            {inspection.encoding.bom ? ' with BOM' : ''}.
          </p>
          {inspection.savedMapping ? (
            <Banner type="info">Columns are preselected from your last {kind} import where this file has the same headers.</Banner>
          ) : null}
          {inspection.preset ? (
            <Banner type="info">
              Recognised: <strong>{inspection.preset.label}</strong>. {inspection.preset.notes.join(' ')}
            </Banner>
          ) : null}
          {inspection.sampleErrors.length > 0 ? (
            <Banner type="warning">{inspection.sampleErrors.map((e) => e.message).join(' ')}</Banner>
          ) : null}
          <table className="import-wizard__table import-wizard__mapping">
            <thead>
              <tr>
                <th>Our field</th>
                <th>Column in your file</th>
                <th>First values</th>
              </tr>
            </thead>
            <tbody>
              {inspection.fields.map((f) => {
                const header = mapping[f.key] ?? NOT_MAPPED
                const index = inspection.headers.indexOf(header)
                const values = index === -1 ? [] : inspection.sampleRows.map((r) => r.values[index] ?? '')
                const source = inspection.suggested.sources[f.key]
                const unchanged = header !== NOT_MAPPED && inspection.suggested.mapping[f.key] === header
                return (
                  <tr key={f.key} data-field={f.key} className={f.required && header === NOT_MAPPED ? 'is-missing' : undefined}>
                    <td>
                      <span className="import-wizard__field-label">
                        {f.label}
                        {f.required ? (
                          <span className="required" title="required">
                            {' '}
                            *
                          </span>
                        ) : null}
                      </span>
                      {unchanged && source ? <span className="import-wizard__source-tag">from {SOURCE_LABEL[source]}</span> : null}
                    </td>
                    <td className="import-wizard__select-cell">
                      <SelectInput
                        id={`map-${f.key}`}
                        name={`map-${f.key}`}
                        path={`map-${f.key}`}
                        isClearable={!f.required}
                        placeholder="Not in this file"
                        options={[
                          ...(f.required ? [] : [{ label: '— not in this file —', value: NOT_MAPPED }]),
                          ...inspection.headers.filter((h) => h !== '').map((h) => ({ label: h, value: h })),
                        ]}
                        value={header}
                        onChange={(opt) => {
                          const o = Array.isArray(opt) ? opt[0] : opt
                          const v = o && typeof o === 'object' && 'value' in o ? String(o.value) : NOT_MAPPED
                          setMapping((m) => ({ ...m, [f.key]: v }))
                        }}
                      />
                    </td>
                    <td className="import-wizard__samples">
                      {values.length === 0 ? (
                        <span className="import-wizard__muted">—</span>
                      ) : (
                        values.slice(0, 3).map((v, i) => (
                          <code key={i} title={v}>
                            {v === '' ? '(empty)' : v.length > 40 ? v.slice(0, 39) + '…' : v.replace(/\r?\n|\r/g, ' ⏎ ')}
                          </code>
                        ))
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
          {missing.length > 0 ? (
            <p className="import-wizard__missing" role="status" data-testid="missing-required">
              Still needed: {missing.map((f) => f.label).join(', ')}.
            </p>
          ) : null}
          {overrideBlock}
          <div className="import-wizard__actions">
            <Button buttonStyle="secondary" onClick={() => setStep('source')}>
              Back
            </Button>
            <Button
              buttonStyle="primary"
              disabled={missing.length > 0 || busy !== null || (alreadyImported !== null && !override)}
              onClick={() => void runDry()}
              id="wizard-dry-run"
            >
              Run dry run
            </Button>
          </div>
        </section>
      ) : null}

      {step === 'preview' && dryRun ? (
        <section data-testid="preview-step">
          <h3>Dry run: nothing has been stored yet</h3>
          <CountGrid counts={dryRun.counts} testId="dry-counts" />
          <Samples samples={record?.report?.samples ?? {}} partnerNames={partnerNames} />
          <Errors
            errors={record?.report?.errors ?? dryRun.errors}
            errorsTotal={dryRun.errorsTotal}
            onDownload={() =>
              download(`import-errors-${dryRun.importId}.csv`, errorsCsv(record?.report?.errors ?? dryRun.errors, dryRun.errorsTotal))
            }
          />
          {overrideBlock}
          <div className="import-wizard__actions">
            <Button buttonStyle="secondary" onClick={() => setStep('map')}>
              Back to columns
            </Button>
            <Button
              buttonStyle="primary"
              disabled={busy !== null || (alreadyImported !== null && !override)}
              onClick={() => void commit()}
              id="wizard-commit"
            >
              {importLabel(dryRun.counts.created + dryRun.counts.updated + dryRun.counts.unattributed)}
            </Button>
          </div>
        </section>
      ) : null}

      {step === 'done' && final ? (
        <section data-testid="report-step">
          <Banner type="success">
            Imported. The report stays on{' '}
            <a href={`/admin/collections/imports/${final.importId}`} data-testid="import-record-link">
              import #{final.importId}
            </a>
            .
          </Banner>
          <CountGrid counts={final.counts} testId="final-counts" />
          <p data-testid="final-summary">
            Stored {(final.counts.created + final.counts.updated + final.counts.unattributed).toLocaleString('en-US')} of{' '}
            {final.counts.rowsIn.toLocaleString('en-US')} rows
            {final.counts.unattributed > 0
              ? `; ${final.counts.unattributed} without a partner ${final.counts.unattributed === 1 ? 'waits' : 'wait'} in the unattributed queue`
              : ''}
            .
            {final.errorsTotal > 0
              ? ' Fix the rejected rows in the file and import it again: rows already stored then count as duplicates.'
              : ''}
          </p>
          <Errors
            errors={final.errors}
            errorsTotal={final.errorsTotal}
            done
            onDownload={() => download(`import-errors-${final.importId}.csv`, errorsCsv(final.errors, final.errorsTotal))}
          />
          <div className="import-wizard__actions">
            <Button buttonStyle="secondary" onClick={restart}>
              Import another file
            </Button>
            <Button el="anchor" url={`/admin/collections/imports/${final.importId}`} buttonStyle="primary">
              Open the import record
            </Button>
          </div>
        </section>
      ) : null}
    </div>
  )
}

function CountGrid({ counts, testId }: { counts: Counts; testId: string }) {
  return (
    <dl className="import-wizard__counts" data-testid={testId}>
      {COUNT_LABELS.map((c) => (
        <div key={c.key} className={c.tone && counts[c.key] > 0 ? `is-${c.tone}` : undefined} data-count={c.key}>
          <dt>{c.label}</dt>
          <dd>{counts[c.key].toLocaleString('en-US')}</dd>
        </div>
      ))}
    </dl>
  )
}

const SAMPLE_TITLES: Record<string, string> = {
  created: 'New',
  updated: 'Updated',
  duplicate: 'Duplicates',
  unattributed: 'Unattributed (no partner has this code)',
  flagged: 'Flagged',
}

const SAMPLE_COLUMN_ORDER = ['code', 'orderId', 'partner', 'of']
const SAMPLE_COLUMN_LABEL: Record<string, string> = { orderId: 'Order', code: 'Code', partner: 'Partner', of: 'Duplicate of' }

function Samples({
  samples,
  partnerNames,
}: {
  samples: Record<string, { row: number; detail: Record<string, string> }[]>
  partnerNames: Record<string, string>
}) {
  const groups = Object.entries(SAMPLE_TITLES).filter(([k]) => (samples[k]?.length ?? 0) > 0)
  if (groups.length === 0) return null
  return (
    <div className="import-wizard__sample-groups" data-testid="samples">
      {groups.map(([k, title]) => {
        const rows = samples[k] ?? []
        const rank = (c: string) => (SAMPLE_COLUMN_ORDER.includes(c) ? SAMPLE_COLUMN_ORDER.indexOf(c) : SAMPLE_COLUMN_ORDER.length)
        const cols = [...new Set(rows.flatMap((r) => Object.keys(r.detail)))].sort((a, b) => rank(a) - rank(b))
        return (
          <div key={k} data-sample={k}>
            <h4>{title}</h4>
            <table className="import-wizard__table">
              <thead>
                <tr>
                  <th>Row</th>
                  {cols.map((c) => (
                    <th key={c}>{SAMPLE_COLUMN_LABEL[c] ?? c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.row}>
                    <td>{r.row}</td>
                    {cols.map((c) => (
                      <td key={c}>{c === 'partner' ? (partnerNames[r.detail[c] ?? ''] ?? `#${r.detail[c]}`) : (r.detail[c] ?? '')}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      })}
    </div>
  )
}

function Errors({
  errors,
  errorsTotal,
  onDownload,
  done = false,
}: {
  errors: WizardError[]
  errorsTotal: number
  onDownload: () => void
  done?: boolean
}) {
  if (errorsTotal === 0) return <p data-testid="no-errors">No row errors.</p>
  return (
    <div className="import-wizard__errors" data-testid="errors">
      <div className="import-wizard__errors-head">
        <h4>
          {errorsTotal} {errorsTotal === 1 ? 'row error' : 'row errors'}:{' '}
          {done ? 'these rows were rejected' : 'these rows will be rejected'}
        </h4>
        <Button buttonStyle="secondary" size="small" onClick={onDownload} id="download-errors">
          Download errors (CSV)
        </Button>
      </div>
      <table className="import-wizard__table">
        <thead>
          <tr>
            <th>Row</th>
            <th>Column</th>
            <th>Value</th>
            <th>Problem</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e, i) => (
            <tr key={`${e.row}-${i}`}>
              <td>{e.row}</td>
              <td>{e.column ?? '—'}</td>
              <td>
                <code>{e.value ?? ''}</code>
              </td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {errorsTotal > errors.length ? <p>The first {errors.length} are listed here and in the download.</p> : null}
    </div>
  )
}

/** The commit button's words: "Import 1 row", "Import 12,500 rows". */
function importLabel(rows: number): string {
  return `Import ${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}`
}
