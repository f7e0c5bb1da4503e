#!/usr/bin/env python3
"""The program console in a real browser: Debian's Chromium driven by selenium (the system
`chromedriver`; nothing downloads a browser) against the local stack.

Through the console's screens only (the API is called directly only for what outside actors
do: a would-be partner applies, the business's backend reports a lead and a sale, another
program calls with a key), it signs in with the admin token, approves an application and finds
the partner in the list, raises the default group's sale reward and sees the next sale's
commission follow it, bans the partner and sees the pending commission canceled, creates an
API key and revokes it, and sees a call with the key refused. HTML in an application stays
text. axe-core runs on every screen (no serious or critical violation), screenshots go to
target/screenshots/console-*.png. Without Chromium it fails, saying so.

Usage: .venv/bin/python tests/console_browser.py path/to/local-stack-binary
"""
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import local_stack
from browser_kit import SHOTS, axe_violations, click, driver, policy_violations, require_browser

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'


def call(base, key, method, path, body=None, header="authorization"):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header(header, key if header != "authorization" else f"Bearer {key}")
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Console:
    def __init__(self, browser, base):
        self.browser, self.base = browser, base

    def find(self, css, within=None):
        from selenium.webdriver.common.by import By
        return (within or self.browser).find_element(By.CSS_SELECTOR, css)

    def all(self, css, within=None):
        from selenium.webdriver.common.by import By
        return (within or self.browser).find_elements(By.CSS_SELECTOR, css)

    def wait_ready(self, screen=None, seconds=15):
        deadline = time.time() + seconds
        while time.time() < deadline:
            state, shown = self.browser.execute_script("return [document.body.dataset.state, document.body.dataset.screen]")
            if state == "ready" and (screen is None or shown == screen):
                return
            if state == "error":
                raise AssertionError(f"the console shows an error: {self.find('[data-testid=alert]').text}")
            time.sleep(0.1)
        raise AssertionError(f"the {screen} screen did not load")

    def go(self, screen):
        self.find(f"[data-testid=nav-{screen}]").click()
        self.wait_ready(screen)

    def reload(self, screen):
        # Leave and come back: the screen reads the API again.
        other = "keys" if screen != "keys" else "webhooks"
        self.go(other)
        self.go(screen)

    def wait_notice(self, text, seconds=10):
        deadline = time.time() + seconds
        while time.time() < deadline:
            alert = self.find("[data-testid=alert]")
            if alert.is_displayed() and alert.text:
                raise AssertionError(f"the console refused: {alert.text}")
            if text in self.find("#notice").text:
                return
            time.sleep(0.1)
        raise AssertionError(f"no notice `{text}`")

    def shoot(self, name):
        self.browser.save_screenshot(os.path.join(SHOTS, f"console-{name}.png"))


def sign_in(console, token):
    browser = console.browser
    browser.get(console.base + "/console")
    deadline = time.time() + 10
    while browser.execute_script("return document.body.dataset.state") != "signed-out" and time.time() < deadline:
        time.sleep(0.1)
    console.find("[data-testid=token]").send_keys(token)
    console.shoot("sign-in")
    console.find("[data-testid=sign-in]").click()
    console.wait_ready("applications")
    assert token not in browser.current_url and "token" not in browser.current_url, browser.current_url


def approve(console, name_part):
    from selenium.webdriver.support.ui import Select
    card = next(card for card in console.all("[data-testid=application]") if name_part in card.text)
    assert XSS in card.text, card.text
    group = Select(console.find("[data-testid=approve-group]", card))
    group.select_by_visible_text(next(o.text for o in group.options if "efault" in o.text))
    console.find("[data-testid=approve]", card).click()
    console.wait_notice("approved")
    console.wait_ready("applications")


def raise_sale_reward(console, percent):
    card = console.find("[data-testid=group][data-slug=default]")
    reward = console.find("[data-testid=reward][data-event=sale]", card)
    console.find("summary", reward).click()
    amount = console.find("[data-testid=reward-amount]", reward)
    amount.clear()
    amount.send_keys(str(percent))
    console.shoot("setup")
    console.find("[data-testid=save-reward]", reward).click()
    console.wait_notice("Reward saved.")
    console.wait_ready("setup")
    card = console.find("[data-testid=group][data-slug=default]")
    summary = console.find("[data-testid=reward][data-event=sale] summary", card).text
    assert summary.startswith(f"sale: {percent}%"), summary


def commission_rows(console, name_part):
    return [row.text for row in console.all("[data-testid=commission-row]") if name_part in row.text]


