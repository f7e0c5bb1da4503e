#!/usr/bin/env python3
"""The embedded referral dashboard in a real browser: Debian's Chromium driven by selenium
(the system `chromedriver`; nothing downloads a browser) against the local stack.

It makes a group with a 20 % sale reward (its tooltip holds a link, a `javascript:` link and
HTML), a non-monetary lead reward and a discount; a partner whose name holds HTML; a click on
its link, a lead and a sale. Then, through tokens from `POST /tokens/embed/referrals` (the Dub
SDK's `embed_tokens.referrals`), it opens the page and checks what is on screen, that a token
works once, that only an allowed origin may frame the page, that HTML shows as text, axe-core
(no serious or critical violation), keyboard reach, phone width, and saves screenshots to
target/screenshots/. Without Chromium it fails, saying so.

Usage: .venv/bin/python tests/embed_browser.py path/to/local-stack-binary
"""
import contextlib
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import local_stack
from browser_kit import SHOTS, axe_violations, click, driver, policy_violations, require_browser

THEME = "#0b57d0"
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'


def call(base, key, method, path, body=None, expect=(200, 201)):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if key:
        request.add_header("authorization", f"Bearer {key}")
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    assert status in expect, f"{method} {path}: {status} {raw[:300]!r}"
    return json.loads(raw) if raw else None


def setup(base, demo, allowed_origin):
    """The program's embed settings (only `allowed_origin` may frame the page); a group with
    the rewards and discount, a partner in it, a click, a lead and a sale."""
    key, program = demo["apiKey"], demo["programId"]
    call(base, key, "PATCH", f"/programs/{program}",
         {"settings": {"embedAllowedOrigins": [allowed_origin], "embedThemeColor": THEME}})
    group = call(base, key, "POST", f"/programs/{program}/groups",
                 {"name": "Embed", "slug": "embed", "holdingPeriodDays": 30})
    rewards = f"/programs/{program}/groups/{group['id']}/rewards"
    tooltip = ("Paid every month. Read the [terms](https://example.com/terms).\n\n"
               f"- never [this](javascript:alert(1))\n- {XSS}")
    call(base, key, "POST", rewards, {"event": "sale", "type": "percentage", "amountInPercentage": 20,
                                      "maxDuration": 12, "tooltip": tooltip})
    call(base, key, "POST", rewards, {"event": "lead", "type": "flat", "amountInCents": 0,
                                      "description": "500 free credits for every signup you refer"})
    call(base, key, "PUT", f"/programs/{program}/groups/{group['id']}/discount",
         {"amount": 25, "type": "percentage", "maxDuration": 3})
    partner = call(base, key, "POST", "/partners",
                   {"email": "embed@example.com", "name": f"Jo {XSS}", "tenantId": "embed-1", "groupId": group["id"]})
    links = call(base, key, "GET", f"/partners/links?partnerId={partner['id']}")
    link = links[0]
    short = f"{base}/r/{link['domain']}/{link['key']}"
    click_id = click(short)
    call(base, key, "POST", "/track/lead", {"clickId": click_id, "eventName": "Sign up",
                                           "customerExternalId": "cust-embed", "customerName": "Ana Buyer",
                                           "customerEmail": "ana@example.com"})
    call(base, key, "POST", "/track/sale", {"customerExternalId": "cust-embed", "amount": 5000, "currency": "usd",
                                           "paymentProcessor": "stripe", "invoiceId": "inv-embed-1"})
    return partner, link


def public_token(base, key, partner_id):
    return call(base, key, "POST", "/tokens/embed/referrals", {"partnerId": partner_id})["publicToken"]


def wait_state(browser, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        state = browser.execute_script("return document.body && document.body.dataset.state")
        if state in ("ready", "error"):
            return state
        time.sleep(0.1)
    return browser.execute_script("return document.body && document.body.dataset.state")


def text(browser, testid):
    from selenium.webdriver.common.by import By
    return browser.find_element(By.CSS_SELECTOR, f"[data-testid={testid}]").text


def texts(browser, testid):
    from selenium.webdriver.common.by import By
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, f"[data-testid={testid}]")]


