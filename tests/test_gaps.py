"""Responsibility-gap analysis (kik_graph.gaps) on the KIK data."""

from __future__ import annotations

import pandas as pd
import pytest

from kik_graph import gaps
from kik_graph.i18n import catalogue


def test_measures_without_lead_has_the_129_open_measures(store) -> None:
    frame = gaps.measures_without_lead(store)
    assert len(frame) == 129
    assert "SB-7.2" not in set(frame["notation"])  # led by the Runder Tisch der Bildungsträger
    assert "SB-1.1" in set(frame["notation"])
    assert list(frame.columns) == ["notation", "text", "goalNotation", "fieldCode", "partners"]


def test_measures_without_lead_filtered_by_field(store) -> None:
    frame = gaps.measures_without_lead(store, field="SB")
    assert set(frame["fieldCode"]) == {"SB"}
    assert 0 < len(frame) < 129


def test_measures_without_actor_are_those_without_any_partner(store) -> None:
    without_actor = gaps.measures_without_actor(store)
    without_lead = gaps.measures_without_lead(store)
    assert len(without_actor) == int((without_lead["partners"] == 0).sum())
    assert "GT-6.1" not in set(without_actor["notation"])  # Integrationsbeirat is a partner
    assert "GT-6.1" in set(without_lead["notation"])


def test_goals_without_actor_have_no_measure_with_an_actor(store) -> None:
    frame = gaps.goals_without_actor(store)
    assert "SB-Z7" not in set(frame["notation"])  # SB-7.1, SB-7.2 have actors
    assert "SB-Z1" in set(frame["notation"])
    assert (frame["measures"] > 0).all()


def test_phase_one_is_shown_as_a_gap_with_zero_measures(store) -> None:
    frame = gaps.phases_without_measures(store)
    assert list(frame["notation"]) == ["I"]
    assert int(frame.iloc[0]["measures"]) == 0
    assert frame.iloc[0]["fields"] == ""


def test_single_actor_measures(store) -> None:
    frame = gaps.measures_single_actor(store)
    notations = set(frame["notation"])
    assert "SB-7.2" in notations
    assert "BE-4.3" not in notations  # Kitas and Schulen
    assert frame.loc[frame["notation"] == "SB-7.2", "actor"].item() == "Runder Tisch der Bildungsträger Kempten & Oberallgäu"


def test_many_leads_threshold(store) -> None:
    two = gaps.actors_with_many_leads(store, 2)
    one = gaps.actors_with_many_leads(store, 1)
    assert len(one) > len(two) > 0
    assert (two["leads"] >= 2).all()
    assert "Stadt Kempten (Allgäu)" in set(two["label"])
    assert list(two["leads"]) == sorted(two["leads"], reverse=True)


def test_categories_without_institution(store) -> None:
    frame = gaps.categories_without_institution(store)
    assert "Kliniken" in set(frame["categoryLabel"])
    assert "Bildungsträger" not in set(frame["categoryLabel"])  # vhs Kempten etc. belong to it


def test_institutions_without_role_and_target_groups(store) -> None:
    assert len(gaps.institutions_without_role(store)) > 0
    tg = gaps.target_groups_without_measures(store)
    assert isinstance(tg, pd.DataFrame) and list(tg.columns) == ["label", "measures"]


def test_all_gaps_are_counted_and_explained_in_german_and_english(store) -> None:
    result = gaps.all_gaps(store)
    assert [g.key for g in result] == list(gaps.GAP_FUNCTIONS)
    for gap in result:
        assert gap.count == len(gap.rows)
        for lang in ("de", "en"):
            assert lang in catalogue()[f"office.gap.{gap.key}.explanation"]
            text = gap.explanation(lang)
            assert text.endswith(".") and text.count(". ") == 0, text  # one sentence
            assert gap.title(lang)
    as_dict = result[0].as_dict("en")
    assert as_dict["count"] == 129 and as_dict["title"] == "Measures without a lead"
    summary = gaps.summary(result)
    assert summary.loc[summary["key"] == "phases_without_measures", "count"].item() == 1


def test_unknown_gap_is_a_clear_error(store) -> None:
    with pytest.raises(KeyError, match="Unbekannte Lückenart"):
        gaps.gap(store, "nope")


def test_gap_counts_match_the_lists_without_pandas(store) -> None:
    for minimum in (1, 2, 3):
        counts = gaps.gap_counts(store, min_leads=minimum)
        assert counts == {g.key: g.count for g in gaps.all_gaps(store, min_leads=minimum)}
    assert gaps.gap_counts(store)["measures_without_lead"] == 129


def test_query_rows_are_plain_python(store) -> None:
    rows = gaps.query_rows(store, "phases")
    assert [r["measures"] for r in rows][0] == 0 and isinstance(rows[0]["measures"], int)
    assert rows[0]["notation"] == "I"
