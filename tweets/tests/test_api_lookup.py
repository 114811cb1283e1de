"""GET /api/v1/statuses?id[]= and GET /api/v1/tags/:name."""

from accounts.services import block


def test_several_statuses_by_id_in_the_order_asked(api, ann, post):
    first, second = post(ann, "one"), post(ann, "two")
    response = api.get(
        "/api/v1/statuses", {"id[]": [str(second.pk), "nope", str(first.pk), "999", str(second.pk)]}
    )
    assert [s["id"] for s in response.json()] == [str(second.pk), str(first.pk)]
    assert "favourited" not in response.json()[0]


def test_blocked_authors_statuses_are_left_out(api, token_for, ann, bob, post):
    mine, theirs = post(ann, "mine"), post(bob, "theirs")
    block(ann, bob)
    response = api.as_(token_for(ann, "read")).get("/api/v1/statuses", {"id[]": [mine.pk, theirs.pk]})
    assert [s["id"] for s in response.json()] == [str(mine.pk)]
    assert response.json()[0]["favourited"] is False


def test_more_than_twenty_ids_is_422(api, db):
    response = api.get("/api/v1/statuses", {"id[]": [str(n) for n in range(1, 22)]})
    assert response.status_code == 422


def test_a_tag(api, token_for, ann, post):
    post(ann, "hello #Chirp")
    anonymous = api.get("/api/v1/tags/chirp").json()
    assert anonymous["name"] == "chirp"
    assert anonymous["url"].endswith("/hashtag/chirp/")
    assert "following" not in anonymous
    assert api.as_(token_for(ann, "read")).get("/api/v1/tags/CHIRP").json()["following"] is False
    missing = api.get("/api/v1/tags/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Record not found"}
