import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [
    remix({
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
    tsconfigPaths(),
  ],
  // Each language's strings stay a file of their own (app/i18n/translations.ts), however small.
  build: { assetsInlineLimit: (file) => (/[/\\]app[/\\]i18n[/\\]locales[/\\]/.test(file) ? false : undefined) },
  server: { hmr: { port: Number(process.env.HMR_PORT ?? 24678) } },
});