def check_page(browser, base, partner, link):
    from selenium.webdriver.common.by import By
    assert "token=" not in browser.current_url, browser.current_url
    brand = browser.execute_script(
        "return getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()")
    assert brand.lower() == THEME, f"the theme colour is {brand!r}"
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=referral-link]").get_attribute("value") == \
        f"https://{link['domain']}/{link['key']}"
    rewards = texts(browser, "reward")
    assert "Earn 20% for each sale, for 12 months" in rewards, rewards
    assert "500 free credits for every signup you refer" in rewards, rewards
    assert text(browser, "discount") == "Referred users get 25% off for the first 3 months"
    assert text(browser, "partner-name") == f"Signed in as Jo {XSS}", text(browser, "partner-name")
    for summary in browser.find_elements(By.TAG_NAME, "summary"):
        summary.click()
    tooltip = browser.find_element(By.CSS_SELECTOR, "[data-testid=reward-tooltip]")
    anchors = tooltip.find_elements(By.TAG_NAME, "a")
    assert [a.get_attribute("href") for a in anchors] == ["https://example.com/terms"], [a.get_attribute("href") for a in anchors]
    assert XSS in tooltip.text and "this" in tooltip.text, tooltip.text
    assert browser.execute_script("return window.__xss") is None, "HTML from the API ran"
    assert not browser.find_elements(By.CSS_SELECTOR, "main script, main img[src=x], header script")
    # 20 % of the $50.00 sale; the non-monetary lead earns nothing.
    assert text(browser, "earnings-total") == "$10.00", text(browser, "earnings-total")
    assert text(browser, "earnings-pending") == "$10.00"
    assert int(text(browser, "total-clicks")) >= 1, text(browser, "total-clicks")
    assert text(browser, "total-leads") == "1" and text(browser, "total-sales") == "1"
    rows = texts(browser, "commission-row")
    assert any("Ana Buyer" in row and "$10.00" in row and "$50.00" in row for row in rows), rows
    qr = browser.find_element(By.CSS_SELECTOR, "[data-testid=qr]")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", qr) > 0


