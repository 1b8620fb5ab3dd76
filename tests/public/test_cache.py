"""The public page cache (public/cache.py): hits for anonymous readers, fresh data after a publication."""
import datetime

import pytest
from django.urls import reverse

from initiatives import services
from programs.statuses import Status
from tests import helpers
from tests.reports.conftest import publish as publish_record
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE = True


def publish(world, number, *, result, capture):
    helpers.approve(world, number, {"result": result, "status": Status.ON_SCHEDULE}, by=world.editor_somu)
    with capture(execute=True):
        services.record_publish(record=world.record(number), by=world.reviewer)


def test_second_anonymous_request_is_served_from_the_cache(client, world):
    first = client.get(reverse("public:initiative-list", args=[REFORM]))
    second = client.get(reverse("public:initiative-list", args=[REFORM]))
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert first.content == second.content
    assert "s-maxage=1" in first["Cache-Control"] and "public" in first["Cache-Control"]


def test_query_string_and_language_are_part_of_the_key(client, world):
    client.get(reverse("public:initiative-list", args=[REFORM]))
    filtered = client.get(reverse("public:initiative-list", args=[REFORM]) + "?q=取組1")
    assert filtered["X-Page-Cache"] == "miss"
    english = client.get(reverse("public:initiative-list", args=[REFORM]), headers={"accept-language": "en"})
    assert english["X-Page-Cache"] == "miss"


def test_after_a_publication_the_next_request_shows_the_new_data(client, world, django_capture_on_commit_callbacks):
    publish(world, 1, result="初回の実績", capture=django_capture_on_commit_callbacks)
    url = reverse("public:initiative-detail", args=[REFORM, 1])
    assert "初回の実績" in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"

    publish(world, 1, result="改訂した実績", capture=django_capture_on_commit_callbacks)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "改訂した実績" in response.content.decode()
    html = response.content.decode()
    assert html.count("初回の実績") == 1 and '<del lang="ja">初回の実績</del>' in html  # only as the change's "before"


def test_an_unpublished_edit_does_not_invalidate(client, world, django_capture_on_commit_callbacks):
    publish(world, 1, result="公開済みの実績", capture=django_capture_on_commit_callbacks)
    url = reverse("public:initiative-detail", args=[REFORM, 1])
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_update(record=world.record(1), by=world.editor_somu, data={"result": "下書きの実績"})
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert "下書きの実績" not in response.content.decode()


def test_staff_pages_and_logged_in_users_are_never_cached(client, world):
    client.force_login(world.reviewer)
    admin_page = client.get(reverse("admin:index"))
    assert "no-store" in admin_page["Cache-Control"] and "private" in admin_page["Cache-Control"]
    assert "X-Page-Cache" not in admin_page
    public_page = client.get(reverse("public:initiative-list", args=[REFORM]))
    assert "X-Page-Cache" not in public_page
    assert "private" in public_page["Cache-Control"]


def test_error_pages_are_not_cached(client, world):
    client.get(reverse("public:initiative-detail", args=[REFORM, 999]))
    assert "X-Page-Cache" not in client.get(reverse("public:initiative-detail", args=[REFORM, 999]))


def test_processes_share_pages_and_each_sees_a_publication(world, django_capture_on_commit_callbacks):
    """Two clients have two middleware instances, like two gunicorn workers with their own memory."""
    from django.test import Client

    publish(world, 1, result="最初の実績", capture=django_capture_on_commit_callbacks)
    first_worker, second_worker = Client(), Client()
    url = reverse("public:initiative-detail", args=[REFORM, 1])
    assert first_worker.get(url)["X-Page-Cache"] == "miss"
    assert second_worker.get(url)["X-Page-Cache"] == "hit"  # built by the other worker
    assert first_worker.get(url)["X-Page-Cache"] == "hit"  # from its own memory

    publish(world, 1, result="次の実績", capture=django_capture_on_commit_callbacks)
    for worker in (first_worker, second_worker):
        assert "次の実績" in worker.get(url).content.decode()


