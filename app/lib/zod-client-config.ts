import { z } from "zod";

// Zod 4 compiles object parsers with `new Function` when it can; its probe alone is a CSP violation (script-src has
// no 'unsafe-eval'). The browser parses with the interpreter instead; the server keeps the compiled fast path.
z.config({ jitless: true });
