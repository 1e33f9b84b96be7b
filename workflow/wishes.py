"""微心愿 as pure rules: 已发布 → 已认领 (by a volunteer or a 报到单位) → 已完成; a claim can be given back; withdrawn."""
from __future__ import annotations

from dataclasses import dataclass

from workflow.vocab import WISH_CLAIMANT_KINDS, WishStatus
from workflow.refusal import Refused

PUBLISHED, CLAIMED, DONE, WITHDRAWN = WishStatus.PUBLISHED, WishStatus.CLAIMED, WishStatus.DONE, WishStatus.WITHDRAWN
OPEN = (PUBLISHED, CLAIMED)

# action: (statuses it may start from, status it leads to)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "claim": ((PUBLISHED,), CLAIMED),          # 认领
    "complete": ((CLAIMED,), DONE),            # 完成
    "release": ((CLAIMED,), PUBLISHED),        # 放弃认领: back on the board for someone else
    "withdraw": ((PUBLISHED, CLAIMED), WITHDRAWN),  # 撤回: the resident no longer needs it
}


class WishError(Refused):
    """A wish action the rules refuse, or input they cannot take; the kind says why."""


@dataclass(frozen=True)
class WishStep:
    status: str
    claimant: str | None
    claimant_kind: str | None


def apply(action: str, status: str, claimant: str | None = None, claimant_kind: str | None = None,
          current_claimant: str | None = None, current_kind: str | None = None) -> WishStep:
    """What `action` does to a wish in `status`; raises WishError when it is not allowed."""
    if action not in ACTIONS:
        raise WishError("unknown_action", action=action)
    allowed, target = ACTIONS[action]
    if status not in allowed:
        raise WishError("wish_action_refused", status=status, action=action)
    if action == "claim":
        who = (claimant or "").strip()
        if not who:
            raise WishError("claim_needs_claimant")
        if len(who) > 100:
            raise WishError("claimant_too_long")
        if claimant_kind not in WISH_CLAIMANT_KINDS:
            raise WishError("claimant_kind")
        return WishStep(target, who, claimant_kind)
    if action == "release":
        return WishStep(target, None, None)
    return WishStep(target, current_claimant, current_kind)
