import { withPayload } from '@payloadcms/next/withPayload'

import { securityHeaderRules } from './src/security/headers.mjs'

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Tests and scripts are type-checked by `npm run typecheck`, not during the production build.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // The product is the admin; the bare root sends people there.
  async redirects() {
    return [{ source: '/', destination: '/admin', permanent: false }]
  },
  // All security headers come from one module; see there for what and why.
  async headers() {
    return securityHeaderRules({ hstsAlways: process.env.HSTS === 'always' })
  },
}

export default withPayload(nextConfig, { devBundleServerPackages: false })
