import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

/**
 * Starts a program that cannot outlive this Node process. A small `sh` keeps the program's pid and reads our pipe;
 * when the pipe closes (we asked it to stop, or Node died, even by SIGKILL) it sends the stop signal and waits.
 * Node cannot set PR_SET_PDEATHSIG, and without this a killed server left PostgREST running forever.
 * The shell also exits as soon as the program does (with its status), so a program that dies while starting (a port
 * taken between our probe and its bind) is noticed at once rather than after a readiness timeout (issue 11).
 */
const watchdog = [
  '"$0" "$@" </dev/null &',
  "pid=$!",
  'echo "tied-child-pid:$pid" >&2',
  // An asynchronous list reads /dev/null unless told otherwise: give the pipe reader our stdin explicitly.
  "exec 3<&0",
  `( while read -r _ <&3; do :; done; kill -"$TIED_STOP_SIGNAL" "$pid" 2>/dev/null ) &`,
  "reader=$!",
  `trap 'kill -"$TIED_STOP_SIGNAL" "$pid" 2>/dev/null' TERM INT`,
  // Wait once unconditionally: a program that exits before the loop's first check (`exit 3` at once) must still
  // report its own status, which only `wait` returns. A trapped signal interrupts `wait`; wait again until the
  // program has really ended (a zombie still answers `kill -0`, so its status is never lost).
  'wait "$pid"',
  "status=$?",
  'while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done',
  'kill "$reader" 2>/dev/null',
  'exit "$status"',
].join("\n");

export interface TiedChild {
  process: ChildProcess;
  /** The program's own pid (not the watchdog shell's), once it has started. */
  pid: () => number | undefined;
  exited: Promise<number | null>;
  /** Asks the program to stop with its stop signal; kills it after `timeoutMs`. */
  stop: (timeoutMs: number) => Promise<void>;
}

export function spawnTiedChild(
  file: string,
  args: string[],
  options: Pick<SpawnOptions, "uid" | "gid" | "env"> & { stopSignal: "TERM" | "INT" },
): TiedChild {
  const child = spawn("sh", ["-c", watchdog, file, ...args], {
    uid: options.uid,
    gid: options.gid,
    env: { ...(options.env ?? process.env), TIED_STOP_SIGNAL: options.stopSignal },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let programPid: number | undefined;
  child.stderr?.on("data", (chunk: Buffer) => {
    const match = /tied-child-pid:(\d+)/.exec(chunk.toString());
    if (match) programPid = Number(match[1]);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    process: child,
    pid: () => programPid,
    exited,
    async stop(timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end();
      const timer = setTimeout(() => {
        if (programPid) {
          try {
            process.kill(programPid, "SIGKILL");
          } catch {
            // already gone
          }
        }
        child.kill("SIGKILL");
      }, timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
