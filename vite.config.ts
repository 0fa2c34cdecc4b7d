import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    // mermaid is big by nature and is only ever loaded on demand; warn only above its size.
    chunkSizeWarningLimit: 1200,
  },
});
