import { buildIsCurrent } from "./build-stamp";
import { build } from "./build";

/**
 * `npm start`: builds only when build/ is missing or was made from other inputs (scripts/build-stamp.ts), then runs
 * the production server in this same process (one TypeScript loader start, not two).
 */
process.env.NODE_ENV = "production";
if (buildIsCurrent()) console.log("The build is current; starting without rebuilding.");
else {
  console.log("The build is missing or out of date; building first.");
  build();
}
await import("../server/index");
