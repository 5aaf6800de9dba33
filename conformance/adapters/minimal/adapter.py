"""The smallest useful client adapter (conformance/CLIENT-ADAPTER.md, contract v1): python-socketio's
sync Client with `connect`, `emit` (with acks), `disconnect`, `sync` and `exit`; everything else is
`unsupported`. A model for an adapter in a new language: start here, then add commands and features.
The complete adapter for python-socketio is ../python/adapter.py.

    siocheck conform --client -- /usr/bin/python3 conformance/adapters/minimal/adapter.py
"""
import json, logging, sys, threading
import socketio

logging.disable(logging.CRITICAL)  # stdout carries the contract's lines only
lock = threading.Lock()

def out(**event):
    with lock:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()

def watch(sid, client, nsp):
    client.on("connect", lambda: out(ev="connect", id=sid, sid=client.get_sid(nsp), recovered=False), namespace=nsp)
    client.on("connect_error", lambda data=None: out(ev="connect_error", id=sid, message=str(data), data=None,
                                                     active=False), namespace=nsp)
    client.on("disconnect", lambda: out(ev="disconnect", id=sid, reason="other", reason_raw="", active=True),
              namespace=nsp)
    def any_event(event, *args):
        out(ev="event", id=sid, event=event, args=list(args), ack_requested=False)
    client.on("*", any_event, namespace=nsp)

out(ev="ready", impl="python-socketio (minimal adapter)", version="5", features=["polling", "websocket", "upgrade",
                                                                                  "acks_out", "reconnection"])
clients = {}
def handle(cmd):
    name = cmd["cmd"]
    if name == "connect" and not cmd.get("opts") and "manager" not in cmd:
        nsp = cmd.get("nsp", "/")
        client = clients[cmd["id"]] = (socketio.Client(), nsp)
        watch(cmd["id"], client[0], nsp)
        threading.Thread(target=lambda c=client[0]: c.connect(cmd["url"], namespaces=[nsp], auth=cmd.get("auth"),
                                                              socketio_path=cmd["path"]), daemon=True).start()
    elif name == "emit" and not cmd.get("timeout_ms") and not cmd.get("volatile"):
        client, nsp = clients[cmd["id"]]
        callback = (lambda *a, seq=cmd.get("seq"), sid=cmd["id"]: out(ev="ack", id=sid, seq=seq, args=list(a))
                    ) if cmd.get("ack") else None
        client.emit(cmd["event"], tuple(cmd["args"]), namespace=nsp, callback=callback)
    elif name == "disconnect":
        clients[cmd["id"]][0].disconnect()
    elif name == "sync":
        out(ev="sync", seq=cmd["seq"])
    elif name == "exit":
        return False
    else:
        out(ev="unsupported", cmd=name, what=name if name not in ("connect", "emit") else "opts")
    return True

for line in sys.stdin:
    try:
        if not handle(json.loads(line)):
            break
    except Exception as error:  # the library refused: say so (siocheck reports CRASH, not FAIL)
        out(ev="adapter_error", message=f"{type(error).__name__}: {error}")
for client, _ in clients.values():
    client.disconnect()
