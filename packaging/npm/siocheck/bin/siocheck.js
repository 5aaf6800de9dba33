#!/usr/bin/env node
// The siocheck command for npm: runs the native binary of this platform's package
// (@siocheck/linux-x64, installed as an optional dependency), with the same arguments, standard
// streams and exit status. Signals reach it too, so that a CI timeout stops its launched servers.
"use strict";

const { spawn } = require("node:child_process");
const path = require("node:path");

const platform = `${process.platform}-${process.arch}`;
let binary;
try {
  const manifest = require.resolve(`@siocheck/${platform}/package.json`);
  binary = path.join(path.dirname(manifest), "bin", "siocheck");
} catch {
  process.stderr.write(
    `siocheck: no binary for ${platform}: the package @siocheck/${platform} is not installed ` +
      "(siocheck ships linux-x64 only; on another platform build it from source, see its README)\n");
  process.exit(2);
}

const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("error", (error) => {
  process.stderr.write(`siocheck: cannot run ${binary}: ${error.message}\n`);
  process.exit(2);
});
child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, as a shell expects: without our forwarding handler this time.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  else process.exit(code);
});