def check_keyboard(browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.common.by import By
    browser.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    # A click on the heading puts the start of Tab's walk at the top of the page.
    browser.find_element(By.CSS_SELECTOR, "[data-testid=program-name]").click()
    reached = []
    for _ in range(6):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        reached.append(browser.execute_script("return document.activeElement.dataset.testid || document.activeElement.tagName"))
        if reached[-1] == "copy-button":
            return
    raise AssertionError(f"the copy button is not reached by the keyboard: {reached}")


@contextlib.contextmanager
def host_server(host):
    """A folder served over HTTP on a free port of the loopback, reached as `host`: the pages
    of a business's site. Yields the folder and the site's origin."""
    folder = tempfile.mkdtemp(prefix="partnerline-host-")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=folder, **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield folder, f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


def framed_state(browser, url):
    from selenium.webdriver.common.by import By
    browser.get(url)
    frame = browser.find_element(By.ID, "embed")
    time.sleep(0.5)
    browser.switch_to.frame(frame)
    try:
        return wait_state(browser, seconds=6)
    finally:
        browser.switch_to.default_content()


def host_page(folder, name, embed_url):
    """A page of the business's site framing the dashboard; its path on the site."""
    with open(os.path.join(folder, name), "w", encoding="utf-8") as page:
        page.write(f'<!doctype html><html lang="en"><title>Host</title>'
                   f'<link rel="icon" href="data:,"><iframe id="embed" '
                   f'title="Referral dashboard" src="{embed_url}" width="900" height="700"></iframe></html>')
    return "/" + name


def main():
    require_browser()
    binary = sys.argv[1]
    os.makedirs(SHOTS, exist_ok=True)
    passed = []
    # Origin A (allowed) is 127.0.0.1; origin B (not allowed) is localhost on another port.
    with local_stack.running(binary, "partnerline-embed-") as (base, demo, _data), \
            host_server("127.0.0.1") as (folder_a, origin_a), host_server("localhost") as (folder_b, origin_b):
        key = demo["apiKey"]
        partner, link = setup(base, demo, origin_a)
        # The SDK parses our answer (its model requires publicToken and expires).
        from dub import Dub
        sdk_token = Dub(token=key, server_url=base).embed_tokens.referrals(request={"partner_id": partner["id"]})
        assert sdk_token.public_token.startswith("pet_") and sdk_token.expires, sdk_token
        passed.append("the Dub SDK parses the embed token")
        # Wait until the click is counted (the local stack sends buffered clicks after 1 s).
        deadline = time.time() + 20
        while True:
            counted = call(base, key, "GET", f"/analytics?event=clicks&partnerId={partner['id']}&interval=24h")
            if counted.get("clicks", 0) >= 1:
                break
            assert time.time() < deadline, f"the click was not counted: {counted}"
            time.sleep(0.5)
        browser = driver()
        try:
            token = public_token(base, key, partner["id"])
            browser.get(f"{base}/embed/referrals?token={token}")
            assert wait_state(browser) == "ready", text(browser, "error")
            check_page(browser, base, partner, link)
            passed.append("link, QR, rewards, tooltip links, discount, earnings, 30-day totals, referral row")
            passed.append("HTML from the API shown as text")
            violations = axe_violations(browser, "the dashboard")
            passed.append(f"axe-core: no serious or critical violation ({violations} minor)")
            browser.execute_script("window.scrollTo(0, 0)")
            browser.save_screenshot(os.path.join(SHOTS, "embed-desktop.png"))
            browser.set_window_size(390, 844)
            time.sleep(0.3)
            overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"the page scrolls sideways at phone width by {overflow} px"
            browser.save_screenshot(os.path.join(SHOTS, "embed-phone.png"))
            passed.append("no horizontal scroll at 390 px")
            browser.set_window_size(1280, 900)
            check_keyboard(browser)
            passed.append("the copy button is reached by Tab")
            policy_violations(browser, "the dashboard")

            # The same token again: traded already.
            browser.get(f"{base}/embed/referrals?token={token}")
            assert wait_state(browser) == "error", "a token worked twice"
            assert "expired or was already used" in text(browser, "error")
            policy_violations(browser, "the expired page")
            passed.append("a token works once")

            # Only the program's origins may frame it, each load with a fresh token.
            framed = {}
            for name, folder, origin in (("allowed", folder_a, origin_a), ("other", folder_b, origin_b)):
                embed = f"{base}/embed/referrals?token={public_token(base, key, partner['id'])}"
                framed[name] = framed_state(browser, origin + host_page(folder, f"{name}.html", embed))
            assert framed["allowed"] == "ready", f"the allowed origin {origin_a} could not frame the page: {framed}"
            assert framed["other"] not in ("ready", "error"), f"{origin_b}, not allowed, framed the page: {framed}"
            # Refused by the page's frame-ancestors (not by a failed load), and by nothing else.
            logs = [entry["message"] for entry in browser.get_log("browser")]
            assert any("frame-ancestors" in m for m in logs), f"no frame-ancestors refusal logged: {logs}"
            blocked = [m for m in logs if "Content Security Policy" in m and "frame-ancestors" not in m]
            assert not blocked, f"CSP violations while framed: {blocked}"
            passed.append(f"framed by {origin_a} only ({origin_b} refused)")
        finally:
            browser.quit()
    passed.append("no CSP violation in the console")
    print("embed_browser: " + "; ".join(passed) + f"; screenshots in {os.path.normpath(SHOTS)}")


if __name__ == "__main__":
    main()
