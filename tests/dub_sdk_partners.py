#!/usr/bin/env python3
"""Calls the partner endpoints of the local stack through the official Dub Python SDK (PyPI
`dub`, pinned in tests/run), which validates every response strictly: `partners.create`,
`partners.ban`, `partners.deactivate`, `partners.list` with several parameter sets, and
`program_applications.list`, `.approve` and `.reject`, and `links.create`, `.get`, `.update`,
`.list`, `.count`, `partners.create_link`, `.upsert_link`, `domains.list` and `qr_codes.get`, `.retrieve_links` (Dub's full LinkSchema),
`tags.*`, `folders.*` and `discount_codes.*` with tagged links and their filters, and
`links.upsert`, `.create_many`, `.update_many` and `.delete_many`, checking the parsed results.

Usage: .venv/bin/python tests/dub_sdk_partners.py path/to/local-stack-binary
"""
import json
import sys
import urllib.request

import local_stack
from dub import Dub
from dub.models import errors, operations


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAIL: {message}")


def main():
    with local_stack.running(sys.argv[1], "partnerline-dub-sdk-", quiet=False) as (base, demo, _):
        with Dub(token=demo["apiKey"], server_url=base) as dub:
            run(dub)
            applications(dub, base, demo["apiKey"])
            links(dub)
            labels(dub)
            bulk_links(dub)


def run(dub):
    created = []
    for n, (name, country) in enumerate([("Jane Smith", "US"), ("John Doe", "DE"), ("Ana Silva", "BR"), ("Joan Smithers", "US")]):
        partner = dub.partners.create(request={
            "email": f"p{n}@example.com", "name": name, "tenant_id": f"user-{n}",
            "country": country, "description": "Reviews SaaS tools", "username": f"sdk{n}partner",
        })
        check(partner.tenant_id == f"user-{n}", f"create returns the tenant id: {partner}")
        created.append(partner)

    everyone = dub.partners.list(request={"page_size": 100})
    check(len(everyone) >= 4, f"list returns the partners: {len(everyone)}")
    for partner in everyone:
        check(isinstance(partner, operations.ListPartnersResponseBody), "parsed as Dub's model")
        check(partner.id == partner.partner_id and partner.id.startswith("pn_"), "ids")
        check(partner.total_sale_amount == 0 and partner.net_revenue == 0, "totals")
        check(partner.earnings_per_click is None, "null metric with no clicks")
        check(partner.links and partner.links[0].short_link.startswith("https://"), "links")

    by_tenant = dub.partners.list(request={"tenant_id": "user-1", "email": "p0@example.com", "search": "ana"})
    check([p.name for p in by_tenant] == ["John Doe"], f"tenantId wins: {[p.name for p in by_tenant]}")
    by_email = dub.partners.list(request={"email": "p2@example.com", "search": "jane"})
    check([p.name for p in by_email] == ["Ana Silva"], "email wins over search")
    searched = dub.partners.list(request={"search": "smith"})
    check(sorted(p.name for p in searched) == ["Jane Smith", "Joan Smithers"], f"search: {[p.name for p in searched]}")
    us = dub.partners.list(request={"country": "US", "status": operations.ListPartnersQueryParamStatus.APPROVED})
    # The local stack's own demo partner may also be an approved US partner: expect exactly the
    # approved US partners of the full list, which include both created here.
    expected_us = sorted(p.name for p in everyone if p.country == "US" and p.status == "approved")
    check({"Jane Smith", "Joan Smithers"} <= set(expected_us), f"created partners are listed: {expected_us}")
    check(sorted(p.name for p in us) == expected_us, f"country and status filters: {[p.name for p in us]}")

    for sort in operations.ListPartnersQueryParamSortBy:
        for order in operations.ListPartnersQueryParamSortOrder:
            page = dub.partners.list(request={"sort_by": sort, "sort_order": order, "page": 1, "page_size": 2})
            check(len(page) == 2, f"{sort.value} {order.value}: a page of 2")
    newest = dub.partners.list(request={"sort_by": "createdAt", "sort_order": "desc", "page_size": 1})
    check(newest[0].name == "Joan Smithers", "createdAt desc starts with the newest")
    second = dub.partners.list(request={"sort_by": "createdAt", "sort_order": "asc", "page": 2, "page_size": 1})
    oldest_first = sorted(everyone, key=lambda p: (p.created_at, p.id))
    check(second[0].id == oldest_first[1].id, f"page 2 of createdAt asc: {second[0].name}")

    banned = dub.partners.ban(request={"tenant_id": "user-2", "reason": operations.Reason.FRAUD})
    check(banned.partner_id == created[2].id, "ban answers the partner id")
    dub.partners.deactivate(request={"partner_id": created[3].id})
    listed = dub.partners.list(request={"status": "banned"})
    check([p.banned_reason for p in listed] == [operations.BannedReason.FRAUD], "banned reason parsed")
    check(listed[0].banned_at is not None, "bannedAt set")
    check([p.name for p in dub.partners.list(request={"status": "deactivated"})] == ["Joan Smithers"], "deactivated")

    try:
        dub.partners.list(request={"page_size": 101})
        check(False, "pageSize 101 must be refused")
    except errors.BadRequest as error:
        check(error.data.error.code == "bad_request", f"400 envelope: {error}")
    print(f"OK: Dub SDK (dub {dub_version()}) parsed every partners response; 26 sorted pages, filters, precedence, ban, deactivate, 400")


