"""Where a subject belongs — comparison.md → "Where a task goes": district and street are
taken together from the first source that has a district. One statement of it, as SQL
fragments over fixed table aliases, shared by the comparison (enforcement.comparison.facts)
and the registry refresh (enrollment.registry), so a person's registry district is always
the district of their tasks.

Aliases: employers — m (market_entities), t (latest tax_payroll row), ie (insurance_employers);
persons — h (household_registry), c (the chosen civil_affairs row), pv (poverty_registry),
ds (disability_registry); the civil_affairs rows being ranked — cc.
"""


def civil_eligible(on: str) -> str:
    """1 when a civil_affairs row makes its person eligible on the date held by the named
    SQL parameter `on` (`%(on)s`), else 0."""
    return (
        f"CASE WHEN cc.category IN ('dibao', 'tekun') AND cc.valid_from <= %({on})s"
        f" AND (cc.valid_to IS NULL OR cc.valid_to >= %({on})s) THEN 1 ELSE 0 END"
    )


def civil_row_order(on: str) -> str:
    """Of a person's civil_affairs rows, the one that counts: eligible on the date of the
    named parameter `on` first, then the latest."""
    return f"{civil_eligible(on)} DESC, cc.valid_from DESC, cc.category"


EMPLOYER_DISTRICT = (
    "CASE WHEN m.district_code IS NOT NULL THEN m.district_code"
    " WHEN t.district_code IS NOT NULL THEN t.district_code ELSE ie.district_code END"
)
# tax and insurance_employers carry no street: a street comes only with a market district.
EMPLOYER_STREET = "CASE WHEN m.district_code IS NOT NULL THEN m.street_code ELSE NULL END"

PERSON_DISTRICT = (
    "CASE WHEN h.district_code IS NOT NULL THEN h.district_code"
    " WHEN c.district_code IS NOT NULL THEN c.district_code"
    " WHEN pv.district_code IS NOT NULL THEN pv.district_code ELSE ds.district_code END"
)
PERSON_STREET = (
    "CASE WHEN h.district_code IS NOT NULL THEN h.street_code"
    " WHEN c.district_code IS NOT NULL THEN c.street_code"
    " WHEN pv.district_code IS NOT NULL THEN pv.street_code"
    " WHEN ds.district_code IS NOT NULL THEN ds.street_code ELSE NULL END"
)