def test_releasing_a_cycle_starts_a_new_generation_once(client, world, django_capture_on_commit_callbacks):
    """A preliminary publication changes the initiative's page only; the release (one ReportingCycle save)
    invalidates every page once, and the summary then shows the new report."""
    summary_url = reverse("public:summary", args=[REFORM])
    assert "令和7年度当初" in client.get(summary_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        for number in (1, 2, 3):
            publish_record(world, number)
        services.cycle_close(cycle=world.cycle, by=world.reviewer)
    before = client.get(summary_url)
    assert before.context["cycle"] == world.released
    assert client.get(summary_url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.cycle_release(cycle=world.cycle, by=world.reviewer)
    invalidations = [c for c in callbacks if getattr(c, "__name__", "") == "invalidate"]
    assert len(invalidations) == 1  # the cycle's post_save; nothing else invalidates again
    for callback in callbacks:
        callback()
    after = client.get(summary_url)
    assert after["X-Page-Cache"] == "miss"
    assert after.context["cycle"] == world.cycle
    assert "最新の報告：令和8年度当初" in after.content.decode()


def test_a_release_dated_later_is_shown_from_its_midnight_although_the_pages_are_cached(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    """Nothing is saved at 0:00 of the 公表日: the cache knows when the next cycle becomes public and starts a
    new generation then, in every process (two clients: two middleware instances)."""
    from django.test import Client
    from django.utils import timezone

    from programs.models import JAPAN

    date = datetime.datetime.now(JAPAN).date() + datetime.timedelta(days=2)
    midnight = datetime.datetime.combine(date, datetime.time(), tzinfo=JAPAN)
    with django_capture_on_commit_callbacks(execute=True):
        for number in (1, 2, 3):
            publish_record(world, number)
        services.cycle_close(cycle=world.cycle, by=world.reviewer)
        services.cycle_release(cycle=world.cycle, by=world.reviewer, released_on=date)
    summary_url = reverse("public:summary", args=[REFORM])
    other_process = Client()
    real = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: midnight - datetime.timedelta(seconds=1))
    assert client.get(summary_url).context["cycle"] == world.released
    for reader in (client, other_process):
        before = reader.get(summary_url)
        assert before["X-Page-Cache"] == "hit" and "最新の報告：令和7年度当初" in before.content.decode()

    monkeypatch.setattr(timezone, "now", lambda: midnight)
    for reader in (client, other_process):
        after = reader.get(summary_url)
        assert "最新の報告：令和8年度当初" in after.content.decode()
    assert client.get(summary_url)["X-Page-Cache"] == "hit"  # one new generation, cached again
    monkeypatch.setattr(timezone, "now", real)


# --- a shared cache that cannot be reached (memcached stopped, the network between hosts cut) -----------------


class UnreachableCache:
    """Every call fails, as pymemcache's client does while memcached is down."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionRefusedError(111, "Connection refused")

        return fail


class ForgetfulCache:
    """Keeps nothing and says so quietly, as pymemcache's client does for a while once it found the server down."""

    def get_many(self, keys, **kwargs):
        return {}

    def add(self, *args, **kwargs):
        return False

    def get(self, key, default=None, **kwargs):
        return default

    def set(self, *args, **kwargs):
        return None


@pytest.fixture
def shared_cache(monkeypatch):
    """Switches the page cache's shared cache to a failing one and back (the real one, as the outage left it)."""
    from django.core.cache import cache as real

    from public import cache as page_cache

    def switch(to):
        monkeypatch.setattr(page_cache, "cache", to or real)

    yield switch
    page_cache._unreachable.clear()


@pytest.mark.parametrize("outage", [UnreachableCache, ForgetfulCache])
def test_while_the_shared_cache_cannot_be_reached_pages_are_built_and_show_publications(
    client, world, shared_cache, outage, caplog, django_capture_on_commit_callbacks
):
    """The public pages keep answering, uncached; a publication made meanwhile is saved and shown (the failed
    invalidation is logged), also once the cache is back with its entries from before the outage."""
    publish(world, 1, result="停止前の実績", capture=django_capture_on_commit_callbacks)
    url = reverse("public:initiative-detail", args=[REFORM, 1])
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    shared_cache(outage())
    during = client.get(url)
    assert during.status_code == 200 and "X-Page-Cache" not in during and "停止前の実績" in during.content.decode()
    publish(world, 1, result="停止中に公開した実績", capture=django_capture_on_commit_callbacks)
    assert "could not record a change" in caplog.text
    for _ in range(2):  # built each time: nothing kept, not even in this process
        response = client.get(url)
        assert response.status_code == 200 and "X-Page-Cache" not in response
        assert "停止中に公開した実績" in response.content.decode()

    shared_cache(None)  # back, still holding the generation and the pages from before the outage
    after = client.get(url)
    assert after["X-Page-Cache"] == "miss" and "停止中に公開した実績" in after.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_page_the_shared_cache_refuses_is_served_and_kept_by_the_process(client, world, shared_cache):
    """memcached keeps at most 1 MB an entry and refuses a larger one with an error: the page is served all the
    same, and this process keeps it in its memory."""
    from django.core.cache import cache as real

    class Refusing:
        def __getattr__(self, name):
            return getattr(real, name)

        def set(self, key, value, *args, **kwargs):
            if key.startswith("public-pages:") and key not in ("public-pages:generation", "public-pages:next-public-at"):
                raise RuntimeError("SERVER_ERROR object too large for cache")
            return real.set(key, value, *args, **kwargs)

    shared_cache(Refusing())
    url = reverse("public:initiative-list", args=[REFORM])
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
