// A guided tour of an Engine.IO v4 session with the official client, against any server that
// implements the echo fixture (e.g. `siocheck serve`): node examples/eio-demo.mjs http://127.0.0.1:3000
import { Socket } from "engine.io-client";

const url = process.argv[2] ?? "http://127.0.0.1:3000";

function run(mode) {
  const transports = { polling: ["polling"], websocket: ["websocket"], upgrade: ["polling", "websocket"] }[mode];
  return new Promise((resolve) => {
    const socket = new Socket(url, { transports });
    const line = (text) => console.log(`  [${mode}] ${text}`);
    let received = 0;
    let inOrder = true;
    const count = 1000;
    socket.on("open", () => {
      line(`open over ${socket.transport.name}, sid ${socket.id}`);
      socket.send("hello");
      socket.send(new Uint8Array([1, 2, 3]));
    });
    socket.on("upgrade", (t) => line(`upgraded to ${t.name}`));
    socket.on("message", (m) => {
      if (received === 0 && typeof m === "string" && m === "hello") {
        line(`sent "hello", echoed "${m}"`);
        received = -1;
        return;
      }
      if (received === -1) {
        line(`sent binary [1,2,3], echoed binary [${[...new Uint8Array(m)]}]`);
        received = 0;
        for (let i = 0; i < count; i++) socket.send(`m-${i}`);
        return;
      }
      if (m !== `m-${received}`) inOrder = false;
      if (++received === count) {
        line(`${count} messages echoed ${inOrder ? "in order" : "OUT OF ORDER"} over ${socket.transport.name}`);
        socket.close();
      }
    });
    socket.on("close", (reason) => {
      line(reason === "forced close" ? "closed by the client" : `closed: ${reason}`);
      resolve(inOrder && received === count);
    });
  });
}

let ok = true;
for (const mode of ["polling", "websocket", "upgrade"]) {
  console.log(`== engine.io-client, transports: ${mode === "upgrade" ? "polling upgraded to websocket" : mode + " only"}`);
  ok = (await run(mode)) && ok;
}
console.log(ok ? "== every transport mode works" : "== FAILED");
process.exitCode = ok ? 0 : 1;
