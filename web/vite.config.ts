/**
 * Builds the explorer into web/dist as a self-contained folder that also opens from file://:
 * one classic (non-module) script with the worker inlined, relative asset paths.
 */
import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';

/** Chromium refuses module scripts from file:// (origin null); an IIFE bundle loaded as a classic deferred script is fine. */
function classicScript(): Plugin {
  return {
    name: 'onepass-classic-script',
    enforce: 'post',
    transformIndexHtml: (html) => html.replace(/<script type="module" crossorigin /g, '<script defer '),
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  plugins: [classicScript()],
  worker: { format: 'iife' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    modulePreload: false,
    rollupOptions: {
      output: { format: 'iife', inlineDynamicImports: true },
      // zod's sources carry /*@__PURE__*/ comments Rollup cannot place; harmless, and not ours to fix.
      onwarn: (warning, warn) => { if (warning.code !== 'INVALID_ANNOTATION') warn(warning); },
    },
  },
});
