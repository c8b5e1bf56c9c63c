// Lint: TypeScript rules plus the layering rules from DESIGN.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The engine runs in plain Node (daemon, CLI, tests): it must never pull in Electron or the app shell.
    files: ['src/main/core/**/*.ts', 'src/main/cli/**/*.ts', 'src/main/service/**/*.ts', 'src/main/web/**/*.ts', 'src/emulator/**/*.ts', 'src/common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'core, cli, emulator and common never import electron (DESIGN.md layering).' }],
        patterns: [{ group: ['**/app/**', '**/renderer/**', '**/preload/**'], message: 'core never imports the Electron shell or the UI.' }],
      }],
    },
  },
  {
    // The renderer runs in a sandboxed window and in a browser: no Node built-ins.
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins.map((name) => ({ name, message: 'the renderer imports no Node built-ins.' })), { name: 'electron', message: 'the renderer talks to main only through the preload facade.' }],
        patterns: [{ group: ['**/main/**'], message: 'the renderer imports only src/common, never main.' }],
      }],
    },
  },
  {
    // One IPC boundary (DESIGN.md): raw channels only in the handler registry and the preload.
    files: ['src/main/app/**/*.ts', 'src/preload/**/*.ts'],
    ignores: ['src/main/app/ipc.ts', 'src/preload/preload.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: 'IPC goes through src/main/app/ipc.ts and src/preload/preload.ts only.' }],
      }],
    },
  },
);
