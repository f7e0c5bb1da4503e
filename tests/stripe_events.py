#!/usr/bin/env python3
"""Stripe billing end to end: events built from Stripe's published fixtures
(tests/stripe/fixtures.json, which names its source), signed with the official `stripe` package
(`WebhookSignature.generate_signature_header`, and checked by `Webhook.construct_event` before
they are sent), posted to the local stack's Stripe endpoint with the secret it printed in
demo.json, and their effects read back through the official Dub SDK (customers, commissions,
partner totals). Every event is then sent again, and again under new ids in another order:
nothing may change.

Usage: .venv/bin/python tests/stripe_events.py path/to/local-stack-binary
"""
import copy
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request
import uuid

import local_stack
import stripe
from dub import Dub

FIXTURES = json.load(open(os.path.join(os.path.dirname(__file__), "stripe", "fixtures.json")))["resources"]


def fixture(name, **fields):
    obj = copy.deepcopy(FIXTURES[name])
    obj.update(fields)
    return obj


def event(event_id, kind, obj):
    evt = copy.deepcopy(FIXTURES["event"])
    evt.update(id=event_id, type=kind, api_version="2025-03-31.basil", created=int(time.time()), data={"object": obj})
    return evt


class Endpoint:
    def __init__(self, base, program, secret):
        self.url = f"{base}/stripe/webhook/{program}"
        self.secret = secret

    def send(self, evt, secret=None, header=None):
        payload = json.dumps(evt)
        if header is None and secret is None:
            header = stripe.WebhookSignature.generate_signature_header(payload, self.secret)
            # What Stripe's own library accepts as a genuine event is what we are sent.
            stripe.Webhook.construct_event(payload, header, self.secret)
        elif header is None:
            header = stripe.WebhookSignature.generate_signature_header(payload, secret)
        request = urllib.request.Request(self.url, data=payload.encode(), method="POST")
        request.add_header("content-type", "application/json; charset=utf-8")
        request.add_header("stripe-signature", header)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


def outcomes(reply):
    status, body = reply
    assert status == 200, reply
    return [f"{s['step']}:{s['outcome']}" for s in body["steps"]]


