'use client'
import type { JSONFieldClientComponent } from 'payload'
import { TextareaInput, useField } from '@payloadcms/ui'
import { useEffect, useState } from 'react'

/**
 * JSON fields as plain text. Payload's JSON editor (Monaco) loads its code from a public CDN,
 * which the admin's Content-Security-Policy refuses (and a closed network cannot reach), so JSON is
 * edited and shown as formatted text instead. Invalid JSON is kept in the box and reported, never
 * saved half-parsed.
 */
export const JsonTextField: JSONFieldClientComponent = ({ field, path, readOnly }) => {
  const { value, setValue, showError, errorMessage } = useField<unknown>({ path: path ?? field.name })
  const [text, setText] = useState(() => format(value))
  const [parseError, setParseError] = useState<string | null>(null)
  useEffect(() => {
    // Follow values set from outside (form reset, server response), not the user's own typing.
    if (parseError === null) setText(format(value))
  }, [value])
  const label = typeof field.label === 'string' ? field.label : field.name
  const description = typeof field.admin?.description === 'string' ? field.admin.description : undefined
  return (
    <div className="field-type json-text-field" style={{ marginBottom: 'var(--base)' }}>
      <TextareaInput
        path={path ?? field.name}
        label={label}
        description={description}
        readOnly={Boolean(readOnly || field.admin?.readOnly)}
        rows={Math.min(20, Math.max(3, text.split('\n').length))}
        value={text}
        showError={showError || parseError !== null}
        Error={parseError ?? (showError ? errorMessage : undefined)}
        onChange={(e) => {
          const next = e.target.value
          setText(next)
          if (next.trim() === '') {
            setParseError(null)
            setValue(null)
            return
          }
          try {
            setValue(JSON.parse(next))
            setParseError(null)
          } catch (err) {
            setParseError(`Not valid JSON: ${err instanceof Error ? err.message : String(err)}`)
          }
        }}
      />
    </div>
  )
}

function format(value: unknown): string {
  return value == null ? '' : JSON.stringify(value, null, 2)
}
