"""The roles of portal.md, what each may do, and the jurisdiction each must carry.

This table is the single statement of "who may do what"; `access.py` applies it
together with the jurisdiction ("where"), and every page and API goes through that.
"""

from __future__ import annotations

from wuhai_coverage.core.models import Department, Role

# Capabilities — what a role may do, wherever its jurisdiction reaches.
VIEW_TASKS = "view_tasks"  # read tasks (queue, task page, tasks API)
WORK_TASKS = "work_tasks"  # record contact, mark rectified
ASSIGN_TASKS = "assign_tasks"  # assign to street staff, bulk-assign
ISSUE_NOTICES = "issue_notices"  # notices, dismissal, escalation
REVEAL_PERSONAL = "reveal_personal"  # unmask an ID number or phone (logged)
RUN_COMPARISON = "run_comparison"  # start a comparison run
EDIT_SETTINGS = "edit_settings"  # thresholds, average wage, assessment weights
VIEW_ROSTERS = "view_rosters"  # bureau staff: deliveries, batch reports
PUSH_ROSTERS = "push_rosters"  # partner systems: POST /api/v1/rosters/
# Enforcement cases (/cases/, /api/v1/cases/) and the blacklist's staff pages
# (/blacklist/manage/, /api/v1/blacklist/…): enforcement/cases/ and enforcement/blacklist/.
VIEW_CASES = "view_cases"  # read cases and blacklist entries (a district's staff: their district's)
MANAGE_CASES = "manage_cases"  # open cases, record findings and orders
PROPOSE_BLACKLIST = "propose_blacklist"  # inspectors propose an entry, send the prior notice
REVIEW_BLACKLIST = "review_blacklist"  # city managers approve or reject it, and credit repair
VIEW_ASSESSMENT = "view_assessment"
POST_PUBLICITY = "post_publicity"  # record a publicity posting in a community
READ_BLACKLIST = "read_blacklist"  # partners apply joint punishment (GET /api/v1/blacklist/, deliveries)
MANAGE_ACCOUNTS = "manage_accounts"  # revoke API tokens, unlock locked-out logins
MANAGE_DISCLOSURE = "manage_disclosure"  # upload and read employers' commitment letters, union confirmations
SEND_SMS = "send_sms"  # SMS campaigns to the persons of open tasks, the opt-out list

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CITY_MANAGER: frozenset(
        {
            VIEW_TASKS,
            WORK_TASKS,
            ASSIGN_TASKS,
            ISSUE_NOTICES,
            REVEAL_PERSONAL,
            RUN_COMPARISON,
            EDIT_SETTINGS,
            VIEW_ROSTERS,
            VIEW_CASES,
            REVIEW_BLACKLIST,
            VIEW_ASSESSMENT,
            READ_BLACKLIST,
            POST_PUBLICITY,
            MANAGE_ACCOUNTS,
            MANAGE_DISCLOSURE,
            SEND_SMS,
        }
    ),
    Role.DISTRICT_CASEWORKER: frozenset(
        {
            VIEW_TASKS,
            WORK_TASKS,
            ASSIGN_TASKS,
            ISSUE_NOTICES,
            REVEAL_PERSONAL,
            VIEW_ROSTERS,
            VIEW_ASSESSMENT,
            POST_PUBLICITY,
            MANAGE_DISCLOSURE,
            SEND_SMS,
            VIEW_CASES,  # their district's cases, read-only
        }
    ),
    Role.STREET_STAFF: frozenset({VIEW_TASKS, WORK_TASKS, REVEAL_PERSONAL, POST_PUBLICITY}),
    Role.INSPECTOR: frozenset(
        {
            VIEW_TASKS,
            REVEAL_PERSONAL,
            VIEW_CASES,
            MANAGE_CASES,
            PROPOSE_BLACKLIST,
            READ_BLACKLIST,
        }
    ),
    Role.PARTNER: frozenset({PUSH_ROSTERS, READ_BLACKLIST}),
}

# Roles whose jurisdiction is the whole city.
CITY_WIDE_ROLES = frozenset({Role.CITY_MANAGER, Role.INSPECTOR})


def capabilities_of(role: str) -> frozenset[str]:
    return CAPABILITIES.get(role, frozenset())


def validate_jurisdiction(*, role: str, district, street, department: str) -> None:
    """Raise ValueError when a role lacks, or carries a wrong, jurisdiction."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; known roles: {', '.join(Role.values)}")
    if role == Role.DISTRICT_CASEWORKER and district is None:
        raise ValueError("a district_caseworker needs --district (区划代码, e.g. 150302)")
    if role == Role.STREET_STAFF:
        if street is None:
            raise ValueError("a street_staff user needs --street (街道代码, e.g. 150302001)")
        if district is not None and street.district_id != district.code:
            raise ValueError(f"street {street.code} is not in district {district.code}")
    if role == Role.PARTNER:
        if department not in Department.values:
            raise ValueError(f"a partner needs --department, one of: {', '.join(Department.values)}")
    elif department:
        raise ValueError("only a partner account carries a department")
    if role in CITY_WIDE_ROLES | {Role.PARTNER} and (district is not None or street is not None):
        raise ValueError(f"a {role} works city-wide and takes no district or street")
