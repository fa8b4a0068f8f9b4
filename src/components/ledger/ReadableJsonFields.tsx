'use client'
import { FieldLabel, useField, useFormFields } from '@payloadcms/ui'
import type { JSONFieldClientComponent } from 'payload'
import React from 'react'

import { describeEvidence, explainEntry } from './describe'

/**
 * Read-only JSON the ledger writes (an entry's explanation, a flag's evidence), shown in words
 * with the stored JSON one click away. Also keeps the JSON editor (which loads from a CDN the
 * admin's CSP refuses) off these pages: nobody edits these fields.
 */
function Raw({ value }: { value: unknown }) {
  return (
    <details style={{ marginTop: 6 }}>
      <summary style={{ cursor: 'pointer', color: 'var(--theme-elevation-600)' }}>Stored JSON</summary>
      <pre style={{ whiteSpace: 'pre-wrap', fontSize: '0.85em', margin: '4px 0 0' }}>{JSON.stringify(value, null, 2)}</pre>
    </details>
  )
}

const box: React.CSSProperties = {
  border: '1px solid var(--theme-elevation-150)',
  borderRadius: 'var(--style-radius-s)',
  padding: 'calc(var(--base) * 0.6)',
}

export const ExplanationField: JSONFieldClientComponent = ({ path, field }) => {
  const { value } = useField<unknown>({ path })
  const kind = useFormFields(([f]) => f.kind?.value)
  const currency = useFormFields(([f]) => f.currency?.value)
  const reason = useFormFields(([f]) => f.reason?.value)
  const { lines, steps } = explainEntry({ kind, currency, reason, explanation: value })
  return (
    <div className="field-type" style={{ marginBottom: 'var(--spacing-field)' }} data-testid="explanation-field">
      <FieldLabel label={field?.label ?? 'Explanation'} path={path} />
      {value == null ? (
        <p>—</p>
      ) : (
        <div style={box}>
          {lines.length > 0 ? (
            <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '2px 16px', margin: 0 }}>
              {lines.map((l) => (
                <React.Fragment key={l.label}>
                  <dt style={{ color: 'var(--theme-elevation-600)' }}>{l.label}</dt>
                  <dd style={{ margin: 0 }}>{l.value}</dd>
                </React.Fragment>
              ))}
            </dl>
          ) : null}
          {steps.length > 0 ? (
            <ol style={{ margin: '6px 0 0 18px', fontFamily: 'var(--font-mono, monospace)', fontSize: '0.9em' }}>
              {steps.map((s, i) => (
                <li key={i}>{s}</li>
              ))}
            </ol>
          ) : null}
          <Raw value={value} />
        </div>
      )}
    </div>
  )
}

export const EvidenceField: JSONFieldClientComponent = ({ path, field }) => {
  const { value } = useField<unknown>({ path })
  const rule = useFormFields(([f]) => f.rule?.value)
  return (
    <div className="field-type" style={{ marginBottom: 'var(--spacing-field)' }} data-testid="evidence-field">
      <FieldLabel label={field?.label ?? 'Evidence'} path={path} />
      <div style={box}>
        <ul style={{ margin: '0 0 0 18px' }}>
          {describeEvidence(rule, value).map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
        <Raw value={value} />
      </div>
    </div>
  )
}

/**
 * An editable JSON field as a plain textarea. Payload's JSON editor (Monaco) loads its code from
 * a CDN, which the admin's CSP refuses: the field rendered blank and could not be edited. Text
 * that does not parse yet is kept as typed and sent as a string, so the field's own validation
 * names the problem on save.
 */
export const JsonTextField: JSONFieldClientComponent = ({ path, field, readOnly }) => {
  const { value, setValue, showError, errorMessage } = useField<unknown>({ path })
  const [text, setText] = React.useState(() => (value == null ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2)))
  const [parseError, setParseError] = React.useState<string | null>(null)
  const description = typeof field?.admin?.description === 'string' ? field.admin.description : null
  function change(next: string) {
    setText(next)
    if (next.trim() === '') {
      setParseError(null)
      setValue(null)
      return
    }
    try {
      setValue(JSON.parse(next))
      setParseError(null)
    } catch (e) {
      setParseError(e instanceof Error ? e.message : 'not valid JSON')
      setValue(next)
    }
  }
  return (
    <div className={`field-type json-field${showError ? ' error' : ''}`} style={{ marginBottom: 'var(--spacing-field)' }}>
      <FieldLabel label={field?.label ?? field?.name} path={path} required={field?.required} />
      <textarea
        id={`field-${path.replace(/\./g, '__')}`}
        name={path}
        data-testid={`json-${path}`}
        value={text}
        readOnly={readOnly}
        rows={Math.min(16, Math.max(4, text.split('\n').length + 1))}
        spellCheck={false}
        onChange={(e) => change(e.target.value)}
        style={{
          width: '100%',
          fontFamily: 'var(--font-mono, monospace)',
          fontSize: '0.9em',
          padding: '8px 12px',
          border: `1px solid ${showError || parseError ? 'var(--theme-error-500)' : 'var(--theme-elevation-150)'}`,
          borderRadius: 'var(--style-radius-s)',
          background: readOnly ? 'var(--theme-elevation-100)' : 'var(--theme-input-bg)',
          color: 'var(--theme-text)',
        }}
      />
      {parseError ? <p style={{ color: 'var(--theme-error-500)', margin: '4px 0 0' }}>Not valid JSON yet: {parseError}</p> : null}
      {showError && errorMessage ? <p style={{ color: 'var(--theme-error-500)', margin: '4px 0 0' }}>{errorMessage}</p> : null}
      {description ? <div className="field-description">{description}</div> : null}
    </div>
  )
}
