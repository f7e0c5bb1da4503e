#!/usr/bin/env python3
"""Drives click -> lead -> sale -> commissions with the official Dub Python SDK (PyPI `dub`)
against the local stack: the SDK must be able to call our endpoints and parse every response.

The click id comes from the local stack's `GET /local/demo-click` (a click on the demo
partner's link, signed as the redirect signs it); it is never deployed.

Usage: .venv/bin/python tests/dub_sdk_tracking.py path/to/local-stack-binary
"""
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

import local_stack
from dub import Dub
from dub.models import errors


def call(base, key, method, path, body=None):
    """Our own endpoints (payout runs, the local scheduler), which the SDK has no method for."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("authorization", f"Bearer {key}")
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def visit(link, visitor):
    """One visit of a short link, as a phone without the link's cookie: a counted click. A
    visitor is its address and user agent (the redirect counts a repeat within an hour once),
    so each `visitor` number is another Safari version."""
    request = urllib.request.Request(link, headers={
        "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                      f"(KHTML, like Gecko) Version/17.{visitor} Mobile/15E148 Safari/604.1",
        "referer": "https://news.example.com/story",
    })
    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    except urllib.error.HTTPError as redirect:
        assert redirect.code in (301, 302, 307), redirect.code


def analytics(dub, base, click, customer_sale_amount):
    """analytics.retrieve, partners.analytics and events.list against what this script
    tracked: two visits of the demo partner's link, the lead and the sale (the link has no other
    activity in a new stack)."""
    link = click["linkId"]
    info = dub.links.get(request={"link_id": link})
    visit(f"{base}/r/{info.domain}/{info.key}", 1)
    visit(f"{base}/r/{info.domain}/{info.key}", 2)
    deadline = time.time() + 20
    while True:
        count = dub.analytics.retrieve(request={"event": "composite", "link_id": link})
        if count.clicks >= 2 or time.time() > deadline:
            break
        time.sleep(0.5)
    assert (count.clicks, count.leads, count.sales, count.sale_amount) == (2, 1, 1, customer_sale_amount), count
    series = dub.analytics.retrieve(request={"event": "composite", "group_by": "timeseries", "link_id": link,
                                             "interval": "7d", "timezone": "America/New_York"})
    assert 7 <= len(series) <= 8, series
    assert sum(row.clicks for row in series) == 2 and sum(row.sale_amount for row in series) == customer_sale_amount
    assert series[0].start.endswith(("-05:00", "-04:00")), series[0]
    devices = dub.analytics.retrieve(request={"group_by": "devices", "link_id": link})
    assert [(d.device, d.clicks) for d in devices] == [("Mobile", 2)], devices
    referers = dub.analytics.retrieve(request={"group_by": "referers", "link_id": link})
    assert [(r.referer, r.clicks) for r in referers] == [("news.example.com", 2)], referers
    top = dub.analytics.retrieve(request={"group_by": "top_links", "event": "sales"})
    assert top[0].id == link and top[0].sale_amount == customer_sale_amount, top
    partner = dub.partners.analytics(request={"partner_id": click["partnerId"], "interval": "30d"})
    commissions = dub.commissions.list(request={"partner_id": click["partnerId"]}).result
    earned = sum(c.earnings for c in commissions)
    assert (partner.clicks, partner.sales, partner.earnings) == (2, 1, earned), (partner, earned)
    by_link = dub.partners.analytics(request={"partner_id": click["partnerId"], "group_by": "top_links"})
    assert by_link[0].id == link and by_link[0].earnings == earned, by_link
    sales = dub.events.list(request={"event": "sales", "link_id": link, "interval": "24h"})
    assert len(sales) == 1 and sales[0].sale.amount == customer_sale_amount, sales
    assert sales[0].link.id == link and sales[0].customer.external_id is not None, sales[0]
    leads = dub.events.list(request={"event": "leads", "partner_id": click["partnerId"]})
    assert [lead.event_name for lead in leads] == ["Sign up"], leads
    try:
        dub.events.list(request={"event": "clicks"})
        raise SystemExit("FAIL: clicks were listed one by one")
    except errors.DubError as refused:
        assert refused.status_code == 422, refused
    try:
        dub.analytics.retrieve(request={"timezone": "Mars/Olympus"})
        raise SystemExit("FAIL: an unknown time zone was accepted")
    except errors.DubError as refused:
        assert refused.status_code == 422, refused


def payouts(base, key, demo, dub):
    """A sale whose commission is payable at once (holding period 0), a payout run, then
    `payouts.list` must parse the payout: Dub's fields and ours."""
    program = demo["programId"]
    groups = call(base, key, "GET", f"/programs/{program}/groups")
    default = next(g for g in groups["data"] if g["slug"] == "default")
    call(base, key, "PATCH", f"/programs/{program}/groups/{default['id']}", {"holdingPeriodDays": 0})
    call(base, key, "PATCH", f"/programs/{program}", {"settings": {"minPayoutAmount": 100}})
    click = call(base, key, "GET", "/local/demo-click")
    customer = f"payout-{uuid.uuid4().hex[:8]}"
    dub.track.lead(request={"click_id": click["clickId"], "event_name": "Sign up", "customer_external_id": customer})
    dub.track.sale(request={"customer_external_id": customer, "amount": 10_000, "payment_processor": "stripe",
                            "invoice_id": f"in_{customer}"})
    call(base, key, "POST", "/local/run-scheduled", {})
    run = call(base, key, "POST", f"/programs/{program}/payouts/run", {})
    made = [p for p in run["payouts"] if p["partner"]["id"] == click["partnerId"]]
    assert len(made) == 1 and made[0]["amount"] >= 2_000, run
    listed = dub.payouts.list(request={"partner_id": click["partnerId"], "status": "pending"})
    assert [p.id for p in listed] == [made[0]["id"]], listed
    payout = listed[0]
    assert payout.amount == made[0]["amount"] and payout.currency == "usd", payout
    assert payout.status == "pending" and payout.invoice_id == run["id"], payout
    assert payout.partner.id == click["partnerId"] and payout.mode == "external", payout
    assert payout.period_end is not None and payout.paid_at is None, payout
    confirmed = call(base, key, "POST", f"/payouts/{payout.id}/confirm", {"externalReference": "sdk-test"})
    assert confirmed["status"] == "completed", confirmed
    done = dub.payouts.list(request={"status": "completed", "sort_by": "paidAt"})
    assert payout.id in [p.id for p in done] and all(p.paid_at for p in done), done


