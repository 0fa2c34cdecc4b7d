/**
 * Builds and previews the reference page (scripts/bench/reference) with Vite's defaults and the React
 * plugin, as a fresh Vite + React project would. The bench passes the output folder and the port.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { emptyOutDir: true },
});
