import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { mermaidSequenceOnly } from './build/mermaid-sequence-only.ts';
import { createHash } from 'node:crypto';
import { DEFERRED_START_SCRIPT, prerenderPlugin } from './build/prerender.ts';

/**
 * Headers of the built app (npm start serves it with them; a static host should copy them). No
 * remote script, and one inline script, allowed by its hash; inline styles because mermaid writes a
 * <style> into its SVG and prerendered pages carry theirs. Token
 * requests may go to any https authority the user points the app at, and to the local sandbox.
 */
export const SECURITY_HEADERS = {
  'Content-Security-Policy': [
    "default-src 'self'",
    // The one inline script, the deferred start of prerendered pages (build/prerender.ts).
    `script-src 'self' 'sha256-${createHash('sha256').update(DEFERRED_START_SCRIPT).digest('base64')}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; '),
  // Codes and tokens can sit in this app's URLs for a moment; never send them to another site.
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin-allow-popups',
};

export default defineConfig({
  plugins: [react(), mermaidSequenceOnly(), prerenderPlugin()],
  // Vite allows any localhost port cross-origin by default; this origin serves the relay token, so no
  // other origin may read any of its answers.
  server: { cors: false },
  preview: { headers: SECURITY_HEADERS, cors: false },
  build: {
    target: 'es2022',
    // LAB_DIST_DIR lets parallel e2e runs each build and preview their own copy.
    outDir: process.env['LAB_DIST_DIR'] ?? 'dist',
    // mermaid is big by nature and is only ever loaded on demand; warn only above its size.
    chunkSizeWarningLimit: 1200,
  },
});
