"""Channel-layer group names. A push names its audience with these; consumers join them."""

STAFF = "staff"  # admins and leads: they see every conversation
EVERYONE = "everyone"  # every agent: conversations without a team are everyone's queue


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"
