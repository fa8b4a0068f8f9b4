import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      'data/**',
      'artifacts/**',
      'src/payload-types.ts',
      'src/app/(payload)/admin/importMap.js',
      'next-env.d.ts',
      'migrations/*.json',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      // The money path never touches floats: no parseFloat anywhere in the core.
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'Money is parsed as integers (src/ledger/import/amounts.ts).' }],
    },
  },
  {
    files: ['src/ledger/**/*.ts'],
    ignores: ['src/ledger/**/*.test.ts', 'src/ledger/**/*.fixture.ts', 'src/ledger/**/test-helpers.ts'],
    rules: {
      // The core is pure: time, randomness and I/O are passed in.
      'no-restricted-imports': ['error', { patterns: ['payload', 'payload/*', '@payloadcms/*', 'pg', 'fs', 'node:fs', 'next', 'next/*'] }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pass the time in; the ledger core is pure.' },
        { object: 'Math', property: 'random', message: 'Pass randomness in; the ledger core is pure.' },
        { object: 'Math', property: 'round', message: 'Round money with divRound (src/ledger/money.ts).' },
      ],
    },
  },
  {
    files: ['migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
)
