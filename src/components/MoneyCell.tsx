'use client'
import { useField, useFormFields } from '@payloadcms/ui'
import type { DefaultCellComponentProps, NumberFieldDescriptionClientComponent } from 'payload'
import React from 'react'

import { currencyExponent, isKnownCurrency } from '../ledger/currency'
import { formatMinor } from '../ledger/money'

/**
 * Shows an integer minor-unit amount as a decimal with its currency ("42.00 USD"), using the
 * row's own currency exponent, so nobody reads 4200 cents as 4,200 dollars.
 */
export function MoneyCell({ cellData, rowData }: DefaultCellComponentProps) {
  const currency = typeof rowData?.currency === 'string' ? rowData.currency : ''
  if (typeof cellData !== 'number' || !Number.isSafeInteger(cellData) || !isKnownCurrency(currency)) {
    return <span>{cellData == null ? '' : String(cellData)}</span>
  }
  return (
    <span style={{ fontVariantNumeric: 'tabular-nums' }}>
      {formatMinor(BigInt(cellData), currency)} {currency}
    </span>
  )
}

/**
 * Under a minor-unit input: the amount as the currency's decimal, so 5000 is seen to be 50.00 USD
 * while typing (the sibling `currency` field decides the exponent).
 */
export const MoneyDescription: NumberFieldDescriptionClientComponent = ({ path, field }) => {
  const { value } = useField<number>({ path })
  const siblingPath = path.includes('.') ? `${path.slice(0, path.lastIndexOf('.'))}.currency` : 'currency'
  const currency = useFormFields(([fields]) => fields[siblingPath]?.value)
  const cur = typeof currency === 'string' ? currency : ''
  const known = isKnownCurrency(cur)
  const shown = typeof value === 'number' && Number.isSafeInteger(value) && known ? `${formatMinor(BigInt(value), cur)} ${cur}` : null
  const text = typeof field?.admin?.description === 'string' ? field.admin.description : null
  return (
    <div className="field-description" data-testid={`money-${path}`}>
      {shown ? <strong style={{ fontVariantNumeric: 'tabular-nums' }}>= {shown}</strong> : null}
      {shown ? ' — ' : null}
      {text ?? `Whole minor units of the currency${known ? ` (${cur} has ${currencyExponent(cur)} decimals)` : ''}.`}
    </div>
  )
}
