"""Treatments as clinics record them: units by side and site, a medicine's last day, the person's
own onset and wear-off dates -- checked whole, edited, deleted, and reported with one tap."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from facespasm.diary.records import Treatment
from facespasm.errors import ConflictError, InputError, NotFoundError

DAY = dt.date(2026, 3, 2)
TOXIN = Treatment(
    DAY, "botulinum_toxin", side="both", dose_units=50, name="incobotulinumtoxinA",
    units_left=25, units_right=25,
    sites=(("left orbicularis oculi, upper lid", 2.5), ("right orbicularis oculi, upper lid", 2.5)),
)  # fmt: skip
MEDICINE = Treatment(
    DAY, "medication", dose_units=400, name="carbamazepine", until=dt.date(2026, 6, 1)
)


def later(days: int) -> dt.date:
    return DAY + dt.timedelta(days=days)


def test_an_injection_keeps_its_units_by_side_and_site(diary):
    new_id = diary.treatments.add(TOXIN)
    assert diary.treatments.get(new_id) == dataclasses.replace(TOXIN, id=new_id)


def test_a_medicine_keeps_its_last_day(diary):
    new_id = diary.treatments.add(MEDICINE)
    assert diary.treatments.get(new_id).until == dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        # the parts cannot add up to more than the whole
        ({"units_left": 30}, "units_left and units_right add up to 55, more than the dose of 50"),
        ({"sites": (("upper lid", 40.0), ("lower lid", 20.0))}, "the sites add up to 60 units"),
        # a one-sided injection has nothing on the other side
        ({"side": "left"}, "units_right: the injection was on the left side only"),
        # the person's dates come after the injection, the wear-off after the onset
        ({"reported_onset": later(-1)}, "reported_onset: 2026-03-01 is before the treatment"),
        (
            {"reported_onset": later(10), "reported_wear_off": later(5)},
            "reported_wear_off: 2026-03-07 is before the onset (2026-03-12)",
        ),
        ({"reported_wear_off": dt.date(9999, 1, 1)}, "reported_wear_off: 9999-01-01 is more"),
        # what belongs to another kind of treatment
        ({"until": later(30)}, "until (the last day taken) is for a medicine, not botulinum"),
        ({"units_left": -1}, "units_left: -1 is not between 0 and 1000 units"),
        # sites are named, in one line
        ({"sites": (("", 1.0),)}, "site 1: name the site"),
        ({"sites": (("upper\nlid", 1.0),)}, "site 1: the control character"),
        ({"sites": (("x" * 101, 1.0),)}, "site 1: 101 characters is too long"),
        ({"sites": (("lid", float("nan")),)}, "site 1 (lid): nan is not a number"),
        ({"sites": tuple((f"point {n}", 0.5) for n in range(41))}, "sites: 41 is too many"),
    ],
)
def test_an_injection_that_does_not_fit_together_is_refused(diary, changes, message):
    with pytest.raises(InputError, match=re.escape(message)):
        diary.treatments.add(dataclasses.replace(TOXIN, **changes))
    assert diary.treatments.all() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"units_left": 5}, "units_left is recorded for botulinum toxin, not medication"),
        ({"sites": (("arm", 1.0),)}, "sites is recorded for botulinum toxin, not medication"),
        ({"reported_onset": later(3)}, "reported_onset is recorded for botulinum toxin"),
        ({"until": later(-1)}, "until: 2026-03-01 is before the treatment"),
    ],
)
def test_a_medicine_holds_only_what_a_medicine_has(diary, changes, message):
    with pytest.raises(InputError, match=message):
        diary.treatments.add(dataclasses.replace(MEDICINE, **changes))


def test_an_edit_is_checked_whole_and_kept(diary):
    new_id = diary.treatments.add(TOXIN)
    edited = diary.treatments.edit(new_id, {"dose_units": 60, "units_left": 35, "note": "more"})
    assert edited == dataclasses.replace(
        TOXIN, dose_units=60, units_left=35, note="more", id=new_id
    )
    assert diary.treatments.get(new_id) == edited
    with pytest.raises(InputError, match="more than the dose of 40"):
        diary.treatments.edit(new_id, {"dose_units": 40})
    with pytest.raises(InputError, match="'dose' is not a field of a treatment"):
        diary.treatments.edit(new_id, {"dose": 40})
    assert diary.treatments.get(new_id) == edited  # a refused edit changes nothing
    assert diary.treatments.edit(new_id, {"sites": (), "name": None}).sites == ()


def test_a_deleted_treatment_is_gone(diary):
    kept, deleted = diary.treatments.add(TOXIN), diary.treatments.add(MEDICINE)
    diary.treatments.delete(deleted)
    assert [t.id for t in diary.treatments.all()] == [kept]
    with pytest.raises(NotFoundError, match=f"no treatment {deleted} in this diary"):
        diary.treatments.delete(deleted)


def test_one_tap_dates_go_to_the_latest_injection_on_or_before_the_day(diary):
    first = diary.treatments.add(Treatment(DAY, "botulinum_toxin"))
    diary.treatments.add(Treatment(later(5), "medication"))  # not an injection
    second = diary.treatments.add(Treatment(later(90), "botulinum_toxin"))
    assert diary.treatments.report_onset(later(6)).id == first
    assert diary.treatments.report_wear_off(later(80)).id == first
    assert diary.treatments.report_onset(later(95)).id == second
    stored = {t.id: t for t in diary.treatments.all()}
    assert (stored[first].reported_onset, stored[first].reported_wear_off) == (later(6), later(80))
    assert (stored[second].reported_onset, stored[second].reported_wear_off) == (later(95), None)
    # tapped again, the date moves
    assert diary.treatments.report_onset(later(7)).reported_onset == later(7)


def test_one_tap_dates_that_conflict_or_find_no_injection_are_refused(diary):
    with pytest.raises(NotFoundError, match="no botulinum toxin injection on or before 2026-03-02"):
        diary.treatments.report_onset(DAY)
    diary.treatments.add(Treatment(DAY, "botulinum_toxin", reported_onset=later(10)))
    with pytest.raises(ConflictError, match="reported working from 2026-03-12, after 2026-03-07"):
        diary.treatments.report_wear_off(later(5))
    diary.treatments.report_wear_off(later(60))
    with pytest.raises(
        ConflictError, match="reported wearing off on 2026-05-01, before 2026-05-11"
    ):
        diary.treatments.report_onset(later(70))
    with pytest.raises(InputError, match="date: 9999-01-01 is more than a year ahead"):
        diary.treatments.report_onset(dt.date(9999, 1, 1))
