#!/usr/bin/env python3
"""The program console in a real browser: Debian's Chromium driven by selenium (the system
`chromedriver`; nothing downloads a browser) against the local stack.

Everything a program manager does goes through the page. The script calls the API itself only
for what others do: a would-be partner applies, a visitor clicks a partner's link, the
business's backend tracks a lead, a sale and a refund, a webhook receiver answers, and the
scheduled job runs (`POST /local/run-scheduled`, the local stack's trigger of it).

It signs in (a bad token first), approves and rejects applications, changes the default
group's sale reward and sees a new sale's commission follow it, bans a partner and sees their
pending commission canceled, runs and confirms a payout and exports it, sees a refund's
clawback, makes a group with rewards, a discount and a move rule, moves and tags a partner,
creates, uses and revokes an API key, creates a webhook endpoint whose first delivery fails,
re-sends it and rotates its secret, and checks that HTML from partners stays text
(`window.__xss` stays undefined), axe-core on every screen (no serious or critical
violation), the phone width (no horizontal page scroll), the token kept out of URLs and
storage, and that the browser reports no Content-Security-Policy violation. Screenshots go to
target/screenshots/console-*.png. Without Chromium it fails, saying so.

Usage: .venv/bin/python tests/console_browser.py path/to/local-stack-binary [--assets DIR]

`--assets DIR` serves the console's three files from DIR (with the headers the stack gives
its own copies) in front of the stack, to try changes to the page without rebuilding it.
"""
import contextlib
import http.client
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import browser_kit
import local_stack
from browser_kit import ROOT, SHOTS, axe_violations, require_browser

XSS_NAME = '<script>window.__xss=1</script>Mallory'
XSS_ANSWER = '<img src=x onerror="window.__xss=1">'
SCREENS = ["applications", "partners", "setup", "commissions", "payouts", "webhooks", "api-keys"]
CONSOLE_FILES = {
    "/console": "index.html",
    "/console/assets/console.js": "console.js",
    "/console/assets/console.css": "console.css",
}


# ---------------------------------------------------------------- what others do, through the API

