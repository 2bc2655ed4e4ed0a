import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console, built into dist/console (`npm run build`), which the API serves at /console. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    // The calendar and the charts are most of it; one page, loaded once and cached for good.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npx vite apps/console` while `npm start` runs: the API on its port.
    proxy: Object.fromEntries(
      [
        '/messages',
        '/schedule-message',
        '/subscribed-users',
        '/subscribers',
        '/events',
        '/topics',
        '/delivery-health',
      ].map((path) => [path, 'http://127.0.0.1:8000']),
    ),
  },
});
