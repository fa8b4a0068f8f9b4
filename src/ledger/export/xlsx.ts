import { currencyExponent } from '../currency'
import { formatMinor } from '../money'
import { calendarDate, isoDate } from './format-helpers'
import { GENERIC_COLUMNS } from './generic-csv'
import { exportError, type CommonExportOptions, type ExportChunk, type ExportFormat, type Rendered } from './types'
import { zip } from './zip'

/**
 * The generic layout as an Excel workbook (checklist row 25). A CSV cannot keep a 17-digit
 * account or a routing number with a leading zero as text: Excel and LibreOffice read quoted digits
 * as numbers (15 significant digits, zeros dropped), and the `="…"` workaround is itself a formula.
 * Here every identifier and text is an inline string cell formatted as text, amounts are number
 * cells, and a last row holds the file's total as a value. There is no formula anywhere, so the
 * text needs no `'` prefix: a string cell is never evaluated.
 */
export type XlsxOptions = CommonExportOptions

/** Excel holds 15 significant digits; a larger amount would be silently rounded. */
const MAX_EXACT_MINOR = 10n ** 15n - 1n

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships'
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

/** Cell styles (cellXfs indexes): 1 text "@", then whole numbers with 0, 2 or 3 decimals. */
const STYLE_TEXT = 1
const STYLE_BY_EXPONENT: Readonly<Record<number, number>> = { 0: 2, 2: 3, 3: 4 }

function xml(value: string): string {
  return (
    value
      // Characters XML 1.0 cannot carry at all: shown as U+FFFD rather than breaking the file.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // A literal CR would be normalised to LF by every XML reader.
      .replace(/\r/g, '&#13;')
  )
}

function columnName(index: number): string {
  let n = index + 1
  let name = ''
  while (n > 0) {
    const r = (n - 1) % 26
    name = String.fromCharCode(65 + r) + name
    n = Math.floor((n - 1) / 26)
  }
  return name
}

function textCell(ref: string, value: string): string {
  return `<c r="${ref}" t="inlineStr" s="${STYLE_TEXT}"><is><t xml:space="preserve">${xml(value)}</t></is></c>`
}

function numberCell(ref: string, amountMinor: bigint, currency: string): string {
  const style = STYLE_BY_EXPONENT[currencyExponent(currency)] ?? 0
  return `<c r="${ref}" s="${style}"><v>${formatMinor(amountMinor, currency)}</v></c>`
}

const STYLES =
  `${HEAD}<styleSheet xmlns="${MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.000"/></numFmts>` +
  '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>'

function workbookFiles(sheet: string) {
  return [
    {
      name: '[Content_Types].xml',
      content:
        `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
    },
    {
      name: '_rels/.rels',
      content: `${HEAD}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      content: `${HEAD}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="Payouts" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      content:
        `${HEAD}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    },
    { name: 'xl/styles.xml', content: STYLES },
    { name: 'xl/worksheets/sheet1.xml', content: sheet },
  ]
}

export const xlsx: ExportFormat<XlsxOptions> = {
  id: 'xlsx',
  label: 'Excel workbook (all lines, account numbers kept as text, total row)',
  extension: 'xlsx',
  mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  // Excel's 1,048,576 rows, less the header and the total row, rounded down.
  maxRowsPerFile: 1_000_000,
  currencies: null,
  methods: null,
  render(chunk: ExportChunk, options: XlsxOptions): Rendered {
    const ctx = {
      batchReference: chunk.batch.reference,
      batchDate: isoDate(calendarDate(chunk.batch.approvedAt, options.timeZone)),
    }
    let total = 0n
    const rows: string[] = []
    const row = (n: number, cells: string[]) => rows.push(`<row r="${n}">${cells.join('')}</row>`)
    row(
      1,
      GENERIC_COLUMNS.map((c, i) => textCell(`${columnName(i)}1`, c.header)),
    )
    for (const [index, line] of chunk.lines.entries()) {
      if (line.amountMinor > MAX_EXACT_MINOR) return exportError('amount_too_large', line.reference)
      total += line.amountMinor
      const r = index + 2
      row(
        r,
        GENERIC_COLUMNS.map((c, i) =>
          c.kind === 'amount'
            ? numberCell(`${columnName(i)}${r}`, line.amountMinor, line.currency)
            : textCell(`${columnName(i)}${r}`, c.value(line, ctx)),
        ),
      )
    }
    if (total > MAX_EXACT_MINOR) return exportError('amount_too_large', 'file total')
    const totalRow = chunk.lines.length + 2
    const cells = [textCell(`A${totalRow}`, 'Total')]
    GENERIC_COLUMNS.forEach((c, i) => {
      const ref = `${columnName(i)}${totalRow}`
      if (c.header === 'Currency') cells.push(textCell(ref, chunk.currency))
      if (c.kind === 'amount') cells.push(numberCell(ref, total, chunk.currency))
    })
    row(totalRow, cells)
    const sheet = `${HEAD}<worksheet xmlns="${MAIN}"><sheetData>${rows.join('')}</sheetData></worksheet>`
    return { ok: true, content: zip(workbookFiles(sheet)), totalMinor: total }
  },
}
