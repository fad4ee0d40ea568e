import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { chimeSdkBundling } from '../chime-sdk/bundling.ts';

// The build runs from the repository root with --config, so the root is this file's folder.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/test-call/',
  ...chimeSdkBundling,
  // The SDK is most of the page: one bundle of about 1 MB.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 2000 },
});
