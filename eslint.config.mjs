// Lint: typescript-eslint's recommended rules, plus the architecture rule that keeps src/core free of 'vscode'.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test/fixtures/**', 'media/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core and src/cli must not import vscode: keep the VS Code layer in src/vscode.' }],
        patterns: [{ group: ['**/vscode/**', '../vscode/*', '../../vscode/*'], message: 'src/core must not depend on src/vscode.' }],
      }],
    },
  },
  // The Node.js origins recorder runs inside the user's program as plain CommonJS (node --require).
  { files: ['src/core/origins/node/**/*.js'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['scripts/**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