def demo_click(base, key):
    request = urllib.request.Request(base + "/local/demo-click")
    request.add_header("authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def snapshot(dub, partner_id, customer):
    """What the SDK shows: the partner's totals, the customer, its commissions."""
    partner = next(p for p in dub.partners.list(request={"page_size": 100}) if p.id == partner_id)
    customers = dub.customers.list(request={"external_id": customer}).result
    commissions = dub.commissions.list(request={"partner_id": partner_id, "page_size": 100}).result
    mine = sorted((c.type, c.amount, c.earnings, c.status, c.invoice_id) for c in commissions
                  if c.customer is not None and c.customer.external_id == customer)
    return {
        "totals": (partner.total_leads, partner.total_sales, partner.total_sale_amount, partner.total_commissions),
        "customers": [(c.external_id, c.email, c.name) for c in customers],
        "commissions": mine,
    }


def scenario(endpoint, click, tag):
    """The events of one subscription: checkout, its first invoice, a renewal paid by a payment
    intent, and a partial refund reported by both of Stripe's refund events."""
    customer, renewal_pi, charge = f"cus_{tag}", f"pi_{tag}_2", f"ch_{tag}_2"
    session = fixture("checkout.session", client_reference_id=f"dub_id_{click['clickId']}", customer=customer,
                      customer_details={"email": f"{tag}@example.com", "name": "Stripe Customer"},
                      amount_total=4_900, currency="usd", payment_status="paid", status="complete",
                      mode="subscription", invoice=f"in_{tag}_1")
    first = fixture("invoice", id=f"in_{tag}_1", customer=customer, amount_paid=4_900, status="paid")
    renewal = fixture("invoice", id=f"in_{tag}_2", customer=customer, amount_paid=4_900, status="paid",
                      payments={"object": "list", "data": [{"payment": {"payment_intent": renewal_pi, "type": "payment_intent"}}]})
    refund = fixture("refund", id=f"re_{tag}", amount=1_000, charge=charge, payment_intent=renewal_pi, status="succeeded")
    refunded = fixture("charge", id=charge, amount=4_900, amount_refunded=1_000, refunded=False,
                       payment_intent=renewal_pi, currency="usd")
    refunded.pop("refunds", None)
    return customer, [
        (event(f"evt_{tag}_checkout", "checkout.session.completed", session), ["lead:recorded", "sale:recorded"]),
        (event(f"evt_{tag}_first", "invoice.paid", first), ["sale:already_recorded"]),
        (event(f"evt_{tag}_renewal", "invoice.paid", renewal), ["sale:recorded"]),
        (event(f"evt_{tag}_refund", "refund.created", refund), ["refund:recorded"]),
        (event(f"evt_{tag}_charge", "charge.refunded", refunded), ["refund:already_recorded"]),
    ]


def main():
    with local_stack.running(sys.argv[1], "partnerline-stripe-") as (base, demo, _):
        key = demo["apiKey"]
        assert demo["stripeWebhookSecret"].startswith("whsec_"), demo
        endpoint = Endpoint(base, demo["programId"], demo["stripeWebhookSecret"])
        dub = Dub(token=key, server_url=base)
        click = demo_click(base, key)
        partner = click["partnerId"]
        tag = uuid.uuid4().hex[:8]
        customer, events = scenario(endpoint, click, tag)
        before = snapshot(dub, partner, customer)

        for evt, expected in events:
            assert outcomes(endpoint.send(evt)) == expected, (evt["type"], expected)
        after = snapshot(dub, partner, customer)
        leads, sales, amount, commissions = (a - b for a, b in zip(after["totals"], before["totals"]))
        # Two sales of 49.00, less the 10.00 refunded. Demo rewards: 20 % of sales; the lead
        # reward is non-monetary (credits), so it earns no cash commission.
        assert (leads, sales, amount) == (1, 2, 8_800), after
        assert after["customers"] == [(customer, f"{tag}@example.com", "Stripe Customer")], after
        sale_commissions = [c for c in after["commissions"] if c[0] == "sale"]
        # The renewal's commission lost the refunded share: 20 % of 3,900.
        assert sorted(c[2] for c in sale_commissions) == [780, 980], after
        assert commissions == 780 + 980, (after, before)

        # Stripe's retries: the same events, answered from their claims.
        for evt, _ in events:
            status, body = endpoint.send(evt)
            assert status == 200 and body["status"] == "duplicate", body
        # The same facts in new events, in another order: nothing changes.
        shuffled = [copy.deepcopy(evt) for evt, _ in events]
        random.Random(7).shuffle(shuffled)
        for n, evt in enumerate(shuffled):
            evt["id"] = f"evt_{tag}_again_{n}"
            assert all(o.endswith("already_recorded") for o in outcomes(endpoint.send(evt))), evt["type"]
        assert snapshot(dub, partner, customer) == after

        # A wrong secret, an expired signature, an event type we do not handle.
        status, body = endpoint.send(events[0][0], secret="whsec_not_the_endpoints")
        assert status == 400 and body["error"]["code"] == "bad_request", body
        payload = json.dumps(events[0][0])
        old = stripe.WebhookSignature.generate_signature_header(payload, endpoint.secret, int(time.time()) - 600)
        status, body = endpoint.send(events[0][0], header=old)
        assert status == 400, body
        status, body = endpoint.send(event(f"evt_{tag}_plan", "plan.created", FIXTURES["event"]["data"]["object"]))
        assert status == 200 and body["status"] == "unhandled", body
        assert snapshot(dub, partner, customer) == after
        print(f"Stripe events (stripe=={stripe.VERSION}) -> local stack -> Dub SDK: checkout, renewal, refunds, replays and reorderings OK")


if __name__ == "__main__":
    main()