def call(base, credential, method, path, body=None, expect=(200, 201), headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if credential:
        request.add_header("authorization", f"Bearer {credential}")
    request.add_header("content-type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    assert status in expect, f"{method} {path}: {status} {raw[:300]!r}"
    return status, (json.loads(raw) if raw and raw[:1] in b"[{" else raw)


def apply(base, key, email, name, **answers):
    """A would-be partner's application, as the business's website submits it."""
    _, answer = call(base, key, "POST", "/v1/affiliate/apply", {"email": email, "name": name, **answers})
    return answer["id"]


def visit(base, short_link):
    """A visitor opens a partner's short link (the local stack answers it at /r/{domain}/{key}):
    the click id the redirect hands the business's site."""
    parsed = urllib.parse.urlparse(short_link)
    return browser_kit.click(f"{base}/r/{parsed.hostname}{parsed.path}")


def customer_buys(base, key, short_link, customer, amount):
    """The business's backend: a signup from the click (a lead), then a sale."""
    click_id = visit(base, short_link)
    call(base, key, "POST", "/track/lead", {"clickId": click_id, "eventName": "Sign up",
                                            "customerExternalId": customer, "customerEmail": f"{customer}@example.com"})
    call(base, key, "POST", "/track/sale", {"customerExternalId": customer, "amount": amount, "currency": "usd",
                                            "paymentProcessor": "stripe", "invoiceId": f"in_{customer}"})


class Receiver:
    """A webhook receiver on a loopback port: answers `statuses` in turn, then 200."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.received.append(json.loads(body or b"{}"))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@contextlib.contextmanager
def console_from(folder, base):
    """Serves the console's files from `folder` with the headers the stack gives its own, and
    passes every other request to the stack: the same origin, as deployed."""
    with urllib.request.urlopen(base + "/console", timeout=10) as response:
        page_headers = {name: response.headers[name] for name in ("content-security-policy", "referrer-policy")}
    upstream = urllib.parse.urlparse(base)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def relay(self):
            path = self.path.split("?")[0]
            if self.command == "GET" and path in CONSOLE_FILES:
                name = CONSOLE_FILES[path]
                with open(os.path.join(folder, name), "rb") as file:
                    body = file.read()
                kind = {"html": "text/html", "js": "text/javascript", "css": "text/css"}[name.rsplit(".", 1)[1]]
                self.send_response(200)
                self.send_header("content-type", f"{kind}; charset=utf-8")
                self.send_header("x-content-type-options", "nosniff")
                self.send_header("cache-control", "no-store")
                if name == "index.html":
                    for header, value in page_headers.items():
                        self.send_header(header, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else None
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
            forwarded = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            connection.request(self.command, self.path, body=body, headers=forwarded)
            answer = connection.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for header, value in answer.getheaders():
                if header.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(header, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            connection.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = relay

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


# ---------------------------------------------------------------- the browser

def driver():
    browser = browser_kit.driver()
    browser.set_script_timeout(60)
    # Amounts and dates as an American manager sees them, whatever the machine's locale.
    browser.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": "en-US"})
    # Before any page script runs: records every policy violation the page meets.
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")})
    return browser


class Page:
    """The console as a person uses it: by what is on screen (the page's data-testid hooks)."""

    def __init__(self, browser, base):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select, WebDriverWait

        self.browser, self.base, self.By, self.Select, self.Wait = browser, base, By, Select, WebDriverWait
        self.logs = []
        self.minor_axe = 0

    def all(self, testid, root=None):
        return (root or self.browser).find_elements(self.By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def one(self, testid, root=None, seconds=15):
        found = []

        def present(_):
            found[:] = [e for e in self.all(testid, root) if e.is_displayed()]
            return bool(found)
        self.until(present, f"[data-testid={testid}] on screen", seconds)
        return found[0]

    def until(self, check, what, seconds=15):
        from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
        try:
            return self.Wait(self.browser, seconds, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(check)
        except TimeoutException:
            alert = self.browser.execute_script("return document.getElementById('alert').textContent")
            raise AssertionError(f"timed out waiting for {what} (page alert: {alert!r}, url: {self.browser.current_url})") from None

    def click(self, testid, root=None):
        element = self.one(testid, root)
        self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()
        return element

    def type(self, testid, value, root=None):
        element = self.one(testid, root)
        element.clear()
        element.send_keys(value)
        return element

    def choose(self, testid, value, root=None):
        self.Select(self.one(testid, root)).select_by_value(value)

    def text(self, testid, root=None):
        return self.one(testid, root).text

    def notice(self, containing, seconds=15):
        self.until(lambda b: containing in b.find_element(self.By.ID, "notice").text, f"a notice with {containing!r}", seconds)
        return self.browser.find_element(self.By.ID, "notice").text

    def go(self, screen):
        """Through the navigation, as a person does."""
        self.click(f"nav-{screen}")
        self.until(lambda b: self.all(f"screen-{screen}"), f"the {screen} screen")
        self.settle()

    def open(self, route):
        self.browser.execute_script("location.hash = arguments[0]", route)
        self.settle()

    def settle(self):
        """Until the screen has stopped loading."""
        self.until(lambda b: not b.execute_script(
            "return [...document.querySelectorAll('#view p.muted')].some(p => p.textContent === 'Loading…')"
            " || !!document.querySelector('[aria-busy=true]')"), "the screen to load")

    def row(self, testid, containing, root=None, seconds=15):
        found = []

        def present(_):
            found[:] = [r for r in self.all(testid, root) if containing in r.text]
            return bool(found)
        self.until(present, f"a {testid} holding {containing!r}", seconds)
        return found[0]

    def confirm(self):
        self.click("confirm-yes")

    def collect_logs(self):
        self.logs.extend(self.browser.get_log("browser"))


def check_axe(page, where):
    """axe-core on what is on screen; fails on a serious or critical violation."""
    page.minor_axe += axe_violations(page.browser, where)


def screenshot(page, name, width=1280, height=None):
    """The page at `width`, from its top, at most 1,400 px of it."""
    browser = page.browser
    tall = height or min(1400, browser.execute_script("return document.documentElement.scrollHeight") + 20)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": tall, "deviceScaleFactor": 1, "mobile": width < 600})
    try:
        if not height:
            tall = min(1400, browser.execute_script("return document.documentElement.scrollHeight"))
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": tall, "deviceScaleFactor": 1, "mobile": width < 600})
        os.makedirs(SHOTS, exist_ok=True)
        path = os.path.join(SHOTS, f"console-{name}.png")
        browser.save_screenshot(path)
        return path
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def phone_fits(page, where):
    browser = page.browser
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        widths = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[2] and widths[1] <= widths[2], f"{where} scrolls sideways at 390 px: {widths}"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def no_xss(page, where):
    assert page.browser.execute_script("return typeof window.__xss") == "undefined", f"HTML from a partner ran on {where}"


# ---------------------------------------------------------------- the scenario

def sign_in(page, demo, passed):
    browser = page.browser
    browser.get(page.base + "/console")
    page.one("signin-token")
    # A token that is not a JWT, then a JWT the API refuses (its signature is not the issuer's).
    page.type("signin-token", "not-a-token")
    page.click("signin-submit")
    page.until(lambda b: "three parts" in page.text("signin-error"), "the malformed token to be refused")
    head, payload, _ = demo["adminToken"].split(".")
    page.type("signin-token", f"{head}.{payload}.c2lnbmF0dXJlLW9mLXNvbWVvbmUtZWxzZQ")
    page.click("signin-submit")
    page.until(lambda b: "refused" in page.text("signin-error"), "the forged token to be refused")
    assert page.all("nav-partners")[0].is_displayed() is False
    check_axe(page, "the sign-in form")
    screenshot(page, "sign-in", height=700)

    page.type("signin-token", demo["adminToken"])
    page.click("signin-submit")
    page.until(lambda b: demo["programId"] in page.text("program-name"), "the program's name after signing in")
    page.settle()
    assert demo["adminToken"] not in browser.current_url, "the token is in the URL"
    stored = browser.execute_script("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")
    assert demo["adminToken"] not in stored, f"the token was stored: {stored[:80]}"
    passed.append("sign-in: a malformed and a refused token are named; the admin token signs in, in no URL and no storage")


def remember_in_cookie(page, demo, passed):
    """'Stay signed in' keeps the token in a session cookie of /console only; sign-out ends it."""
    page.click("sign-out")
    page.one("signin-token")
    page.type("signin-token", demo["adminToken"])
    page.click("signin-remember")
    page.click("signin-submit")
    page.until(lambda b: demo["programId"] in page.text("program-name"), "signing in again")
    cookies = [c for c in page.browser.get_cookies() if c["value"].startswith("eyJ")]
    assert len(cookies) == 1, cookies
    cookie = cookies[0]
    assert cookie["path"] == "/console" and cookie.get("sameSite") == "Strict" and "expiry" not in cookie, cookie
    page.browser.refresh()
    page.until(lambda b: demo["programId"] in page.text("program-name"), "a reload to keep the session")
    page.settle()
    page.click("sign-out")
    page.one("signin-token")
    assert not [c for c in page.browser.get_cookies() if c["value"]], page.browser.get_cookies()
    page.browser.refresh()
    page.one("signin-token")
    page.type("signin-token", demo["adminToken"])
    page.click("signin-submit")
    page.until(lambda b: demo["programId"] in page.text("program-name"), "signing in once more")
    page.settle()
    passed.append("'stay signed in': a session cookie on /console (SameSite=Strict) survives a reload; sign-out deletes it")


def approve_applications(page, passed):
    page.go("applications")
    jane = page.row("application", "Jane Console")
    answers = page.text("application-answers", jane)
    assert "Newsletter with 40,000 readers" in answers, answers
    mallory = page.row("application", "mallory@example.com")
    assert page.text("application-name", mallory) == XSS_NAME, page.text("application-name", mallory)
    assert XSS_ANSWER in page.text("application-answers", mallory)
    no_xss(page, "the applications")
    check_axe(page, "Applications")
    screenshot(page, "applications")

    page.Select(page.one("approve-group", jane)).select_by_visible_text("Default (default)")
    page.type("approve-code", "JANECON", jane)
    page.click("approve", jane)
    text = page.notice("Approved Jane Console")
    assert "JANECON" in text, text
    page.until(lambda b: not [a for a in page.all("application") if "Jane Console" in a.text], "Jane's card to leave the queue")
    mallory = page.row("application", "mallory@example.com")
    page.click("approve", mallory)
    page.notice("Approved <script>")

    sam = page.row("application", "Sam Reject")
    page.choose("reject-reason", "needsMoreDetail", sam)
    page.type("reject-note", "Tell us about your audience", sam)
    page.choose("reject-timeframe", "never", sam)
    page.click("reject", sam)
    page.notice("Rejected Sam Reject")
    page.choose("applications-status", "rejected")
    page.click("applications-filter").find_element(page.By.CSS_SELECTOR, "button[type=submit]").click()
    page.settle()
    sam = page.row("application", "Sam Reject")
    assert "rejected" in sam.text and page.all("approve", sam), sam.text

    page.go("partners")
    page.type("partners-search", "Jane Console")
    page.click("partners-apply")
    page.settle()
    row = page.row("partner-row", "Jane Console")
    assert page.text("partner-row-status", row) == "approved"
    page.type("partners-search", "")
    page.choose("partners-sort", "createdAt")
    page.choose("partners-order", "desc")
    page.click("partners-apply")
    page.settle()
    names = [r.text.split("\n")[0] for r in page.all("partner-row")]
    assert names[:2] == [XSS_NAME, "Jane Console"] and len(names) == 6, names
    no_xss(page, "the partner list")
    passed.append("applications: form answers shown; approved with a group and a code, rejected with a reason, in one click each; the partners appear in the list")


def partner_page(page, name):
    page.go("partners")
    page.type("partners-search", name)
    page.click("partners-apply")
    page.settle()
    row = page.row("partner-row", name)
    partner_id = row.get_attribute("data-id")
    page.click("partner-link", row)
    page.until(lambda b: page.text("partner-name") == name, f"{name}'s page")
    page.settle()
    return partner_id


def change_reward(page, passed):
    page.go("setup")
    group = page.one("group-default")
    reward = page.one("reward-default-sale", group)
    assert "20% of each sale" in page.text("reward-summary", reward), page.text("reward-summary", reward)
    summary = page.one("reward-edit", reward).find_element(page.By.TAG_NAME, "summary")
    summary.click()
    page.type("reward-amount", "30", reward)
    page.type("reward-tooltip", "Paid **monthly** <b>once approved</b>", reward)
    page.click("reward-save", reward)
    page.notice("sale reward of Default is saved")
    reward = page.one("reward-default-sale", page.one("group-default"))
    assert "30% of each sale" in page.text("reward-summary", reward), page.text("reward-summary", reward)
    assert page.text("reward-tooltip-shown", reward) == "Paid **monthly** <b>once approved</b>"
    check_axe(page, "Program setup")
    screenshot(page, "setup")
    passed.append("program setup: the default group's sale reward changed from 20% to 30% (its markdown tooltip kept as text)")


def commission_follows_reward(page, base, demo, passed):
    partner_id = partner_page(page, "Jane Console")
    short_link = page.text("partner-short-link")
    assert short_link.endswith("/janecon"), short_link
    customer_buys(base, demo["apiKey"], short_link, "console-jane-1", 10_000)
    page.go("commissions")
    page.type("commissions-partner", partner_id)
    page.choose("commissions-type", "sale")
    page.click("commissions-apply")
    page.settle()
    row = page.row("commission-row", "Jane Console")
    earnings, status = page.text("commission-earnings", row), page.text("commission-status", row)
    assert (earnings, status) == ("$30.00", "pending"), (earnings, status)
    passed.append("a sale of $100.00 tracked through the API for the approved partner: the commission is $30.00 (the new 30%), pending")
    return partner_id


def ban_cancels_pending(page, partner_id, passed):
    page.open(f"#/partners/{partner_id}")
    page.until(lambda b: page.text("partner-name") == "Jane Console", "Jane's page")
    page.settle()
    check_axe(page, "a partner's page")
    screenshot(page, "partner")
    page.choose("partner-ban-reason", "fraud")
    page.click("partner-ban")
    page.confirm()
    page.notice("is banned")
    page.settle()
    assert page.text("partner-status") == "banned", page.text("partner-status")
    assert "Fraud" in page.text("partner-banned")
    page.click("partner-all-commissions")
    page.until(lambda b: page.all("screen-commissions"), "the commissions screen")
    page.settle()
    row = page.row("commission-row", "Jane Console")
    assert page.text("commission-status", row) == "canceled", page.text("commission-status", row)
    page.choose("commissions-status", "pending")
    page.click("commissions-apply")
    page.settle()
    assert not page.all("commission-row"), "a banned partner still has pending commissions"
    passed.append("ban (reason fraud) from the partner's page: the partner's pending commission is canceled in Commissions")


def payouts_and_refunds(page, base, demo, passed):
    """Holding period 0 and a $10 minimum in Program setup; a sale of the other partner; the
    scheduled job; preview, run, export and confirm; a refund then claws the paid commission back."""
    page.go("setup")
    page.type("settings-min-payout", "10.00")
    page.click("settings-save")
    page.notice("Program settings saved")
    group = page.one("group-default")
    page.one("group-settings-default", group).find_element(page.By.TAG_NAME, "summary").click()
    page.type("group-holding", "0", group)
    page.click("group-save", group)
    page.notice("Default is saved")

    partner_id = partner_page(page, XSS_NAME)
    no_xss(page, "a partner's page")
    customer_buys(base, demo["apiKey"], page.text("partner-short-link"), "console-mallory-1", 5_000)
    call(base, demo["apiKey"], "POST", "/local/run-scheduled", {})

    page.go("payouts")
    page.click("payouts-preview")
    preview = page.row("payout-row", XSS_NAME, page.one("payouts-preview-table"))
    assert page.text("payout-amount", preview) == "$15.00", page.text("payout-amount", preview)
    page.click("payouts-run")
    page.confirm()
    page.notice("1 payout made")
    page.settle()
    row = page.row("payout-row", XSS_NAME, page.one("payouts-table"))
    assert page.text("payout-status", row) == "pending"
    page.choose("export-format", "wise")
    page.click("export-go")
    exported = page.text("export-output")
    assert "mallory@example.com" in exported and "15.00" in exported, exported
    assert page.one("export-download").get_attribute("href").startswith("blob:")
    no_xss(page, "the payouts")
    check_axe(page, "Payouts")
    screenshot(page, "payouts")
    page.click("payout-manage", row)
    page.type("payout-reference", "bank-tx-4711")
    page.click("payout-confirm")
    page.notice("confirmed")
    page.settle()
    row = page.row("payout-row", XSS_NAME, page.one("payouts-table"))
    assert page.text("payout-status", row) == "completed"
    assert "bank-tx-4711" in row.text

    call(base, demo["apiKey"], "POST", "/track/refund", {"invoiceId": "in_console-mallory-1", "amount": 5_000})
    page.open(f"#/commissions?partnerId={partner_id}")
    page.until(lambda b: len(page.all("commission-row")) == 2, "the paid sale and its clawback")
    statuses = sorted((page.text("commission-type", r), page.text("commission-status", r), page.text("commission-earnings", r))
                      for r in page.all("commission-row"))
    assert ("clawback", "pending", "-$15.00") in statuses and ("sale", "paid", "$15.00") in statuses, statuses
    no_xss(page, "the commissions")
    check_axe(page, "Commissions")
    screenshot(page, "commissions")
    passed.append("payouts: preview ($15.00), run, Wise export, confirm with a reference; the refund shows as a -$15.00 clawback")


def open_details(page, testid, root):
    page.one(testid, root).find_element(page.By.TAG_NAME, "summary").click()


def groups_and_partner_tools(page, passed):
    """A new group with a flat lead reward, a non-monetary click reward and a discount; a move
    rule towards it; a refused deletion (the API's message shown); then a partner moved and tagged."""
    page.go("setup")
    page.type("group-new-name", "VIP")
    page.type("group-new-slug", "vip")
    page.type("group-new-holding", "7")
    page.click("group-create")
    page.notice("The group VIP is made")
    page.settle()
    open_details(page, "reward-add-vip", page.one("group-vip"))
    vip = page.one("group-vip")
    page.choose("reward-event", "lead", vip)
    page.choose("reward-type", "flat", vip)
    page.type("reward-amount", "5.00", vip)
    page.click("reward-create", vip)
    page.notice("A lead reward is added to VIP")
    vip = page.one("group-vip")
    assert page.text("reward-summary", page.one("reward-vip-lead", vip)) == "$5.00 for each lead, for the customer's lifetime"
    open_details(page, "reward-add-vip", vip)
    page.choose("reward-event", "click", vip)
    assert page.one("reward-type", vip).get_attribute("value") == "flat", "a click reward cannot be a percentage"
    page.type("reward-amount", "0", vip)
    page.type("reward-description", "A sticker pack for every 100 clicks", vip)
    page.click("reward-create", vip)
    page.notice("A click reward is added to VIP")
    vip = page.one("group-vip")
    click = page.one("reward-vip-click", vip)
    assert page.text("reward-summary", click) == "Non-monetary, for each click: A sticker pack for every 100 clicks"
    open_details(page, "discount-vip", vip)
    page.choose("discount-type", "percentage", vip)
    page.type("discount-amount", "10", vip)
    page.type("discount-duration", "3", vip)
    page.click("discount-save", vip)
    page.notice("The discount of VIP is saved")
    assert page.text("discount-summary", page.one("group-vip")) == "10% off, for 3 months"
    page.click("reward-delete", page.one("reward-vip-click", page.one("group-vip")))
    page.confirm()
    page.notice("The click reward of VIP is deleted")
    assert not page.all("reward-vip-click")

    default = page.one("group-default")
    open_details(page, "moverules-default", default)
    page.click("move-rule-add", default)
    page.choose("move-rule-metric", "totalSaleAmount", default)
    page.type("move-rule-value", "5000.00", default)
    page.Select(page.one("move-rule-target", default)).select_by_visible_text("VIP (vip)")
    page.click("move-rules-save", default)
    page.notice("The move rules of Default are saved")
    rules = page.text("move-rules", page.one("group-default"))
    assert rules == "When sales amount at least $5,000.00: move to VIP", rules

    vip = page.one("group-vip")
    open_details(page, "group-settings-vip", vip)
    page.click("group-delete", vip)
    page.confirm()
    page.until(lambda b: page.one("confirm").find_element(page.By.CSS_SELECTOR, "[role=alert]").text, "the refusal's message")
    refusal = page.one("confirm").find_element(page.By.CSS_SELECTOR, "[role=alert]").text
    assert page.all("group-vip"), "the group was deleted although a move rule targets it"
    check_axe(page, "Program setup, with an error shown")

    partner_page(page, XSS_NAME)
    page.Select(page.one("partner-move-group")).select_by_visible_text("VIP (vip)")
    page.click("partner-move")
    page.notice("is now in VIP")
    page.settle()
    assert page.text("partner-group") == "VIP", page.text("partner-group")
    page.type("partner-tags", "newsletter, vip")
    page.click("partner-tags-save")
    page.notice("Tags of")
    page.settle()
    assert page.text("partner-tags-shown").split("\n") == ["newsletter", "vip"], page.text("partner-tags-shown")
    no_xss(page, "a partner's page")
    passed.append("groups: a new group with a $5.00 lead reward, a non-monetary click reward (then deleted) and a 10% discount; "
                  f"a $5,000.00 move rule towards it; its deletion refused with the API's message ({refusal!r}); a partner moved to it and tagged")


def change_commission(page, passed):
    row = page.row("commission-row", "clawback")
    page.click("commission-edit", row)
    page.choose("commission-new-status", "canceled")
    page.type("commission-note", "Goodwill: not clawed back")
    page.click("commission-save")
    page.notice("is now canceled")
    row = page.row("commission-row", "Goodwill")
    assert page.text("commission-status", row) == "canceled"
    passed.append("a commission's status changed with a note from the Commissions screen")


def api_keys(page, base, demo, passed):
    page.go("api-keys")
    page.type("apikey-name", "Reporting job")
    page.click("apikey-scope-programs.read")
    page.click("apikey-create")
    secret = page.text("secret-value")
    assert secret.startswith("plk_"), secret
    row = page.row("apikey-row", "Reporting job")
    assert secret not in row.text and page.text("apikey-state", row) == "active"
    status, answer = call(base, secret, "GET", f"/programs/{demo['programId']}")
    assert status == 200 and answer["id"] == demo["programId"], answer
    check_axe(page, "API keys")
    screenshot(page, "api-keys")
    page.click("apikey-revoke", row)
    page.confirm()
    page.notice("is revoked")
    page.until(lambda b: page.text("apikey-state", page.row("apikey-row", "Reporting job")) == "revoked", "the key to show revoked")
    assert not page.all("secret-value"), "the secret is still on screen after the list changed"
    status, answer = call(base, secret, "GET", f"/programs/{demo['programId']}", expect=(401,))
    assert answer["error"]["code"] == "unauthorized", answer
    passed.append("API key: created with one scope, its secret shown once and accepted by the API; revoked in the console, then refused (401)")


def webhooks(page, passed):
    receiver = Receiver([410])
    try:
        page.go("webhooks")
        page.type("webhook-url", receiver.url)
        page.click("webhook-create")
        first = page.text("secret-value")
        assert first.startswith("whsec_"), first
        card = page.row("webhook", receiver.url)
        page.click("webhook-test", card)
        page.notice("webhook.test")
        page.until(lambda b: receiver.received, "the test event at the receiver", 30)
        # The receiver answered 410: the endpoint is disabled and the delivery failed.
        deadline = time.time() + 30
        while True:
            page.go("webhooks")
            card = page.row("webhook", receiver.url)
            if page.text("webhook-state", card) == "disabled" or time.time() > deadline:
                break
            time.sleep(0.5)
        assert page.text("webhook-state", card) == "disabled"
        page.one("webhook-deliveries", card).find_element(page.By.TAG_NAME, "summary").click()
        failed = page.row("delivery-row", "webhook.test", card)
        assert failed.get_attribute("data-state") == "failed", failed.text
        assert "410" in failed.text
        page.click("webhook-toggle", card)
        page.notice("is enabled")
        card = page.row("webhook", receiver.url)
        page.one("webhook-deliveries", card).find_element(page.By.TAG_NAME, "summary").click()
        page.click("delivery-resend", page.row("delivery-row", "webhook.test", card))
        page.notice("sent again")
        page.until(lambda b: len(receiver.received) >= 2, "the re-sent event at the receiver", 30)
        deadline = time.time() + 30
        while True:
            page.click("deliveries-refresh", card)
            page.settle()
            row = page.row("delivery-row", "webhook.test", card)
            if row.get_attribute("data-state") == "succeeded" or time.time() > deadline:
                break
            time.sleep(0.5)
        assert row.get_attribute("data-state") == "succeeded", row.text
        page.click("webhook-rotate", card)
        page.confirm()
        second = page.text("secret-value", page.row("webhook", receiver.url))
        assert second.startswith("whsec_") and second != first, (first, second)
        check_axe(page, "Webhooks")
        screenshot(page, "webhooks")
    finally:
        receiver.close()
    passed.append("webhooks: endpoint created (secret shown once); a 410 disabled it and failed the delivery; enabled, re-sent, succeeded; secret rotated")


def phone(page, passed):
    for screen in SCREENS:
        page.go(screen)
        phone_fits(page, screen)
    page.go("partners")
    screenshot(page, "phone", width=390, height=844)
    passed.append(f"390 px wide: no horizontal page scroll on the {len(SCREENS)} screens")


def keyboard(page, passed):
    """The navigation is reached by Tab and followed with Enter; focus moves to the new heading."""
    from selenium.webdriver.common.keys import Keys
    page.go("applications")
    page.browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    reached = None
    for _ in range(20):
        page.browser.switch_to.active_element.send_keys(Keys.TAB)
        active = page.browser.switch_to.active_element
        if active.get_attribute("data-testid") == "nav-payouts":
            reached = active
            break
    assert reached is not None, "Tab does not reach the navigation"
    outline = page.browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", reached)
    assert outline != "none", "the focused link shows no outline"
    reached.send_keys(Keys.ENTER)
    page.until(lambda b: page.all("screen-payouts"), "Enter to open Payouts")
    page.until(lambda b: b.switch_to.active_element.get_attribute("data-testid") == "screen-title", "focus on the new heading")
    page.settle()
    passed.append("keyboard: Tab reaches the navigation (with a visible outline), Enter opens the screen and focus moves to its heading")


def console_clean(page):
    violations = page.browser.execute_script("return window.__csp || []")
    page.collect_logs()
    reported = [entry["message"] for entry in page.logs
                if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]
    assert not violations and not reported, f"policy violations: {violations} {reported}"
    errors = [entry["message"] for entry in page.logs if entry["level"] == "SEVERE"
              and not re.search(r" - Failed to load resource: the server responded with a status of (401|404|409|410|422)", entry["message"])]
    assert not errors, f"browser console errors: {errors}"


def main():
    args = sys.argv[1:]
    assets = None
    if "--assets" in args:
        at = args.index("--assets")
        assets = args[at + 1]
        del args[at:at + 2]
    if len(args) != 1:
        print(__doc__.split("\n\n")[-2])
        sys.exit(2)
    require_browser()
    with contextlib.suppress(FileNotFoundError):
        os.remove(os.path.join(SHOTS, "console-failure.png"))
    passed = []
    with local_stack.running(args[0], "partnerline-console-") as (stack, demo, _):
        with (console_from(assets, stack) if assets else contextlib.nullcontext(stack)) as base:
            with urllib.request.urlopen(base + "/console", timeout=10) as response:
                policy = response.headers["content-security-policy"]
            assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, policy
            key = demo["apiKey"]
            apply(base, key, "jane.console@example.com", "Jane Console", company="Console Media",
                  website="https://jane.example.com", reason="Newsletter with 40,000 readers")
            apply(base, key, "mallory@example.com", XSS_NAME, company=XSS_ANSWER, reason=XSS_ANSWER)
            apply(base, key, "sam@example.com", "Sam Reject")
            # Partners the business's backend enrolls itself (Dub's create-or-enroll).
            for name, country in (("Ana Silva", "BR"), ("Kenji Sato", "JP"), ("Priya Patel", "IN")):
                call(base, key, "POST", "/partners", {"name": name, "email": f"{name.split()[0].lower()}@example.com",
                                                     "country": country, "tenantId": f"user-{country.lower()}"})
            browser = driver()
            page = Page(browser, base)
            try:
                sign_in(page, demo, passed)
                approve_applications(page, passed)
                change_reward(page, passed)
                jane = commission_follows_reward(page, base, demo, passed)
                ban_cancels_pending(page, jane, passed)
                payouts_and_refunds(page, base, demo, passed)
                change_commission(page, passed)
                groups_and_partner_tools(page, passed)
                api_keys(page, base, demo, passed)
                webhooks(page, passed)
                page.go("partners")
                no_xss(page, "the partner list")
                page.Select(page.one("partners-group")).select_by_visible_text("Default (default)")
                page.choose("partners-sort", "totalSaleAmount")
                page.click("partners-apply")
                page.settle()
                # The filtered list replaces the rows when its answer arrives, which can be just
                # after the screen reads as settled: wait for the five, then hold them to it.
                page.until(lambda b: len(page.all("partner-row")) == 5, "the five Default partners")
                assert len(page.all("partner-row")) == 5, [r.text for r in page.all("partner-row")]
                check_axe(page, "Partners")
                screenshot(page, "partners")
                remember_in_cookie(page, demo, passed)
                keyboard(page, passed)
                phone(page, passed)
                no_xss(page, "every screen")
                passed.append("HTML in a partner's name and answers shown as text on every screen: window.__xss is undefined")
                passed.append(f"axe-core: no serious or critical violation on the sign-in form, the {len(SCREENS)} screens and a "
                              f"partner's page ({page.minor_axe} moderate or minor)")
                console_clean(page)
                passed.append("no Content-Security-Policy violation and no script error in the browser's console")
            except Exception:
                with contextlib.suppress(Exception):
                    path = os.path.join(SHOTS, "console-failure.png")
                    os.makedirs(SHOTS, exist_ok=True)
                    browser.save_screenshot(path)
                    print(f"screenshot of the failure: {path}")
                raise
            finally:
                browser.quit()
    print("Program console in Chromium:")
    for line in passed:
        print(f"  OK {line}")
    print(f"  screenshots: {os.path.relpath(SHOTS, ROOT)}/console-*.png")


if __name__ == "__main__":
    main()
