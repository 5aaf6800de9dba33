// Three users of examples/chat, driven with the official socket.io-client; prints what each saw.
//   node chat_client.mjs URL
import { io } from "socket.io-client";

const url = process.argv[2];
const seen = { alice: [], bob: [], carol: [] };
const clients = {};
const timeout = setTimeout(() => {
  console.log(JSON.stringify({ error: "timed out", seen }));
  process.exit(1);
}, 20000);

function connect(name) {
  const socket = io(url, { forceNew: true });
  clients[name] = socket;
  socket.onAny((event, ...args) => seen[name].push([event, ...args]));
  return new Promise((resolve) => socket.on("connect", resolve));
}
// Resolves when `name` has seen `count` events in all.
const until = (name, count) =>
  new Promise((resolve) => {
    const check = () => (seen[name].length >= count ? resolve() : setTimeout(check, 5));
    check();
  });

await connect("alice");
clients.alice.emit("add user", "alice");
await until("alice", 1); // login
await connect("bob");
clients.bob.emit("add user", "bob");
await until("bob", 1); // login
await until("alice", 2); // user joined: bob
await connect("carol");
clients.carol.emit("add user", "carol");
await until("carol", 1);
await until("alice", 3);
await until("bob", 2);
clients.alice.emit("new message", "hello from alice");
await until("bob", 3);
await until("carol", 2);
clients.bob.emit("new message", "hi alice");
await until("alice", 4); // bob's message: had alice got her own, it would have come first
await until("carol", 3);
clients.bob.emit("typing");
await until("alice", 5);
await until("carol", 4);
clients.carol.disconnect();
await until("alice", 6);
await until("bob", 4); // bob sees neither his own message nor his own typing
clearTimeout(timeout);
for (const socket of Object.values(clients)) socket.disconnect();
console.log(JSON.stringify({ seen }));
