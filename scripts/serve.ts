import path from "node:path";
import { projectVariables } from "../server/env";
import { joinEmbeddedStack } from "../server/embedded/stack-descriptor";
import { StartupError } from "../server/embedded/startup-error";
import { buildIsCurrent } from "./build-stamp";
import { existsSync } from "node:fs";

/**
 * `npm run serve`: one more app server (issue 19), never a stack of its own. With the five Supabase project variables
 * set, it is a project-mode server as `npm start` would be. Without them it joins the embedded stack that `npm start`
 * runs from DATA_DIR (default ./.data): that stack's gateway, keys and PostgreSQL, found in DATA_DIR/stack.json and
 * secrets.json. Give each server its own PORT (default 3001 here).
 */
process.env.NODE_ENV = "production";
const joining = projectVariables.every((name) => !process.env[name]);
try {
  if (joining) {
    const dataDir = path.resolve(process.env.DATA_DIR || "./.data");
    Object.assign(process.env, await joinEmbeddedStack(dataDir));
    // This server's outgoing mail goes to the stack's outbox (one table in the shared database), shown at /dev/mail
    // on the first server, unless SMTP_URL is set.
    process.env.MAIL_OUTBOX ??= "true";
    process.env.PORT ||= "3001";
    console.log(`Joining the stack in ${dataDir} (${process.env.SUPABASE_URL}).`);
  }
  if (!existsSync(path.join(import.meta.dirname, "..", "build", "server", "index.js")))
    throw new StartupError("No production build found; run `npm run build` (or `npm start`) first.");
  // Never rebuilt here: the running servers serve build/, and a rebuild would replace their assets under them.
  if (!buildIsCurrent()) console.warn("The build is older than the sources; run `npm run build` and restart.");
} catch (error) {
  if (!(error instanceof StartupError)) throw error;
  process.stderr.write(`Cannot start: ${error.message}\n`);
  process.exit(1);
}
await import("../server/index");
