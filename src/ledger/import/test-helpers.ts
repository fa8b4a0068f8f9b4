/**
 * Test-only helpers (imported by *.test.ts, never by the import code): feed bytes to the
 * streaming parser in chunks of a chosen size, so chunk boundaries fall everywhere.
 */
import { parseCsvRows, type CsvEvent, type CsvParseOptions } from './csv-stream'

export function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
  return out
}

export async function collect(
  source: Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>,
  options: CsvParseOptions = {},
): Promise<CsvEvent[]> {
  const events: CsvEvent[] = []
  for await (const e of parseCsvRows(source, options)) events.push(e)
  return events
}

export function rowsOf(events: readonly CsvEvent[]): Record<string, string>[] {
  return events.flatMap((e) => (e.type === 'row' ? [{ ...e.values }] : []))
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}