def apply(base, key, email, name):
    """StackBE's public apply (Dub's SDK has no apply call); returns the application id."""
    body = json.dumps({"email": email, "name": name, "company": "Acme Inc", "reason": "Audience"}).encode()
    request = urllib.request.Request(base + "/v1/affiliate/apply", data=body, method="POST")
    request.add_header("content-type", "application/json")
    request.add_header("x-api-key", key)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["id"]


def applications(dub, base, key):
    ids = [apply(base, key, f"applicant{n}@example.com", f"Applicant {n}") for n in range(3)]
    first = dub.program_applications.list(request={"status": "pending", "page": 1, "page_size": 2})
    check([a.id for a in first] == [ids[2], ids[1]], f"newest first: {[a.id for a in first]}")
    check(first[0].partner.email == "applicant2@example.com", "the applicant's email")
    check(first[0].partner.status == operations.ListProgramApplicationsStatus.PENDING, "pending")
    check(first[0].application_form_data[0].label == "Company", "form answers")
    check(first[0].application_form_data[0].value == "Acme Inc", "form answer value")
    second = dub.program_applications.list(request={"status": "pending", "page": 2, "page_size": 2})
    check([a.id for a in second] == [ids[0]], f"page 2: {[a.id for a in second]}")
    searched = dub.program_applications.list(request={"search": "APPLICANT1"})
    check([a.id for a in searched] == [ids[1]], f"search by name, any case: {[a.id for a in searched]}")
    oldest = dub.program_applications.list(request={"status": "pending", "sort_order": "asc"})
    check([a.id for a in oldest] == ids, "sortOrder=asc: oldest first")
    approved = dub.program_applications.approve(request={"partner_id": ids[2]})
    check(approved.partner_id.startswith("pn_"), f"approve answers the partner: {approved.partner_id}")
    rejected = dub.program_applications.reject(request={"partner_id": ids[1], "rejection_reason": "notTheRightFit"})
    check(rejected.partner_id == ids[1], "reject answers the applicant")
    left = dub.program_applications.list(request={"status": "pending"})
    check([a.id for a in left] == [ids[0]], "one application left pending")
    print("OK: program_applications.list (pages 1 and 2, search, sortOrder), approve and reject by partner id")


def links(dub):
    created = dub.links.create(request={
        "url": "https://acme.com/pricing?plan=pro",
        "key": "sdk-spring",
        "external_id": "campaign-42",
        "title": "Spring sale",
        "utm_source": "newsletter",
        "utm_campaign": "spring",
        "comments": "made by the SDK script",
        "track_conversion": True,
    })
    check(created.key == "sdk-spring", f"key: {created.key}")
    check(created.external_id == "campaign-42", "externalId kept")
    check(created.title == "Spring sale" and created.track_conversion, "title and flag kept")
    check("utm_source=newsletter" in created.url and "plan=pro" in created.url, f"UTM in the destination: {created.url}")
    check(created.short_link.endswith("/sdk-spring"), created.short_link)
    check(created.tags == [] and created.clicks == 0, "no tags, no clicks")
    fetched = dub.links.get(request={"domain": created.domain, "key": "sdk-spring"})
    check(fetched.id == created.id and fetched.utm_campaign == "spring", "links.get")
    by_external = dub.links.get(request={"external_id": "campaign-42"})
    check(by_external.id == created.id, "links.get by externalId")
    updated = dub.links.update(link_id=created.id, request_body={"title": "Summer sale", "utm_source": None})
    check(updated.title == "Summer sale" and updated.utm_source is None, "links.update")
    check(updated.updated_at >= created.updated_at, "updatedAt moves")
    partner = dub.partners.create(request={"email": "linker@example.com", "name": "Lin Ker", "tenant_id": "linker-1"})
    made = dub.partners.create_link(request={"partner_id": partner.id, "url": "https://acme.com/blog",
                                             "link_props": {"title": "Blog", "comments": "for the blog"}})
    check(made.partner_id == partner.id and made.title == "Blog", "partners.create_link")
    check(made.comments == "for the blog" and made.tenant_id == "linker-1", "link props kept")
    listed = dub.partners.retrieve_links(request={"tenant_id": "linker-1"})
    check(made.id in [link.id for link in listed], "partners.retrieve_links")
    upserted = dub.partners.upsert_link(request={"partner_id": partner.id, "url": "https://acme.com/blog",
                                                 "comments": "upserted"})
    check(upserted.id == made.id and upserted.comments == "upserted", "partners.upsert_link finds the link by its URL")
    fresh = dub.partners.upsert_link(request={"tenant_id": "linker-1", "url": "https://acme.com/docs"})
    check(fresh.id != made.id and fresh.partner_id == partner.id, "partners.upsert_link makes a new link")
    listed = dub.links.list(request={"search": "sdk-spring"}).result
    check([link.id for link in listed] == [created.id], f"links.list search: {[l.id for l in listed]}")
    everything = dub.links.list(request={"page_size": 100}).result
    first = dub.links.list(request={"page": 1, "page_size": 1}).result
    second = dub.links.list(request={"page": 2, "page_size": 1}).result
    check([l.id for l in first + second] == [l.id for l in everything[:2]], "links.list pages")
    check(dub.links.count(request={}) == len(everything), "links.count")
    qr = dub.qr_codes.get(request={"url": created.short_link, "size": 300})
    check("PNG" in qr and "IHDR" in qr, "qr_codes.get draws a PNG")
    domains = dub.domains.list(request={}).result
    check([d.slug for d in domains] == [created.domain] and domains[0].verified, "domains.list: the program's domain")
    try:
        dub.domains.create(request={"slug": "other.example.com"})
        check(False, "domains come from deployment")
    except errors.Forbidden as error:
        check(error.data.error.code == "forbidden", str(error))
    try:
        dub.links.create(request={"url": "https://acme.com", "password": "secret"})
        check(False, "a password must be refused")
    except errors.UnprocessableEntity as error:
        check(error.data.error.code == "unprocessable_entity", str(error))
    print("OK: links.create / get / update / list / count and partners.create_link / retrieve_links / upsert_link parse as LinkSchema")


