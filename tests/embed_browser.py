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

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
AXE = os.path.join(ROOT, "tests", "browser", "node_modules", "axe-core", "axe.min.js")
SHOTS = os.path.join(ROOT, "target", "screenshots")
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'


def require_browser():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
    if missing or not os.path.exists(AXE):
        print(f"FAIL: the browser tests need Debian's chromium and chromium-driver and axe-core "
              f"(tests/run installs them); missing: {', '.join(missing + ([AXE] if not os.path.exists(AXE) else []))}")
        sys.exit(1)


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


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def click(short_link):
    """A visit of the short link; the click id the redirect put on the destination URL."""
    request = urllib.request.Request(short_link, headers={
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0 Safari/537.36"})
    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
        raise AssertionError("the short link did not redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code in (301, 302, 307), redirect.code
        query = urllib.parse.parse_qs(urllib.parse.urlparse(redirect.headers["location"]).query)
    return query["dub_id"][0]


def setup(base, demo):
    """A group with the rewards and discount, a partner in it, a click, a lead and a sale."""
    key, program = demo["apiKey"], demo["programId"]
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


def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='partnerline-chromium-')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


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


def check_axe(browser, where):
    browser.execute_script(open(AXE, encoding="utf-8").read())
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));")
    assert isinstance(result, list), result
    serious = [v for v in result if v.get("impact") in ("serious", "critical")]
    for violation in serious:
        print(f"  axe {violation['impact']}: {violation['id']}: {violation['help']} "
              f"({[n['target'] for n in violation['nodes']][:3]})")
    assert not serious, f"axe-core found {len(serious)} serious or critical violations on {where}"
    return len(result)


def check_keyboard(browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    browser.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    for _ in range(8):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.execute_script("return document.activeElement.dataset.testid") == "copy-button":
            return
    raise AssertionError("the copy button is not reached by the keyboard")


def no_csp_violations(browser):
    logs = browser.get_log("browser")
    blocked = [entry["message"] for entry in logs if "Content Security Policy" in entry["message"]]
    assert not blocked, blocked


@contextlib.contextmanager
def host_server():
    """A folder served over HTTP on a free loopback port: the pages of the business's site."""
    folder = tempfile.mkdtemp(prefix="partnerline-host-")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=folder, **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield folder, server.server_address[1]
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


def main():
    require_browser()
    binary = sys.argv[1]
    os.makedirs(SHOTS, exist_ok=True)
    with local_stack.running(binary, "partnerline-embed-") as (base, demo, _data):
        key = demo["apiKey"]
        partner, link = setup(base, demo)
        # The SDK parses our answer (its model requires publicToken and expires).
        from dub import Dub
        sdk_token = Dub(token=key, server_url=base).embed_tokens.referrals(request={"partner_id": partner["id"]})
        assert sdk_token.public_token.startswith("pet_") and sdk_token.expires, sdk_token
        # Wait until the click is counted (the local stack sends buffered clicks after 1 s).
        deadline = time.time() + 20
        while time.time() < deadline:
            counted = call(base, key, "GET", f"/analytics?event=clicks&partnerId={partner['id']}&interval=24h")
            if counted.get("clicks", 0) >= 1:
                break
            time.sleep(0.5)
        browser = driver()
        try:
            token = public_token(base, key, partner["id"])
            browser.get(f"{base}/embed/referrals?token={token}")
            assert wait_state(browser) == "ready", text(browser, "error")
            check_page(browser, base, partner, link)
            violations = check_axe(browser, "the dashboard")
            check_keyboard(browser)
            browser.save_screenshot(os.path.join(SHOTS, "embed-desktop.png"))
            browser.set_window_size(390, 844)
            time.sleep(0.3)
            overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"the page scrolls sideways at phone width by {overflow} px"
            browser.save_screenshot(os.path.join(SHOTS, "embed-phone.png"))
            browser.set_window_size(1280, 900)
            no_csp_violations(browser)

            # The same token again: traded already.
            browser.get(f"{base}/embed/referrals?token={token}")
            assert wait_state(browser) == "error", "a token worked twice"
            assert "expired or was already used" in text(browser, "error")

            # Only the program's origins may frame it: one server of host pages, reached as
            # 127.0.0.1 (the allowed origin) and as localhost (another origin, same port).
            served = []
            with host_server() as (folder, port):
                allowed = f"http://127.0.0.1:{port}"
                call(base, key, "PATCH", f"/programs/{demo['programId']}",
                     {"settings": {"embedAllowedOrigins": [allowed], "embedThemeColor": "#0b57d0"}})
                for name, host in (("allowed", "127.0.0.1"), ("other", "localhost")):
                    embed = f"{base}/embed/referrals?token={public_token(base, key, partner['id'])}"
                    with open(os.path.join(folder, f"{name}.html"), "w") as page:
                        page.write(f'<!doctype html><html lang="en"><title>Host</title><iframe id="embed" '
                                   f'title="Referral dashboard" src="{embed}" width="900" height="700"></iframe></html>')
                    served.append((name, framed_state(browser, f"http://{host}:{port}/{name}.html")))
            assert served[0] == ("allowed", "ready"), served
            assert served[1][1] != "ready", f"an origin not allowed framed the page: {served}"
        finally:
            browser.quit()
    print(f"embed_browser: the dashboard showed the link, rewards, earnings, chart and referral; "
          f"HTML stayed text; a token worked once; framed by the allowed origin only; "
          f"axe-core: no serious or critical violation ({violations} other); screenshots in {SHOTS}")


if __name__ == "__main__":
    main()
