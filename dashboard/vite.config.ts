import { defineConfig } from 'vite';

// Preact through esbuild's automatic JSX runtime: no Babel preset needed for a small app.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist/public',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
  },
  // `npm run dev`: the API (and its reference, which the alerts page reads) from a local Tracehouse.
  server: { proxy: { '/v2': 'http://127.0.0.1:8090', '/openapi.json': 'http://127.0.0.1:8090' } },
});
