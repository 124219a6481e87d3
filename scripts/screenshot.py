"""Screenshots of a running Odoo, through headless Chromium's DevTools protocol.

    python scripts/screenshot.py URL_BASE LOGIN PASSWORD OUTDIR NAME=PATH [...]

Logs in once (JSON-RPC), then for each NAME=PATH (e.g. "kanban=/odoo/action-
key_account.res_partner_action_key_account") waits for the view to be drawn
and writes OUTDIR/NAME.png. A PATH may end with "|click:CSS" to click an
element (a notebook tab, a pivot header) before the shot.
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


READY = """
(() => {
    if (location.pathname.startsWith("/report/")) {
        return document.readyState === "complete";
    }
    const view = document.querySelector(
        ".o_action_manager .o_view_controller, .o_action_manager .o_form_view"
    );
    return Boolean(view) && !document.querySelector(".o_loading_indicator, .o_blockUI");
})()
"""


def wait_ready(browser, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        result = browser.call("Runtime.evaluate", expression=READY)
        if result.get("result", {}).get("value"):
            return True
        time.sleep(0.3)
    return False


def main():
    base, user, password, outdir, *shots = sys.argv[1:]
    session = login(base, user, password)
    browser = Browser()
    try:
        browser.call("Network.enable")
        browser.call(
            "Network.setCookie", name="session_id", value=session, url=base, path="/"
        )
        for shot_spec in shots:
            name, path = shot_spec.split("=", 1)
            path, _sep, click = path.partition("|click:")
            browser.call("Page.navigate", url=base + path)
            time.sleep(1)
            if not wait_ready(browser):
                print(f"{name}: the view did not finish loading", file=sys.stderr)
            if click:
                browser.call(
                    "Runtime.evaluate",
                    expression=f"document.querySelector({json.dumps(click)}).click()",
                )
                time.sleep(1)
                wait_ready(browser)
            time.sleep(float(os.environ.get("KA_SHOT_WAIT", "1.5")))
            # the bus's "page out of date" warnings of a freshly started server
            browser.call(
                "Runtime.evaluate",
                expression="document.querySelectorAll('.o_notification')"
                ".forEach((n) => n.remove())",
            )
            shot = browser.call("Page.captureScreenshot", format="png")
            target = os.path.join(outdir, f"{name}.png")
            with open(target, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            print(target)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
