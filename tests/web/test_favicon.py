"""Every page names its icon (a browser otherwise asks /favicon.ico, a 404 in its console on every page), and the
icon is served."""

from __future__ import annotations

import re


def test_the_login_page_names_its_icon_and_the_icon_is_served(client):
    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    with client.get(href) as icon:  # a static file: closed after it is read
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
