// autocannon ships no types; the part the bench uses.
declare module 'autocannon' {
  interface Options {
    url: string
    connections?: number
    duration?: number
    /** Requests per second per connection (autocannon paces each connection to it). */
    connectionRate?: number
    headers?: Record<string, string>
  }
  interface Result {
    non2xx: number
    errors: number
    timeouts: number
    requests: { total: number; average: number }
    latency: { p50: number; p97_5: number; p99: number; average: number; max: number }
  }
  interface Instance extends PromiseLike<Result> {
    on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this
  }
  function autocannon(opts: Options): Instance
  export default autocannon
}
