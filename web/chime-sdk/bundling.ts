import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vite';

/**
 * What a Vite build needs to bundle the Amazon Chime SDK for a page: its dependencies read
 * Node's `global`, and its messaging client (Node-only, unused by meetings) is left out.
 */
export const chimeSdkBundling: Pick<UserConfig, 'define' | 'resolve'> = {
  define: { global: 'globalThis' },
  resolve: {
    alias: {
      '@aws-sdk/client-chime-sdk-messaging': fileURLToPath(new URL('./no-messaging.js', import.meta.url)),
    },
  },
};
