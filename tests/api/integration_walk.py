"""The walk's requests for the feeds, sitemap, robots.txt, embeds, oEmbed and the health check.

They show fact-checks outside the API, so they are held to the same rule: nothing the
public may not see, and an unpublished speaker or topic answers as a missing one.
"""

from .public_walk import MISSING_ID, MISSING_SLUG, Request


def integration_requests(desk) -> list[Request]:
    # /healthz shows nothing of the desk; asked so the walk covers every route.
    requests = [Request("robots", "/robots.txt"), Request("sitemap", "/sitemap.xml"), Request("healthz", "/healthz")]
    requests += [Request("sitemap-section", f"/sitemap-{section}.xml") for section in ("pages", "fact-checks")]
    for form in ("atom", "rss"):
        requests.append(Request("feed-all", f"/feeds/fact-checks.{form}"))
        for kind, route, missing in (
            ("speakers", "feed-speaker", MISSING_ID),
            ("topics", "feed-topic", MISSING_SLUG),
            ("ratings", "feed-rating", MISSING_SLUG),
        ):
            folder = f"/feeds/{kind}/{{}}.{form}"
            nothing = Request(route, folder.format(missing), expect=frozenset({404}))
            requests.append(nothing)
            for key in sorted(desk.keys[kind]):
                if key in desk.visible_at[(kind, "")]:
                    requests.append(Request(route, folder.format(key)))
                else:
                    requests.append(Request(route, folder.format(key), expect=frozenset({404}), like=nothing))
    missing_embed = Request("embed", f"/fact-checks/{MISSING_ID}/embed/", expect=frozenset({404}))
    missing_oembed = Request(
        "oembed", "/oembed", (("url", f"http://testserver/fact-checks/{MISSING_ID}/"),), frozenset({404})
    )
    requests += [missing_embed, missing_oembed]
    for key in sorted(desk.keys["claims"]):
        page = f"http://testserver/fact-checks/{key}/"
        # A card and its oEmbed exist for a standing fact-check (a retraction has a page, not a card).
        if key in desk.visible_at[("claims", "claim-review")]:
            requests += [Request("embed", f"/fact-checks/{key}/embed/"), Request("oembed", "/oembed", (("url", page),))]
        else:
            requests += [
                Request("embed", f"/fact-checks/{key}/embed/", expect=frozenset({404}), like=missing_embed),
                Request("oembed", "/oembed", (("url", page),), frozenset({404}), like=missing_oembed),
            ]
    return requests
