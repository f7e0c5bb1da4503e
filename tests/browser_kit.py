"""What the browser scripts (tests/embed_browser.py, tests/console_browser.py) share: Debian's
Chromium under selenium with the system chromedriver (nothing downloads a browser), axe-core
from tests/browser/node_modules, the check for policy violations, and a click on a short link."""
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
AXE = os.path.join(ROOT, "tests", "browser", "node_modules", "axe-core", "axe.min.js")
SHOTS = os.path.join(ROOT, "target", "screenshots")


def require_browser():
    """Fails loudly, never skips, when the browser, its driver or axe-core is missing."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER, AXE) if not os.path.exists(path)]
    if missing:
        print("FAIL: the browser tests need Debian's chromium and chromium-driver and axe-core "
              f"(./tests/run installs them); missing: {', '.join(missing)}")
        sys.exit(1)
    os.makedirs(SHOTS, exist_ok=True)


def driver(width=1280, height=900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # Without the background-networking flags Chromium keeps reaching for Google's hosts,
    # which a closed network refuses.
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--window-size={width},{height}",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='partnerline-chromium-')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def axe_violations(browser, where):
    """Runs axe-core in the page (a WebDriver script, which the page's policy does not block);
    fails on any serious or critical violation; returns how many lesser ones there were."""
    browser.execute_script(open(AXE, encoding="utf-8").read())
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));")
    assert isinstance(result, list), result
    serious = [v for v in result if v.get("impact") in ("serious", "critical")]
    for violation in serious:
        print(f"  axe {violation['impact']} on {where}: {violation['id']}: {violation['help']} "
              f"({[node['target'] for node in violation['nodes']][:3]})")
    assert not serious, f"axe-core found {len(serious)} serious or critical violations on {where}"
    return len(result)


def policy_violations(browser, where=""):
    """Fails when the browser logged a Content-Security-Policy violation since the last look
    (reading the log empties it)."""
    blocked = [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]
    assert not blocked, f"CSP violations {where}: {blocked}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def click(short_link):
    """A visit of a short link, as a desktop browser; the click id the redirect put on the
    destination URL (`dub_id`)."""
    request = urllib.request.Request(short_link, headers={
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0 Safari/537.36"})
    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
        raise AssertionError("the short link did not redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code in (301, 302, 307), redirect.code
        query = urllib.parse.parse_qs(urllib.parse.urlparse(redirect.headers["location"]).query)
    return query["dub_id"][0]