def main():
    require_browser()
    binary = sys.argv[1]
    with local_stack.running(binary, "partnerline-console-") as (base, demo, _data):
        key, program = demo["apiKey"], demo["programId"]
        browser = driver()
        console = Console(browser, base)
        try:
            sign_in(console, demo["adminToken"])

            # A would-be partner applies; the manager approves; the partner is in the list.
            status, applied = call(base, key, "POST", "/v1/affiliate/apply",
                                   {"email": "ann@example.com", "name": f"Ann {XSS}", "company": "Ann Co",
                                    "reason": f"My audience {XSS}"}, header="x-api-key")
            assert status == 201, applied
            console.reload("applications")
            axe_violations(browser, "applications")
            console.shoot("applications")
            approve(console, "Ann")
            assert browser.execute_script("return window.__xss") is None, "HTML from the API ran"
            console.go("partners")
            rows = [row.text for row in console.all("[data-testid=partner-row]")]
            assert any(f"Ann {XSS}" in row and "approved" in row for row in rows), rows
            axe_violations(browser, "partners")
            console.shoot("partners")
            status, found = call(base, key, "GET", "/partners?email=ann%40example.com")
            ann = found[0]["id"]

            # The default group's sale reward goes from 20 % to 30 %; the next sale earns 30 %.
            console.go("setup")
            axe_violations(browser, "program setup")
            raise_sale_reward(console, 30)
            status, links = call(base, key, "GET", f"/partners/links?partnerId={ann}")
            short = f"{base}/r/{links[0]['domain']}/{links[0]['key']}"
            click_id = click(short)
            status, lead = call(base, key, "POST", "/track/lead", {"clickId": click_id, "eventName": "Sign up",
                                                                  "customerExternalId": "ann-customer", "customerName": "Bea"})
            assert status == 200, lead
            status, sale = call(base, key, "POST", "/track/sale", {"customerExternalId": "ann-customer", "amount": 10000,
                                                                  "currency": "usd", "paymentProcessor": "stripe",
                                                                  "invoiceId": "inv-console-1"})
            assert status == 200, sale
            console.go("commissions")
            rows = commission_rows(console, "Ann")
            assert any("sale" in row and "$30.00" in row and "pending" in row for row in rows), rows
            axe_violations(browser, "commissions")
            console.shoot("commissions")

            # Ban Ann from her page: her pending commission is canceled.
            console.go("partners")
            next(link for link in console.all("[data-testid=partner-link]") if "Ann" in link.text).click()
            console.wait_ready("partner")
            axe_violations(browser, "a partner's page")
            console.shoot("partner")
            from selenium.webdriver.support.ui import Select
            Select(console.find("[data-testid=ban-reason]")).select_by_value("fraud")
            console.find("[data-testid=ban]").click()
            console.wait_notice("Ban: done.")
            console.wait_ready("partner")
            console.go("commissions")
            rows = commission_rows(console, "Ann")
            assert rows and all("canceled" in row for row in rows if "$30.00" in row), rows

            # An API key: made (shown once), works, revoked, refused.
            console.go("keys")
            axe_violations(browser, "API keys")
            console.find("[data-testid=key-name]").send_keys("Console test key")
            console.find("[data-testid=create-key]").click()
            deadline = time.time() + 10
            while not console.all("[data-testid=new-key-value]") and time.time() < deadline:
                time.sleep(0.1)
            made = console.find("[data-testid=new-key-value]").text
            assert made.startswith("plk_"), made
            console.shoot("keys")
            assert call(base, made, "GET", f"/programs/{program}")[0] == 200
            console.find("[data-testid=revoke-key][data-name='Console test key']").click()
            console.wait_notice("revoked")
            status, refused = call(base, made, "GET", f"/programs/{program}")
            assert status == 401, (status, refused)

            # Payouts: a preview of a run (nothing is payable yet: the holding period).
            console.go("payouts")
            console.find("[data-testid=preview-payouts]").click()
            deadline = time.time() + 10
            while not console.find("[data-testid=payout-preview]").text and time.time() < deadline:
                time.sleep(0.1)
            assert "Preview" in console.find("[data-testid=payout-preview]").text
            axe_violations(browser, "payouts")
            console.shoot("payouts")
            console.go("webhooks")
            axe_violations(browser, "webhooks")
            console.shoot("webhooks")

            console.go("partners")
            browser.set_window_size(390, 844)
            time.sleep(0.3)
            overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"the console scrolls sideways at phone width by {overflow} px"
            console.shoot("phone")
            browser.set_window_size(1280, 900)
            assert browser.execute_script("return window.__xss") is None, "HTML from the API ran"
            policy_violations(browser)

            # Signing out forgets the token: the screens are gone.
            console.find("[data-testid=sign-out]").click()
            assert console.find("#sign-in").is_displayed()
        finally:
            browser.quit()
    print("console_browser: signed in; approved an application; a raised reward paid the next sale 30 %; "
          "a ban canceled the pending commission; a revoked key was refused; HTML stayed text; axe-core: no "
          f"serious or critical violation on 7 screens; screenshots in {SHOTS}")


if __name__ == "__main__":
    main()
