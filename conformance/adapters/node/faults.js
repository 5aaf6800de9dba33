// The client fault catalogue: each fault breaks one rule of socket.io-client by patching the
// library in this process, and names the client cases that must FAIL because of it. It proves
// that those cases can fail (tests/test_client_faults.py runs every fault against its cases).
//
//   node adapter.js --fault NAME       the adapter with that fault on
//   node adapter.js --list-faults      the catalogue as JSON: [{name, description, cases}]
//
// Faults are grouped by area in faults/*.js; each exports an array of
//   { name, description, cases: ["client/area/N", ...], apply(lib) }
// where `lib` holds the modules socket.io-client itself uses (below).
"use strict";

const fs = require("node:fs");
const path = require("node:path");

function library() {
  const sioEntry = require.resolve("socket.io-client");
  const sioBuild = path.dirname(sioEntry);  // .../socket.io-client/build/cjs
  const from = (name) => require(require.resolve(name, { paths: [sioBuild] }));
  const eioEntry = require.resolve("engine.io-client", { paths: [sioBuild] });
  const eioBuild = path.dirname(eioEntry);
  return {
    io: require("socket.io-client"),
    Manager: require(path.join(sioBuild, "manager.js")).Manager,
    Socket: require(path.join(sioBuild, "socket.js")).Socket,
    eio: from("engine.io-client"),
    EioSocket: require(path.join(eioBuild, "socket.js")).Socket,
    Polling: require(path.join(eioBuild, "transports", "polling.js")).Polling,
    WS: require(path.join(eioBuild, "transports", "websocket.js")).BaseWS,
    eioParser: from("engine.io-parser"),
    parser: from("socket.io-parser"),
  };
}

function catalogue() {
  const dir = path.join(__dirname, "faults");
  const all = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".js")).sort())
    all.push(...require(path.join(dir, file)));
  return all;
}

function apply(names) {
  const faults = new Map(catalogue().map((f) => [f.name, f]));
  const lib = library();
  for (const name of names) {
    const fault = faults.get(name);
    if (!fault) {
      process.stderr.write(`adapter.js: no fault named ${name} (node adapter.js --list-faults lists them)\n`);
      process.exit(2);
    }
    fault.apply(lib);
  }
}

function list() {
  return catalogue().map(({ name, description, cases }) => ({ name, description, cases }));
}

module.exports = { apply, list, library };
