import net from "node:net";
import { StartupError } from "./startup-error.js";

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Fails before anything starts when a port we must own is taken, naming the variable that moves it. */
export function assertPortFree(host: string, port: number, variable: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new StartupError(`Port ${port} on ${host} is already in use; stop what uses it or set ${variable}.`)
          : new StartupError(`Cannot listen on ${host}:${port} (${error.code ?? error.message}); check ${variable}.`),
      ),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
