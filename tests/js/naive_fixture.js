#!/usr/bin/env node
// A fixture written the way many first ones are (level official, socket.io 4.8): its message
// handler forwards whatever comes, unguarded. A 10,000-deep argument then overflows socket.io's
// recursive hasBinary inside emit(), and the uncaught RangeError ends the process: the crash
// `siocheck conform` must name (tests/test_conform_liveness.py). Do not copy it: the starter in
// conformance/fixtures/starter/ is the one to copy.
//
//   node naive_fixture.js --port N
"use strict";

const http = require("node:http");
const { Server: EngineServer } = require("engine.io");
const { Server: SocketIOServer } = require("socket.io");

const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
const settings = { pingInterval: 300, pingTimeout: 200, maxHttpBufferSize: 1e6, cors: { origin: "*" }, destroyUpgrade: false };
const httpServer = http.createServer((req, res) => res.writeHead(404).end());
const eio = new EngineServer(settings);
eio.attach(httpServer, { path: "/engine.io/", destroyUpgrade: false });
eio.on("connection", (socket) => socket.on("message", (data) => socket.send(data)));
const io = new SocketIOServer(httpServer, { ...settings, path: "/socket.io", serveClient: false, connectTimeout: 1000 });
io.of("/").on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);
  socket.on("message", (...a) => socket.emit("message-back", ...a));
  socket.on("message-with-ack", (...a) => a.pop()(...a));
});
io.of("/custom").on("connection", (socket) => socket.emit("auth", socket.handshake.auth));
httpServer.listen(port, "127.0.0.1", () => process.stdout.write(`listening http://127.0.0.1:${port}\n`));
process.on("SIGTERM", () => process.exit(0));
