import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The build runs from the repository root with --config, so the root is this file's folder.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/test-call/',
  // The Chime SDK's dependencies read Node's `global`.
  define: { global: 'globalThis' },
  resolve: {
    alias: {
      '@aws-sdk/client-chime-sdk-messaging': fileURLToPath(new URL('./src/no-messaging.js', import.meta.url)),
    },
  },
  // The SDK is most of the page: one bundle of about 1 MB.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 2000 },
});
