import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { chimeSdkBundling } from '../chime-sdk/bundling.ts';

// The build runs from the repository root with --config, so the root is this file's folder,
// not the working directory.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/agent/',
  // Vite 8 transforms TSX with Oxc; without the React plugin it has to be told to use the
  // automatic runtime (react/jsx-runtime), which is what tsconfig's "jsx": "react-jsx" type-checks.
  oxc: { jsx: { runtime: 'automatic' } },
  // Calls join their meetings with the Chime SDK, loaded (its own chunk) when a call is.
  ...chimeSdkBundling,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
});
