"""A client adapter (conformance/CLIENT-ADAPTER.md) that misbehaves in one way, for the tests of
client mode's own robustness: `misbehaving.py MODE`.

  crash        ready, then exits with status 1 (and a line on stderr) at the first `connect`
  hang         ready, then stops reading its commands at the first `connect` (and never exits)
  garbage      ready, then writes a line that is not JSON at the first `connect`
  liar         reports `connect` and echoes nothing on the wire: it never opens a connection
  unsupported  answers every command but `sync` with `unsupported`
  silent       never writes its ready line
"""

import json
import sys
import time

mode = sys.argv[1]


def out(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


if mode == "silent":
    time.sleep(3600)
out({"ev": "ready", "impl": f"misbehaving-{mode}", "version": "0", "features": ["polling", "websocket"]})
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["cmd"] == "sync":
        out({"ev": "sync", "seq": cmd["seq"]})
    elif cmd["cmd"] == "exit":
        break
    elif mode == "unsupported":
        out({"ev": "unsupported", "cmd": cmd["cmd"], "what": cmd["cmd"]})
    elif cmd["cmd"] == "connect":
        if mode == "crash":
            sys.stderr.write("misbehaving adapter: simulated crash\n")
            sys.exit(1)
        if mode == "hang":
            time.sleep(3600)
        if mode == "garbage":
            sys.stdout.write("this is not a JSON line\n")
            sys.stdout.flush()
        if mode == "liar":
            out({"ev": "connect", "id": cmd["id"], "sid": "made-up", "recovered": False})
