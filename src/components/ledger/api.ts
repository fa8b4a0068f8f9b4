'use client'
import { useCallback, useEffect, useState } from 'react'

/** REST calls from the admin with the session cookie; errors come back as the shared `{error:{message}}` shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'include',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let parsed: unknown = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = text
  }
  if (!res.ok) {
    const p = parsed as { error?: { message?: string }; errors?: { message?: string }[] } | null
    throw new ApiError(res.status, p?.error?.message ?? p?.errors?.[0]?.message ?? `${method} ${url}: HTTP ${res.status}`)
  }
  return parsed as T
}

export const getJson = <T>(url: string) => call<T>('GET', url)
export const postJson = <T>(url: string, body: unknown) => call<T>('POST', url, body)

/** Loads `url` (null: nothing to load yet); `reload` fetches again after an action. */
export function useJson<T>(url: string | null): { data: T | null; error: string | null; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(url != null)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (url == null) return
    let live = true
    setLoading(true)
    getJson<T>(url)
      .then((d) => {
        if (!live) return
        setData(d)
        setError(null)
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [url, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { data, error, loading, reload }
}

export interface Paginated<T> {
  docs: T[]
  totalDocs: number
  page: number
  totalPages: number
  hasNextPage: boolean
  hasPrevPage: boolean
}

/** A relationship value at depth 0 (an id) or 1 (the document). */
export function relId(v: unknown): number | null {
  if (typeof v === 'number') return v
  if (v && typeof v === 'object' && 'id' in v && typeof (v as { id: unknown }).id === 'number') return (v as { id: number }).id
  return null
}