def main():
    with local_stack.running(sys.argv[1], "partnerline-sdk-") as (base, demo, _):
        key = demo["apiKey"]

        request = urllib.request.Request(base + "/local/demo-click")
        request.add_header("authorization", f"Bearer {key}")
        with urllib.request.urlopen(request, timeout=10) as response:
            click = json.loads(response.read())

        dub = Dub(token=key, server_url=base)
        customer = f"sdk-{uuid.uuid4().hex[:8]}"
        lead = dub.track.lead(request={
            "click_id": click["clickId"],
            "event_name": "Sign up",
            "customer_external_id": customer,
            "customer_email": f"{customer}@example.com",
            "customer_name": "SDK Customer",
        })
        assert lead.click.id == click["clickId"], lead
        assert lead.link is not None and lead.link.id == click["linkId"], lead
        assert lead.customer.external_id == customer, lead

        invoice = f"in_{uuid.uuid4().hex[:10]}"
        sale = dub.track.sale(request={
            "customer_external_id": customer,
            "amount": 4_900,
            "currency": "usd",
            "payment_processor": "stripe",
            "invoice_id": invoice,
        })
        assert sale.sale is not None and sale.sale.amount == 4_900, sale
        assert sale.customer is not None and sale.customer.external_id == customer, sale
        # The same invoice again: the first response, nothing recorded.
        again = dub.track.sale(request={
            "customer_external_id": customer, "amount": 1, "payment_processor": "stripe",
            "invoice_id": invoice,
        })
        assert again.sale.amount == 4_900, again
        analytics(dub, base, click, 4_900)

        commissions = dub.commissions.list(request={"partner_id": click["partnerId"]})
        sales = [c for c in commissions.result if c.type == "sale"]
        assert len(sales) == 1, commissions
        assert sales[0].earnings == 980 and sales[0].status == "pending", sales[0]
        assert sales[0].customer is not None and sales[0].customer.external_id == customer

        # Dub's page numbers walk the list: page 2 holds what follows page 1, not page 1 again.
        everything = [c.id for c in dub.commissions.list(request={"page_size": 100}).result]
        assert len(everything) >= 1, everything
        paged = []
        for number in range(1, len(everything) + 2):
            page = dub.commissions.list(request={"page": number, "page_size": 1}).result
            paged.extend(c.id for c in page)
        assert paged == everything, (paged, everything)

        # Dub's expanded customer fields, as the SDK models them.
        listed = dub.customers.list(request={"external_id": customer, "include_expanded_fields": True}).result
        assert len(listed) == 1 and listed[0].external_id == customer, listed
        assert listed[0].link is not None and listed[0].link.id == click["linkId"], listed[0]
        assert listed[0].partner is not None and listed[0].partner.id == click["partnerId"], listed[0]
        one = dub.customers.get(request={"id": f"ext_{customer}", "include_expanded_fields": True})
        assert one.link is not None and one.link.short_link.startswith("http"), one
        renamed = dub.customers.update(request={"id": f"ext_{customer}", "request_body": {"name": "Sam Renamed"}})
        assert renamed.name == "Sam Renamed" and renamed.external_id == customer, renamed

        updated = dub.commissions.update(request={"id": sales[0].id, "request_body": {"status": "fraud"}})
        assert updated.status == "fraud", updated
        # Dub's bulk update: all or nothing.
        bulk = dub.commissions.update_many(request={"commission_ids": [sales[0].id], "status": "pending"})
        assert [(c.id, c.status) for c in bulk] == [(sales[0].id, "pending")], bulk
        again = dub.commissions.list(request={"partner_id": click["partnerId"], "status": "pending"}).result
        assert sales[0].id in [c.id for c in again], again

        gone = dub.customers.delete(id=f"ext_{customer}")
        assert gone.id == one.id, gone
        try:
            dub.customers.get(request={"id": f"ext_{customer}"})
            raise SystemExit("FAIL: a deleted customer was found")
        except errors.NotFound:
            pass

        try:
            dub.track.lead(request={"click_id": "clk_not-a-real-click", "event_name": "Sign up",
                                    "customer_external_id": "nobody"})
            raise SystemExit("FAIL: an unknown click was accepted")
        except errors.NotFound:
            pass
        payouts(base, key, demo, dub)
        print("Dub SDK: click -> lead -> sale -> analytics.retrieve, partners.analytics and events.list -> customers (expanded, update, delete) -> commissions.list (by cursor and page) -> commissions.update -> update_many -> payouts.list OK")


if __name__ == "__main__":
    main()
