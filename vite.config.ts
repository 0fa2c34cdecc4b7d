import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    // LAB_DIST_DIR lets parallel e2e runs each build and preview their own copy.
    outDir: process.env['LAB_DIST_DIR'] ?? 'dist',
    // mermaid is big by nature and is only ever loaded on demand; warn only above its size.
    chunkSizeWarningLimit: 1200,
  },
});
