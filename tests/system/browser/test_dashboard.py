"""The dashboard in a real browser, over a month of seeded activity: every chart's figures are the ones counted
from the seed by hand (tests/support/activity.py), its SVG draws them, and it reads on a phone and in French.

No Rasa server here: the console reads the seed's tracker store as it reads Rasa's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import pytest

from bot.accounts.users import create_staff_user
from bot.database import Database, make_engine
from tests.support import activity as seed
from tests.support.servers import Console, make_workspace, running_console
from tests.system.browser.widget import Widget

NOW = datetime.now(timezone.utc)
FIRST = NOW.date() - timedelta(days=29)
STAFF, PASSWORD = "dashboard-staff@helpdesk.org", "dashboard-password-1"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Console, seed.Activity]]:
    workspace = make_workspace(tmp_path_factory.mktemp("dashboard"))
    activity = seed.random_activity(FIRST, NOW.date(), 500, extra_tickets=30, now=NOW)
    seed.seed_workspace(workspace.workdir, workspace.database_url, activity)
    engine = make_engine(workspace.database_url)
    create_staff_user(Database(engine), STAFF, PASSWORD, role="staff")
    engine.dispose()
    with running_console(workspace, "http://127.0.0.1:9", name="dashboard-console") as console:
        yield console, activity


def open_dashboard(new_widget: Callable[..., Widget], console: Console, **options: object):
    page = new_widget(**options).page
    page.goto(console.url + "/login")
    page.get_by_label("E-mail").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/tickets")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/dashboard")
    return page


def table(page, chart: str) -> list[list[str]]:
    """The chart's table as shown: each row's cells' text (the table may be folded away, its text is there)."""
    return page.eval_on_selector_all(
        f"table[data-chart='{chart}'] tbody tr",
        "rows => rows.map(row => [...row.children].map(cell => cell.textContent.trim()))",
    )


def percent(cell: str) -> float | None:
    return None if cell == "—" else float(cell.rstrip(" %"))


def article_id(cell: str) -> str:
    return re.search(r"\(([^()]+)\)$", cell).group(1)


def test_each_chart_shows_the_figures_of_the_seed(
    new_widget: Callable[..., Widget], seeded: tuple[Console, seed.Activity]
) -> None:
    console, activity = seeded
    page = open_dashboard(new_widget, console)
    days = seed.per_day(activity)

    # Conversations per day and how they ended: every day of the 30, the quiet ones at zero.
    rows = table(page, "conversations")
    assert len(rows) == 30 and rows[0][0] == FIRST.isoformat()
    for day, *counts in rows:
        assert tuple(map(int, counts)) == days.get(datetime.fromisoformat(day).date(), (0, 0, 0, 0)), day
    for day, *shares in table(page, "outcomes"):
        total, *parts = days.get(datetime.fromisoformat(day).date(), (0, 0, 0, 0))
        for shown, part in zip(shares, parts, strict=True):
            assert (percent(shown) is None) if not total else percent(shown) == round(100 * part / total), day
    # The bars: one per day with conversations, each titled with its figure.
    bars = page.locator("#conversations svg rect")
    assert bars.count() == len(days)
    busiest = max(days, key=lambda day: days[day][0])
    assert f"{busiest.isoformat()}: {days[busiest][0]}" in page.locator("#conversations svg").inner_html()

    total = [sum(counts[i] for counts in days.values()) for i in range(4)]
    assert page.locator("#summary-conversations").text_content() == str(total[0])
    assert percent(page.locator("#summary-contained").text_content()) == round(100 * total[1] / total[0])
    assert percent(page.locator("#summary-ticket").text_content()) == round(100 * total[3] / total[0])

    # Articles: the most answered with their votes, and the worst ratios among those with three votes or more.
    votes = seed.votes_per_article(activity)
    shown = {article_id(name): tuple(map(int, counts)) for name, *counts in table(page, "top-articles")}
    assert shown == votes
    worst = [(article_id(name), percent(share)) for name, share, _votes in table(page, "worst-articles")]
    expected = sorted(((round(100 * n / (y + n)), a) for a, (_, y, n) in votes.items() if y + n >= 3), reverse=True)
    assert sorted(share for _a, share in worst) == sorted(share for share, _a in expected)

    # Unanswered questions: the rewordings of one question in one row, counted together.
    asked = {row[0]: int(row[1]) for row in table(page, "unanswered")}
    first_wording = {text: group[0] for group in seed.QUESTION_GROUPS for text in group}
    assert Counter({first_wording.get(text, text): n for text, n in asked.items()}) == seed.asked_per_group(activity)

    # Tickets per issue type per week (columns in the issue types' order), and the open ones by age.
    per_week = seed.tickets_per_week(activity)
    kinds = ("account_access", "non_editable_info", "duplicate_profile", "other")
    for week, *counts in table(page, "tickets-per-week"):
        monday = datetime.fromisoformat(week).date()
        assert [int(n) for n in counts] == [per_week.get((monday, kind), 0) for kind in kinds], week
    assert [int(row[1]) for row in table(page, "open-by-age")] == seed.open_by_age(activity, datetime.now(timezone.utc))

    # Time to first reply and to resolution, satisfaction per week.
    for summary, what in (("#summary-first-reply", "first_reply"), ("#summary-resolution", "resolved")):
        assert page.locator(summary).text_content() == f"{seed.median_hours(activity, what):.1f} h"
    ratings = seed.ratings_per_week(activity)
    for week, share, good, bad in table(page, "satisfaction"):
        expected_good, expected_bad = ratings.get(datetime.fromisoformat(week).date(), (0, 0))
        assert (int(good), int(bad)) == (expected_good, expected_bad), week
        rated = expected_good + expected_bad
        assert percent(share) == (round(100 * expected_good / rated) if rated else None), week

    languages = Counter(c.language for c in activity.conversations)
    assert {row[0]: int(row[1]) for row in table(page, "languages")} == {
        "French": languages["fr"],
        "English": languages["en"],
    }


def test_the_dashboard_reads_on_a_phone_and_in_french(
    new_widget: Callable[..., Widget], seeded: tuple[Console, seed.Activity]
) -> None:
    console, _activity = seeded
    page = open_dashboard(new_widget, console, viewport={"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        page.screenshot(path="/tmp/dashboard-phone.png", full_page=True)
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        pytest.fail(f"the page scrolls sideways by {overflow}px on a phone: {wide}")
    width = page.locator("#conversations svg").bounding_box()["width"]
    assert 300 < width <= 390
    page.get_by_role("button", name="Français").click()
    assert page.get_by_role("heading", level=1).text_content() == "Tableau de bord"
    assert page.locator("#languages-heading").text_content() == "Langues dans lesquelles écrivent les partenaires"
    page.get_by_role("link", name="7 jours").click()
    assert len(table(page, "conversations")) == 7
