from wuhai_coverage.core.roles import capabilities_of


def capabilities(request) -> dict:
    """`caps`: what the signed-in user's role may do — the nav shows only those pages."""
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {"caps": capabilities_of(role)}