def labels(dub):
    spring = dub.tags.create(request={"name": "SDK Spring", "color": "green"})
    check(spring.id.startswith("tag_") and spring.name == "SDK Spring" and spring.color == "green", f"tags.create: {spring}")
    promo = dub.tags.create(request={"name": "SDK Promo"})
    check(promo.color.value in ["red", "yellow", "green", "blue", "purple", "brown", "gray"], "a colour is picked")
    listed = dub.tags.list(request={"search": "sdk"})
    check([t.name for t in listed] == ["SDK Promo", "SDK Spring"], f"tags.list by name: {[t.name for t in listed]}")
    by_ids = dub.tags.list(request={"ids": [spring.id, promo.id], "sort_by": "createdAt", "sort_order": "desc"})
    check([t.id for t in by_ids] == [promo.id, spring.id], f"tags.list ids, newest first: {[t.id for t in by_ids]}")
    renamed = dub.tags.update(id=spring.id, request_body={"name": "SDK Summer", "color": "blue"})
    check(renamed.id == spring.id and renamed.name == "SDK Summer" and renamed.color == "blue", f"tags.update: {renamed}")

    folder = dub.folders.create(request={"name": "SDK Campaigns", "description": "Q2"})
    check(folder.id.startswith("fold_") and folder.description == "Q2" and folder.type == "default", f"folders.create: {folder}")
    changed = dub.folders.update(id=folder.id, request_body={"name": "SDK Launches"})
    check(changed.name == "SDK Launches" and changed.description == "Q2", f"folders.update: {changed}")
    check([f.id for f in dub.folders.list(request={"search": "launch"})] == [folder.id], "folders.list search")

    tagged = dub.links.create(request={"url": "https://acme.com/tagged", "key": "sdk-tagged",
                                       "tag_ids": [spring.id], "tag_names": ["sdk promo"], "folder_id": folder.id})
    check([(t.id, t.name) for t in tagged.tags] == [(spring.id, "SDK Summer"), (promo.id, "SDK Promo")], f"link tags: {tagged.tags}")
    check(tagged.folder_id == folder.id, "link folder")
    by_tag = dub.links.list(request={"tag_ids": [promo.id]}).result
    check([l.id for l in by_tag] == [tagged.id], f"links.list tagIds: {[l.id for l in by_tag]}")
    by_name = dub.links.list(request={"tag_names": ["SDK SUMMER"]}).result
    check([l.id for l in by_name] == [tagged.id], "links.list tagNames")
    by_folder = dub.links.list(request={"folder_id": folder.id}).result
    check([l.id for l in by_folder] == [tagged.id], "links.list folderId")
    check(dub.links.count(request={"tag_ids": [spring.id]}) == 1, "links.count tagIds")
    retagged = dub.links.update(link_id=tagged.id, request_body={"tag_ids": [promo.id]})
    check([t.id for t in retagged.tags] == [promo.id], "links.update replaces the tags")
    try:
        dub.links.create(request={"url": "https://acme.com/x", "tag_names": ["no such tag"]})
        check(False, "an unknown tag must be refused")
    except errors.UnprocessableEntity as error:
        check(error.data.error.code == "unprocessable_entity", str(error))

    check(dub.tags.delete(id=promo.id).id == promo.id, "tags.delete")
    check(dub.links.get(request={"link_id": tagged.id}).tags == [], "a deleted tag leaves every link")
    check(dub.folders.delete(id=folder.id).id == folder.id, "folders.delete")
    check(dub.links.get(request={"link_id": tagged.id}).folder_id is None, "a deleted folder's links are in none")

    partner = dub.partners.create(request={"email": "coder@example.com", "name": "Cody Coder", "tenant_id": "coder-1"})
    link = dub.partners.create_link(request={"partner_id": partner.id, "url": "https://acme.com/code"})
    code = dub.discount_codes.create(request={"partner_id": partner.id, "link_id": link.id, "code": "CODY10"})
    check(code.id.startswith("dcode_") and code.code == "CODY10", f"discount_codes.create: {code}")
    check(code.partner_id == partner.id and code.link_id == link.id, "the code's partner and link")
    codes = dub.discount_codes.list(request={"partner_id": partner.id})
    check([c.id for c in codes] == [code.id], f"discount_codes.list: {codes}")
    check([c.id for c in dub.discount_codes.list(request={"code": "cody10"})] == [code.id], "by code, any case")
    try:
        dub.discount_codes.create(request={"partner_id": partner.id, "link_id": link.id, "code": "OTHER"})
        check(False, "a link has one code")
    except errors.Conflict as error:
        check(error.data.error.code == "conflict", str(error))
    check(dub.discount_codes.delete(id_or_code="cody10").id == code.id, "discount_codes.delete by code")
    check(dub.discount_codes.list(request={"partner_id": partner.id}) == [], "the code is gone")
    print("OK: tags.* / folders.* / discount_codes.* and tagged links (filters by tag ids, names, folder) parse as Dub's schemas")


