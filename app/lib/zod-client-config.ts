// Zod 4 compiles object parsers with `new Function` when it can; its probe alone is a CSP violation (script-src has
// no 'unsafe-eval'). The browser parses with the interpreter instead; the server keeps the compiled fast path.
// Zod keeps its configuration on globalThis (`__zod_globalConfig`, shared by every copy of zod; `z.config()` merges
// into it), so setting it here, before or after zod loads, needs no import of zod: pages that never parse in the
// browser do not download it (20 KB compressed).
const zodGlobal = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
(zodGlobal.__zod_globalConfig ??= {}).jitless = true;

export {};
