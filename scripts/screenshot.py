"""Screenshots of a running Odoo, through headless Chromium's DevTools protocol.

    python scripts/screenshot.py URL_BASE LOGIN PASSWORD OUT.png PATH [PATH...]

Logs in once (JSON-RPC), then for each PATH (e.g. "/odoo/action-key_account.
res_partner_action_key_account") writes OUT-<n>.png (or OUT.png for one path).
Needs Debian's chromium and the websocket-client package (in Odoo's venv).
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


def login(base, db_login, password):
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "params": {
                "db": os.environ.get("KA_DB", ""),
                "login": db_login,
                "password": password,
            },
        }
    ).encode()
    request = urllib.request.Request(
        base + "/web/session/authenticate",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("session_id="):
                return header.split(";")[0].split("=", 1)[1]
    raise SystemExit("login failed")


class Browser:
    def __init__(self, width=1400, height=900):
        self.profile = tempfile.mkdtemp(prefix="ka-chromium-")
        port = 9300 + os.getpid() % 500
        self.proc = subprocess.Popen(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={self.profile}",
                f"--remote-debugging-port={port}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/json", timeout=2
                ) as r:
                    pages = [t for t in json.load(r) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        self.ws = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], timeout=60
        )
        self.counter = 0

    def call(self, method, **params):
        self.counter += 1
        self.ws.send(
            json.dumps({"id": self.counter, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.counter:
                return message.get("result", {})

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def main():
    base, user, password, out, *paths = sys.argv[1:]
    session = login(base, user, password)
    browser = Browser()
    try:
        browser.call("Network.enable")
        browser.call(
            "Network.setCookie", name="session_id", value=session, url=base, path="/"
        )
        for n, path in enumerate(paths, 1):
            browser.call("Page.navigate", url=base + path)
            time.sleep(float(os.environ.get("KA_SHOT_WAIT", "6")))
            shot = browser.call("Page.captureScreenshot", format="png")
            target = out if len(paths) == 1 else out.replace(".png", f"-{n}.png")
            with open(target, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            print(target)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