def bulk_links(dub):
    made = dub.links.upsert(request={"url": "https://acme.com/upsert", "key": "sdk-upsert"})
    check(made.key == "sdk-upsert" and made.url == "https://acme.com/upsert", f"links.upsert creates: {made}")
    again = dub.links.upsert(request={"url": "https://acme.com/upsert", "title": "Upserted"})
    check(again.id == made.id and again.title == "Upserted", "links.upsert finds the link by its URL")

    created = dub.links.create_many(request=[
        {"url": "https://acme.com/bulk-1", "key": "sdk-bulk-1", "external_id": "sdk-bulk-1"},
        {"url": "https://acme.com/bulk-2", "key": "sdk-bulk-2", "external_id": "sdk-bulk-2"},
    ])
    check([link.key for link in created] == ["sdk-bulk-1", "sdk-bulk-2"], f"links.create_many: {created}")
    check([link.url for link in created] == ["https://acme.com/bulk-1", "https://acme.com/bulk-2"], "urls")
    refused = dub.links.create_many(request=[
        {"url": "https://acme.com/bulk-3", "key": "sdk-bulk-3"},
        {"url": "https://acme.com/bulk-4", "key": "sdk-bulk-1"},
    ])
    check([item.code for item in refused] == ["unprocessable_entity", "conflict"], f"per-item errors: {refused}")
    check(refused[1].link["key"] == "sdk-bulk-1" and "sdk-bulk-1" in refused[1].error, "the item and why")
    ids = [link.id for link in created]
    updated = dub.links.update_many(request={"link_ids": ids, "data": {"title": "Bulk", "archived": True}})
    check([link.id for link in updated] == ids and all(l.title == "Bulk" and l.archived for l in updated),
          f"links.update_many: {updated}")
    by_external = dub.links.update_many(request={"external_ids": ["sdk-bulk-2"], "data": {"comments": "by external id"}})
    check([link.id for link in by_external] == ids[1:] and by_external[0].comments == "by external id", "externalIds")
    deleted = dub.links.delete_many(request={"link_ids": ids + [made.id]})
    check(deleted.deleted_count == 3, f"links.delete_many: {deleted}")
    check(dub.links.delete_many(request={"link_ids": ids}).deleted_count == 0, "gone ids are ignored")
    try:
        dub.links.create_many(request=[{"url": f"https://acme.com/{n}"} for n in range(101)])
        check(False, "101 links must be refused")
    except errors.UnprocessableEntity as error:
        check(error.data.error.code == "unprocessable_entity", str(error))
    print("OK: links.upsert / create_many / update_many / delete_many parse as Dub's models")


def dub_version():
    from importlib.metadata import version
    return version("dub")


if __name__ == "__main__":
    main()
