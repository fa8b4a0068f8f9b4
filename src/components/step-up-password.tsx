'use client'
import React from 'react'

/**
 * Step-up from the browser (src/security/step-up.ts): signs the current person in again with the
 * password they just typed, which starts a fresh session, so a refused `step_up_required` action
 * can be retried at once. False when the password is wrong or the account is throttled.
 */
export async function signInAgain(password: string): Promise<boolean> {
  const me = await (await fetch('/api/users/me', { credentials: 'include' })).json()
  const email = me?.user?.email
  if (typeof email !== 'string') return false
  const res = await fetch('/api/users/login', {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  return res.ok
}

export const WRONG_PASSWORD = 'That password is not right, or too many attempts were made; try again later.'

/** The server's step-up message over a password field (the batch review and the import wizard). */
export function StepUpPasswordField(props: {
  message: string
  value: string
  onChange: (value: string) => void
  style?: React.CSSProperties
  testId?: string
}) {
  return (
    <label style={props.style} data-testid={props.testId}>
      {props.message}
      <input
        type="password"
        name="stepUpPassword"
        autoComplete="current-password"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        style={props.style ? { display: 'block', marginTop: 6 } : undefined}
      />
    </label>
  )
}
