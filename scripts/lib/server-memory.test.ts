import { execFileSync } from 'node:child_process'

import { describe, expect, test } from 'vitest'

import { DEFAULT_HEAP_MB, DEFAULT_SEMI_SPACE_MB, serverNodeOptions } from './server-memory'

describe('serverNodeOptions', () => {
  test('adds both limits to whatever NODE_OPTIONS holds', () => {
    expect(serverNodeOptions(undefined, {})).toBe(`--max-old-space-size=${DEFAULT_HEAP_MB} --max-semi-space-size=${DEFAULT_SEMI_SPACE_MB}`)
    expect(serverNodeOptions('--enable-source-maps', { SERVER_HEAP_MB: '512', SERVER_SEMI_SPACE_MB: '2' })).toBe(
      '--enable-source-maps --max-old-space-size=512 --max-semi-space-size=2',
    )
  })

  test('a flag already in NODE_OPTIONS wins over the default and the variable', () => {
    expect(serverNodeOptions('--max-semi-space-size=16', { SERVER_SEMI_SPACE_MB: '2' })).toBe(
      `--max-semi-space-size=16 --max-old-space-size=${DEFAULT_HEAP_MB}`,
    )
    expect(serverNodeOptions('--max-old-space-size=1024', {})).toBe(
      `--max-old-space-size=1024 --max-semi-space-size=${DEFAULT_SEMI_SPACE_MB}`,
    )
  })

  test('a size that is not a whole number of MB is refused, naming the variable', () => {
    expect(() => serverNodeOptions(undefined, { SERVER_SEMI_SPACE_MB: '0.5' })).toThrow(/SERVER_SEMI_SPACE_MB: 0.5/)
    expect(() => serverNodeOptions(undefined, { SERVER_HEAP_MB: '32' })).toThrow(/SERVER_HEAP_MB: 32 is not a size/)
  })

  test('a node started with them churns garbage inside the smaller young generation', () => {
    // Allocates ~100 MB of short-lived objects, then reports how big V8 let the new space grow.
    const probe = `let a=[];for(let i=0;i<2e6;i++){a.push({i,s:'x'+i});if(a.length>5e4)a=[]}
      const v8=require('v8');const n=v8.getHeapSpaceStatistics().find(s=>s.space_name==='new_space');
      console.log(JSON.stringify({newSpace:n.space_size,limit:v8.getHeapStatistics().heap_size_limit}))`
    const run = (nodeOptions: string) =>
      JSON.parse(execFileSync(process.execPath, ['-e', probe], { env: { ...process.env, NODE_OPTIONS: nodeOptions } }).toString()) as {
        newSpace: number
        limit: number
      }
    const mb = 1024 * 1024
    const defaults = run('')
    const limited = run(serverNodeOptions(undefined, {}))
    // V8's own default (two 16 MB semi-spaces) is larger than ours; ours holds two of DEFAULT_SEMI_SPACE_MB.
    expect(limited.newSpace).toBeLessThanOrEqual(2 * DEFAULT_SEMI_SPACE_MB * mb)
    expect(defaults.newSpace).toBeGreaterThan(limited.newSpace)
    expect(limited.limit).toBeLessThan(defaults.limit)
  })
})
