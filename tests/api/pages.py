"""Follow a paginated JSON list the way an API client would: by its `Link: rel="next"`."""


def walk_pages(client, url: str, **headers) -> list[list[dict]]:
    """Every page from the first to the last, each one a 200."""
    pages = []
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        link = response.headers.get("Link", "")
        url = link[1 : link.index(">")] if 'rel="next"' in link else None
    return pages
