import path from "node:path";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Rollup } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

type GetModuleInfo = Rollup.GetModuleInfo;

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

const appDir = path.join(import.meta.dirname, "app");
const routesDir = path.join(appDir, "routes");
/** Our own modules imported by at least this many modules join the shell: meta, form alerts. */
const sharedBy = 7;
/**
 * Our own modules this small (characters of code) join the shell when two modules import them: on HTTP/1.1 a page
 * with more than six scripts waited a third round trip for the seventh (sign-in loaded seven: 562 ms on a Fast 3G
 * link), and 28 of 56 routes had more than six. With them in the shell (2 KB brotli more for every page) and the
 * "forms" chunk below, 4 of 55 have.
 */
const smallModule = 2_000;
/** The modules every page loads: the client entry and the root route. */
const rootRoute = path.join(appDir, "root.tsx");
const shellEntries = [path.join(appDir, "entry.client.tsx"), rootRoute];

/** Our own script modules outside the routes (a stylesheet in a shared chunk would block every page's first paint). */
const isOwnScript = (id: string) =>
  id.startsWith(appDir + path.sep) && !id.startsWith(routesDir + path.sep) && /\.tsx?$/.test(id);

/**
 * Everything the client entry and the root route import (React, Remix, i18next and our shared code), as one chunk,
 * and zod with the shared modules that need it as another. Left to itself Rollup splits them into one chunk per set
 * of importers (five or six small files), and on a slow link a browser's six connections per host then make the
 * page's last scripts wait a whole round trip (issue 14).
 */
function sharedChunks() {
  let shell: Set<string> | undefined;
  const collect = (getModuleInfo: GetModuleInfo) => {
    const seen = new Set<string>();
    const queue = [...shellEntries];
    while (queue.length > 0) {
      const id = queue.pop()!;
      const info = getModuleInfo(id);
      if (!info || seen.has(id)) continue;
      seen.add(id);
      queue.push(...info.importedIds);
    }
    seen.delete(rootRoute);
    return seen;
  };
  const light = new Map<string, boolean>();
  /** Our own small shared modules (fields, form alerts, enums, meta) whose imports are all in the shell already. */
  const isLight = (id: string, getModuleInfo: GetModuleInfo, shell: Set<string>): boolean => {
    if (shell.has(id)) return true;
    const known = light.get(id);
    if (known !== undefined) return known;
    light.set(id, false); // cycles: assume not, until shown
    const info = getModuleInfo(id);
    const own = isOwnScript(id);
    const shared =
      !!info &&
      (info.importers.length >= sharedBy ||
        (info.importers.length >= 2 && (info.code?.length ?? Infinity) <= smallModule));
    const result = own && shared && info.importedIds.every((child) => isLight(child, getModuleInfo, shell));
    light.set(id, result);
    return result;
  };
  const zod = `${path.sep}node_modules${path.sep}zod${path.sep}`;
  const forms = new Map<string, boolean>();
  const needsZod = new Map<string, boolean>();
  const reachesZod = (id: string, getModuleInfo: GetModuleInfo): boolean => {
    if (id.includes(zod)) return true;
    const known = needsZod.get(id);
    if (known !== undefined) return known;
    needsZod.set(id, false);
    const result = (getModuleInfo(id)?.importedIds ?? []).some((child) => reachesZod(child, getModuleInfo));
    needsZod.set(id, result);
    return result;
  };
  /**
   * zod, and our shared modules that need it and nothing else outside the shell, as one "forms" chunk. Left to
   * itself Rollup gave each set of importers its own file (validation enums, draft fields, coercion, the dashboard
   * filters: 600 to 900 bytes each), and the people, dashboards and Board review pages loaded seven or eight
   * scripts. A page that needs any of them needs zod, so the few KB of the others cost it little (issue 14).
   */
  const isForms = (id: string, getModuleInfo: GetModuleInfo, shell: Set<string>): boolean => {
    if (id.includes(zod)) return true;
    const known = forms.get(id);
    if (known !== undefined) return known;
    forms.set(id, true); // cycles among our own modules stay together
    const info = getModuleInfo(id);
    const result =
      isOwnScript(id) &&
      !!info &&
      info.importers.length >= 2 &&
      reachesZod(id, getModuleInfo) &&
      info.importedIds.every((child) => isLight(child, getModuleInfo, shell) || isForms(child, getModuleInfo, shell));
    forms.set(id, result);
    return result;
  };
  return (id: string, { getModuleInfo }: { getModuleInfo: GetModuleInfo }) => {
    shell ??= collect(getModuleInfo);
    if (isLight(id, getModuleInfo, shell)) return "shell";
    return isForms(id, getModuleInfo, shell) ? "forms" : undefined;
  };
}

export default defineConfig(({ isSsrBuild }) => ({
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
  build: {
    // Each language's strings stay a file of their own (app/i18n/translations.ts), however small.
    assetsInlineLimit: (file: string) => (/[/\\]app[/\\]i18n[/\\]locales[/\\]/.test(file) ? false : undefined),
    rollupOptions: isSsrBuild ? {} : { output: { manualChunks: sharedChunks() } },
  },
  server: { hmr: { port: Number(process.env.HMR_PORT ?? 24678) } },
}));
