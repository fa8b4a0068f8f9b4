'use client'
import type { DefaultCellComponentProps } from 'payload'
import React from 'react'

import { isKnownCurrency } from '../ledger/currency'
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
