import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'src/generated/', 'data/', '.tmp/', 'web/agent/dist/', 'web/test-call/dist/'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The domain sees infrastructure only through its ports (src/ports/): no adapter, edge or
    // protocol code. Its tests may wire real adapters.
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/adapters/**',
                '**/aws/**',
                '**/services/**',
                '**/gateway/**',
                '**/http/**',
                '**/web/**',
              ],
              message: 'The domain reaches infrastructure through a port in src/ports/.',
            },
            {
              group: ['**/domain-thread/**', '**/main.ts', '**/cli.ts', '**/config.ts', '**/bootstrap.ts'],
              message: 'The domain does not know how it is composed.',
            },
          ],
        },
      ],
    },
  },
);
